// Command line of echo_load: parsing and validation only.
//
// Accepts "--name value" and "--name=value". Every number is checked in full
// ("10x" and "-3" are errors, not 10 and a huge unsigned), so a typo in a
// benchmark script fails loudly instead of measuring the wrong thing.
#pragma once

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct LoadOptions {
  std::string host = "127.0.0.1";
  std::string port;  // required; kept as text for getaddrinfo
  uint32_t connections = 1;
  uint32_t size = 64;     // bytes per message
  double duration = 5.0;  // seconds of measurement, unless count is set
  uint64_t count = 0;     // total round trips to measure; 0 = use duration
  double warmup = 1.0;    // seconds of unrecorded load before measuring
  double timeout = 10.0;  // seconds: connect, and the longest a round trip may take
  bool quiet = false;
  bool json = false;
};

inline constexpr const char* kLoadUsage =
    "usage: echo_load --port PORT [options]\n"
    "\n"
    "Drives an echo server with N connections, each with one message in flight:\n"
    "send, wait for the whole echo, check every byte, repeat.\n"
    "\n"
    "  --host HOST          server address (default 127.0.0.1)\n"
    "  --port PORT          server port (required)\n"
    "  --connections N      concurrent connections (default 1)\n"
    "  --size BYTES         message size (default 64)\n"
    "  --duration SECONDS   measured time (default 5)\n"
    "  --count N            measure exactly N round trips instead of a duration\n"
    "  --warmup SECONDS     unrecorded load before measuring (default 1)\n"
    "  --timeout SECONDS    give up on a connect or a round trip after this (default 10)\n"
    "  --quiet              no progress line on stderr\n"
    "  --json               print the result as one JSON object on stdout\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: 0 on success, 1 if any byte was wrong, a connection dropped or\n"
    "stalled, or the server could not be reached; 2 on bad arguments.\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace load_options_detail {

inline uint64_t parse_unsigned(std::string_view name, const std::string& text, uint64_t min,
                               uint64_t max) {
  // strtoull accepts leading blanks and a minus sign (wrapping it around); reject both.
  if (text.empty() || text[0] < '0' || text[0] > '9')
    throw UsageError(std::string(name) + ": expected a number, got '" + text + "'");
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (*end != '\0') throw UsageError(std::string(name) + ": expected a number, got '" + text + "'");
  if (errno == ERANGE || v < min || v > max)
    throw UsageError(std::string(name) + ": " + text + " is out of range [" + std::to_string(min) +
                     ", " + std::to_string(max) + "]");
  return v;
}

inline double parse_seconds(std::string_view name, const std::string& text, double min) {
  if (text.empty() || !((text[0] >= '0' && text[0] <= '9') || text[0] == '.'))
    throw UsageError(std::string(name) + ": expected seconds, got '" + text + "'");
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !std::isfinite(v))
    throw UsageError(std::string(name) + ": expected seconds, got '" + text + "'");
  if (v < min || v > 86400.0)
    throw UsageError(std::string(name) + ": " + text + " is out of range");
  return v;
}

}  // namespace load_options_detail

// Throws UsageError on any bad argument; returns nullopt after printing --help.
inline std::optional<LoadOptions> parse_load_options(int argc, char** argv) {
  using namespace load_options_detail;
  LoadOptions o;
  bool have_duration = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") return std::nullopt;
    if (arg == "--quiet") {
      o.quiet = true;
      continue;
    }
    if (arg == "--json") {
      o.json = true;
      continue;
    }

    std::string value;
    bool have_value = false;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
      have_value = true;
    }
    auto next = [&]() -> const std::string& {
      if (!have_value) {
        if (i + 1 >= argc) throw UsageError(arg + " needs a value");
        value = argv[++i];
      }
      return value;
    };

    if (arg == "--host") {
      o.host = next();
      if (o.host.empty()) throw UsageError("--host: empty");
    } else if (arg == "--port") {
      o.port = std::to_string(parse_unsigned(arg, next(), 1, 65535));
    } else if (arg == "--connections") {
      o.connections = static_cast<uint32_t>(parse_unsigned(arg, next(), 1, 1'000'000));
    } else if (arg == "--size") {
      o.size = static_cast<uint32_t>(parse_unsigned(arg, next(), 1, 64u << 20));
    } else if (arg == "--duration") {
      o.duration = parse_seconds(arg, next(), 0.001);
      have_duration = true;
    } else if (arg == "--count") {
      o.count = parse_unsigned(arg, next(), 1, UINT64_MAX);
    } else if (arg == "--warmup") {
      o.warmup = parse_seconds(arg, next(), 0.0);
    } else if (arg == "--timeout") {
      o.timeout = parse_seconds(arg, next(), 0.001);
    } else {
      throw UsageError("unknown option '" + std::string(argv[i]) + "'");
    }
  }
  if (o.port.empty()) throw UsageError("--port is required");
  if (have_duration && o.count != 0) throw UsageError("--duration and --count exclude each other");
  return o;
}
