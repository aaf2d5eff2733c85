// fuzz_monitor_request.cpp — libFuzzer target: the monitor's request parser.
//
// Drives one monitor Session (what a client's connection talks to,
// core/loop/src/monitor_internal.hpp) with the fuzzer's bytes, in a process
// with a Loop and a few parked coroutines for requests to name. The first
// byte picks how the rest is read:
//   - odd: each line is one request payload, framed here (the fuzzer works
//     on the JSON and the operations' fields);
//   - even: the rest is the raw byte stream, length prefixes and all (it
//     works on the framing).
// The second byte seeds how the stream is cut into reads. Whatever comes in,
// every reply must be a frame the shell's side accepts: a JSON object with
// the id of a request (or null) and exactly one of "result" or "error", an
// error of a kind the protocol names; a closing session says nothing more.
#include "monitor_internal.hpp"

#include <corosh/coroutine.hpp>
#include <corosh/loop.hpp>
#include <corosh/monitor_protocol.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using corosh::detail::MonitorClock;

// What every input runs against: one loop, and coroutines in each state a
// request can find (created, parked inside a few frames, finished).
struct Program {
  corosh::Loop loop;
  corosh::detail::MonitorShared shared{loop};
  std::vector<std::unique_ptr<corosh::Coroutine>> coroutines;

  Program() {
    coroutines.push_back(std::make_unique<corosh::Coroutine>([] {}));
    for (int depth : {1, 8}) {
      auto c = std::make_unique<corosh::Coroutine>([depth] { park(depth); });
      c->resume();
      coroutines.push_back(std::move(c));
    }
    auto done = std::make_unique<corosh::Coroutine>([] {});
    done->resume();
    coroutines.push_back(std::move(done));
  }

  [[gnu::noinline]] static void park(int depth) {
    if (depth > 0) return park(depth - 1);
    corosh::yield();
  }
};

Program& program() {
  static Program* p = new Program;  // never destroyed: coroutines stay parked
  return *p;
}

bool known_kind(std::string_view kind) {
  namespace k = corosh::monitor::kind;
  for (std::string_view known : {k::bad_request, k::version, k::not_found, k::refused, k::inspect_only, k::busy})
    if (kind == known) return true;
  return false;
}

// Every reply in `output` is well formed, or the process aborts.
void check_replies(std::string_view output) {
  corosh::monitor::FrameReader reader(corosh::monitor::max_reply_bytes);
  reader.feed(output);
  while (std::optional<std::string> payload = reader.next()) {
    nlohmann::json reply = nlohmann::json::parse(*payload, nullptr, false);
    if (!reply.is_object()) std::abort();
    auto id = reply.find("id");
    if (id == reply.end() || !(id->is_number_unsigned() || id->is_null())) std::abort();
    const bool result = reply.contains("result"), error = reply.contains("error");
    if (result == error) std::abort();
    if (error) {
      const nlohmann::json& e = reply["error"];
      if (!e.is_object() || !e.contains("kind") || !e["kind"].is_string() || !e.contains("message") ||
          !known_kind(e["kind"].get<std::string>()))
        std::abort();
    }
  }
  if (reader.pending() != 0) std::abort();  // a reply cut in half
}

// The bytes a client would send.
std::string stream_of(bool by_lines, std::string_view rest) {
  if (!by_lines) return std::string(rest);
  std::string stream;
  while (!rest.empty()) {
    const std::size_t newline = rest.find('\n');
    stream += corosh::monitor::frame(rest.substr(0, newline));
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  }
  return stream;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  unsigned seed = data[1];
  const std::string stream = stream_of(data[0] & 1, std::string_view(reinterpret_cast<const char*>(data + 2), size - 2));

  Program& p = program();
  corosh::detail::Session session(p.shared);
  std::string replies;
  std::string_view rest = stream;
  bool closed = false;
  // A client that reads everything: the session never stops for unread output.
  auto drain = [&] {
    session.work(MonitorClock::now() + std::chrono::milliseconds(50));
    std::string_view out = session.unsent();
    if (closed && !out.empty()) std::abort();  // nothing after the close
    replies.append(out);
    session.sent(out.size());
    if (session.closing()) closed = true;
  };
  while (!rest.empty()) {
    seed = seed * 1103515245u + 12345u;
    std::size_t chunk = 1 + (seed >> 16) % 61;
    if (chunk > rest.size()) chunk = rest.size();
    session.receive(rest.substr(0, chunk));
    rest.remove_prefix(chunk);
    drain();
  }
  while (session.wants_work()) drain();
  session.end_of_input();
  drain();
  if (session.wants_work()) std::abort();  // the client left: nothing more to do
  check_replies(replies);
  return 0;
}
