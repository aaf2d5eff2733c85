// corosh_echo_server — the corosh echo listener as a standalone program, for
// the echo load client and the comparison against the callback baseline.
//
//   corosh_echo_server [--port P] [--host H] [--buffer BYTES] [--max-connections N] [--coroutines N]
//
// Prints exactly one line, "listening on HOST:PORT", once it accepts
// connections (port 0, the default, picks a free one), then serves until
// SIGINT or SIGTERM and exits 0. --max-connections (default 1024, 0: no
// limit) must cover the load's connection count. --coroutines N adds N
// sleeping coroutines (16 KiB stacks), so that a tool attached with
// COROSH_MONITOR=1 has a program of that size to list
// (bench/run_attach_bench, bench/shell_scale).
#include <corosh/loop.hpp>
#include <corosh/net.hpp>

#include "echo_server.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <cstring>
#include <string>

namespace {

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "corosh_echo_server: %s\nusage: corosh_echo_server [--port P] [--host H] [--buffer BYTES] [--max-connections N] [--coroutines N]\n", why);
  std::exit(2);
}

unsigned long number(const char* text, unsigned long max, const char* what) {
  char* end = nullptr;
  errno = 0;
  unsigned long value = std::strtoul(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value > max)
    usage((std::string("bad ") + what + " '" + text + "'").c_str());
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  corosh::demos::EchoOptions options;
  unsigned long sleepers = 0;
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    if (i + 1 >= argc) usage((std::string("missing value after ") + arg).c_str());
    if (std::strcmp(arg, "--port") == 0)
      options.port = static_cast<std::uint16_t>(number(argv[++i], 65535, "port"));
    else if (std::strcmp(arg, "--host") == 0)
      host = argv[++i];
    else if (std::strcmp(arg, "--buffer") == 0)
      options.buffer_size = number(argv[++i], 1ul << 30, "buffer size");
    else if (std::strcmp(arg, "--coroutines") == 0)
      sleepers = number(argv[++i], 1000000, "coroutine count");
    else if (std::strcmp(arg, "--max-connections") == 0)
      options.max_connections = number(argv[++i], 1ul << 30, "connection limit");
    else
      usage((std::string("unknown option ") + arg).c_str());
  }
  options.host = host;
  try {
    corosh::Loop loop;
    corosh::demos::EchoServer server(options);
    for (unsigned long n = 0; n < sleepers; ++n)
      loop.spawn({.name = "sleeper", .stack_size = 16 * 1024}, [&loop] {
        for (;;) loop.sleep(std::chrono::hours(1));
      });
    auto quit = [&](int) {
      server.stop();
      loop.stop();
    };
    loop.add_signal(SIGINT, quit);
    loop.add_signal(SIGTERM, quit);
    std::printf("listening on %s\n", server.local().to_string().c_str());
    std::fflush(stdout);
    loop.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "corosh_echo_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
