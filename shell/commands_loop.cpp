// listen, unlisten, conns, loop, wait: the event loop and its echo listeners.
#include "commands.hpp"
#include "frames.hpp"
#include "shell.hpp"
#include "table.hpp"
#include "target_json.hpp"
#include "words.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <chrono>
#include <optional>

namespace corosh::shell {
namespace {

std::uint16_t port_argument(const std::string& text) {
  return std::uint16_t(parse_number(text, "PORT", 0, 65535));
}

// Whether `host` is an address of this machine only (127.0.0.0/8, ::1).
// Throws unless it is a numeric address written out in full: "", "0" or
// "1.2" would be taken by the resolver for "every interface" or a guess.
bool loopback_only(const std::string& host) {
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  throw CommandError(fmt::format("HOST must be a numeric address such as 127.0.0.1 (this machine only), ::1 or "
                                 "0.0.0.0 (every interface), not '{}'",
                                 printable(host)));
}

// Connections a listener may be told to serve at once, at most.
constexpr std::uint64_t most_connections = 1'000'000;

void listen(Shell& shell, const Words& args) {
  const ParsedWords words = parse_words("listen", args);
  // The shell counted the options' words among the arguments.
  if (words.arguments.empty() || words.arguments.size() > 2)
    throw CommandError(fmt::format("{} (usage: listen {})",
                                   words.arguments.empty() ? "missing argument" : "too many arguments",
                                   command_table().find("listen")->synopsis()));
  ListenRequest request{.port = port_argument(words.arguments[0])};
  if (words.arguments.size() > 1) request.host = words.arguments[1];
  const bool private_only = loopback_only(request.host);
  if (words.has("--max-connections"))
    request.max_connections = parse_number(words.values("--max-connections").front(), "--max-connections", 0,
                                           most_connections);
  if (words.has("--idle-timeout")) {
    const double seconds = parse_seconds(words.values("--idle-timeout").front(), 86400);
    if (seconds > 0) request.idle_timeout = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
  }
  Endpoint where = shell.target().listen(request);
  shell.out.line(fmt::format("listening on {} (echo); port {}{}", where.to_string(), where.port,
                             private_only ? "" : "; NOT loopback: other machines can connect"));
}

void unlisten(Shell& shell, const Words& args) {
  ListenerView last = shell.target().unlisten(port_argument(args[0]));
  shell.out.line(fmt::format("stopped listening on {} ({} connection{} served, {} bytes echoed)", last.local.to_string(),
                             last.accepted, last.accepted == 1 ? "" : "s", last.bytes_out));
}

void conns(Shell& shell, const Words&) {
  std::vector<ListenerView> listeners = shell.target().listeners();
  if (shell.json_output()) return shell.out.line(json_text({{"listeners", listeners}}));
  if (listeners.empty()) {
    shell.out.line("no listeners (`listen PORT` starts one)");
    return;
  }
  for (const ListenerView& l : listeners) {
    // What went wrong is said only when something did.
    std::string trouble;
    const auto add = [&](std::uint64_t n, std::string_view one, std::string_view many) {
      if (n) trouble += fmt::format(", {} {}", n, n == 1 ? one : many);
    };
    add(l.refused, "refused (out of descriptors)", "refused (out of descriptors)");
    add(l.over_limit, "refused (at the connection limit)", "refused (at the connection limit)");
    add(l.no_guard, "refused (no guarded stack to spare)", "refused (no guarded stack to spare)");
    add(l.idle_closed, "closed idle", "closed idle");
    add(l.resets, "reset", "resets");
    add(l.errors, "error", "errors");
    std::string limits;
    if (l.max_connections)
      limits += fmt::format(", at most {} connection{}", l.max_connections, l.max_connections == 1 ? "" : "s");
    if (l.idle_timeout_ns) limits += fmt::format(", idle timeout {:g} s", double(l.idle_timeout_ns) / 1e9);
    shell.out.line(shell.out.paint(fmt::format("{} ({}{}): {} accepted, {} active, {} bytes in, {} out{}",
                                               l.local.to_string(), l.kind, limits, l.accepted, l.active, l.bytes_in,
                                               l.bytes_out, trouble),
                                   Tone::heading));
    for (const ConnectionView& c : l.connections)
      shell.out.line(fmt::format("  #{:<3} {:<22} {:<8} in {} out {} buffered {} (coroutine {})", c.id, c.peer.to_string(),
                                 c.state, c.bytes_in, c.bytes_out, c.buffered, c.coroutine));
  }
}

// A callback's type as the demangler spells it, with the parameter lists
// dropped: "corosh::shell::BatchInput::BatchInput()::{lambda()#1}".
std::string callback_name(std::string_view type) {
  std::string name;
  int depth = 0;
  for (char c : readable_name(type)) {
    if (c == ')') --depth;
    if (depth == 0) name += c;
    if (c == '(') ++depth;
  }
  return name;
}

std::string milliseconds(std::int64_t ns) {
  return ns < 0 ? fmt::format("-{} ms", (-ns + 999999) / 1000000) : fmt::format("{} ms", (ns + 999999) / 1000000);
}

std::string waiter_text(const inspect::FdWaiter& w) {
  return fmt::format("{} waits {}{}", Shell::label(w.coroutine, w.name), w.interest,
                     w.timeout_in_ns < 0 ? "" : fmt::format(" ({} left)", milliseconds(w.timeout_in_ns)));
}

std::string watch_text(const inspect::FdView& f) {
  if (f.watch_kind == "signals") return "the loop's signal pipe";
  return fmt::format("{} {} ({}): {}", f.watch_kind, f.watch, f.watch_interest,
                     f.callback.empty() ? "?" : callback_name(f.callback));
}

std::string interest_column(const inspect::FdView& f) {
  if (f.always_ready) return "always";
  return f.registered.empty() ? "-" : f.registered;
}

std::string address_column(const inspect::FdView& f) {
  return f.kind == "connection" ? f.peer : f.local;
}

// Who is behind fd `f`: its waiters, its watch and, for a listener, what it did.
std::vector<std::string> owners(const inspect::FdView& f) {
  std::vector<std::string> who;
  for (const inspect::FdWaiter& w : f.waiters) who.push_back(waiter_text(w));
  if (f.watch) who.push_back(watch_text(f));
  if (f.listening) who.push_back(fmt::format("{} accepted, {} dropped", f.accepted, f.dropped));
  if (who.empty()) who.push_back("nobody (still registered)");
  return who;
}

// A table's heading painted, then its rows, indented by two.
void print_table(Shell& shell, const Table& table) {
  const std::vector<std::string> text = table.lines();
  shell.out.line(shell.out.paint("  " + text[0], Tone::heading));
  for (std::size_t i = 1; i < text.size(); ++i) shell.out.line("  " + text[i]);
}

void print_fds(Shell& shell, const std::vector<inspect::FdView>& fds) {
  if (fds.empty()) return shell.out.line("no descriptors");
  Table table({{"FD", Table::right}, {"KIND"}, {"ADDRESS"}, {"INTEREST"}, {"WAITING OR WATCHING"}});
  for (const inspect::FdView& f : fds) {
    std::vector<std::string> who = owners(f);
    table.add({std::to_string(f.fd), f.kind, address_column(f), interest_column(f), who[0]});
    for (std::size_t i = 1; i < who.size(); ++i) table.add({"", "", "", "", who[i]});
  }
  print_table(shell, table);
}

void print_timers(Shell& shell, const std::vector<inspect::TimerView>& timers) {
  if (timers.empty()) return shell.out.line("no timers");
  Table table({{"DUE IN", Table::right}, {"REPEAT", Table::right}, {"OWNER"}});
  for (const inspect::TimerView& t : timers) {
    std::string owner = t.coroutine ? fmt::format("{}: {}", Shell::label(t.coroutine, t.name), t.waiting_for)
                                    : fmt::format("timer {}: {}", t.timer, callback_name(t.callback));
    table.add({milliseconds(t.due_in_ns), t.repeat_ns ? milliseconds(t.repeat_ns) : "-", std::move(owner)});
  }
  print_table(shell, table);
}

// `loop --fd N`: everything about one descriptor, with where each waiter is parked.
void print_fd(Shell& shell, int fd) {
  std::vector<inspect::FdView> fds = shell.target().loop_fds();
  auto it = std::find_if(fds.begin(), fds.end(), [&](const inspect::FdView& f) { return f.fd == fd; });
  if (it == fds.end()) {
    if (shell.json_output()) throw CommandError(fmt::format("fd {} is not known to the loop", fd));
    return shell.out.line(fmt::format("fd {}: not known to the loop (nothing waits on it or watches it)", fd));
  }
  const inspect::FdView& f = *it;
  if (shell.json_output()) return shell.out.line(json_text({{"fd", f}}));
  std::string address = f.kind == "connection" ? fmt::format(" {} -> {}", f.local, f.peer)
                        : f.local.empty()      ? ""
                                               : " on " + f.local;
  shell.out.line(shell.out.paint(fmt::format("fd {}: {}{}, poller interest {}", f.fd, f.kind, address,
                                             interest_column(f)),
                                 Tone::heading));
  if (f.waiters.empty()) shell.out.line("  no coroutine waits on it");
  for (const inspect::FdWaiter& w : f.waiters) {
    shell.out.line("  " + waiter_text(w));
    if (std::optional<CoroutineView> v = shell.target().find(w.coroutine)) {
      Symbol at = inspect::parked_at(shell.target().stack(v->info, 64));
      if (!at.function.empty())
        shell.out.line(fmt::format("    parked in {}{}", readable_name(at.function),
                                   at.file.empty() ? "" : fmt::format(" at {}:{}", at.file, at.line)));
    }
  }
  shell.out.line(f.watch ? "  " + watch_text(f) : "  no watch");
  if (f.listening) shell.out.line(fmt::format("  listener: {} accepted, {} dropped", f.accepted, f.dropped));
}

void loop(Shell& shell, const Words& args) {
  std::optional<int> fd;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] != "--fd") throw CommandError(fmt::format("unknown option '{}' (--fd N is known)", printable(args[i])));
    if (i + 1 == args.size()) throw CommandError("--fd needs a descriptor number");
    fd = int(parse_number(args[++i], "fd", 0, 1 << 30));
  }
  if (fd) return print_fd(shell, *fd);
  inspect::LoopState s = shell.target().loop();
  if (shell.json_output())
    return shell.out.line(
        json_text({{"loop", s}, {"fds", shell.target().loop_fds()}, {"timers", shell.target().loop_timers()}}));
  shell.out.line(fmt::format("backend {}: {} fds registered, {} timers, {} coroutines waiting, {} owned by the loop, "
                             "{} iterations, {} polls",
                             s.backend, s.registered_fds, s.timers, s.waiting, s.spawned, s.iterations, s.polls));
  print_fds(shell, shell.target().loop_fds());
  print_timers(shell, shell.target().loop_timers());
}

void wait(Shell& shell, const Words& args) {
  double seconds = args.empty() ? 1.0 : parse_seconds(args[0], 86400);
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));
  Shell::Busy busy(shell);
  while (!busy.interrupted()) {
    auto now = clock::now();
    if (now >= deadline) break;
    shell.loop.run_once(std::chrono::duration_cast<Duration>(deadline - now));
  }
  if (busy.interrupted()) shell.out.line("wait interrupted (Ctrl-C)");
}

}  // namespace

void add_loop_commands(CommandTable& table) {
  table.add({.name = "listen",
             .arguments = {{"PORT", ArgKind::port}, {"HOST", ArgKind::host, Argument::Presence::optional}},
             .options = {{"--max-connections", "N", ArgKind::count}, {"--idle-timeout", "SECONDS", ArgKind::seconds}},
             .effects = reaches_out,
             .summary = "start an echo listener on the loop (PORT 0: any free port)",
             .help = "Binds HOST and echoes every byte back: one coroutine accepts, one per\n"
                     "connection reads and writes, all parked on the loop while idle. The loop\n"
                     "runs while the shell waits for your input, so clients are served as you\n"
                     "type. HOST is a numeric address, by default 127.0.0.1 (this machine\n"
                     "only); the reply says so when it is not a loopback address.\n"
                     "--max-connections: served at once (default 1024; 0: no limit); one more\n"
                     "is accepted and closed at once. --idle-timeout: a connection silent that\n"
                     "long is closed (default: never). A connection runs only on a stack with\n"
                     "a guard page, and only while 4096 of those stay free for your own\n"
                     "coroutines; otherwise it is closed unserved. `conns` counts all three.\n"
                     "Example: listen 7000 --max-connections 100 --idle-timeout 30",
             .run = listen});
  table.add({.name = "unlisten",
             .arguments = {{"PORT", ArgKind::port}},
             .effects = reaches_out,
             .summary = "stop an echo listener and close its connections",
             .run = unlisten});
  table.add({.name = "conns",
             .summary = "the echo listeners and their connections",
             .help = "Per listener: its limits and totals, and the connections it turned\n"
                     "away or closed: at the connection limit, without a guarded stack to\n"
                     "spare, idle, out of descriptors. Per connection: peer address, state\n"
                     "(reading, writing, closing), bytes in and out and the coroutine serving it.",
             .json = true,
             .run = conns});
  table.add({.name = "loop",
             .options = {{"--fd", "N", ArgKind::count}},
             .summary = "the event loop: its counters, every descriptor and every timer",
             .help = "The summary line, then every descriptor the loop knows: its kind\n"
                     "(listener, connection, stdin, signals, pipe, file, ...), the address of a\n"
                     "socket (the peer for a connection), what the poller watches for (always:\n"
                     "a file it cannot poll, handled every iteration), and who is behind it:\n"
                     "coroutines waiting on it, the watch or reader callback, a listener's\n"
                     "counts. Then every timer: when it is due, its repeat interval, and its\n"
                     "owner (a callback, or a coroutine's sleep or timeout).\n"
                     "--fd N shows one descriptor and where each coroutine waiting on it is parked.",
             .json = true,
             .run = loop});
  table.add({.name = "wait",
             .arguments = {{"SECONDS", ArgKind::seconds, Argument::Presence::optional}},
             .effects = runs_loop,
             .summary = "let the loop run for a while (default 1 s; Ctrl-C stops it)",
             .help = "Serves connections, fires timers and wakes sleeping coroutines. In a\n"
                     "script this is how corosh serves: `listen 7000` then `wait 60`.\n"
                     "SECONDS may have a fraction (0.25) and is at most 86400.",
             .run = wait});
}

}  // namespace corosh::shell
