// monitor.cpp — corosh::Monitor: a listening Unix socket and its clients,
// served by callbacks on the program's own loop (no thread, no coroutine:
// nothing of the monitor shows in the program's listings).
//
// Its sources are the loop's internal kind, like the signal pipe: they do
// not keep run() going, so a program ends when its own work does.
//
// Pacing. Requests are answered by a pump (a zero-delay timer) in slices of
// at most `slice`. When the loop had nothing else to do since the last
// slice, the next follows at once; when the program had work of its own,
// the pump waits so that it takes at most `share` of the time: after a slice
// of t, the next waits t * (1 - share) / share. An echo server in the
// program keeps serving at full speed, give or take `share`, while a client
// lists 10,000 coroutines in a loop (docs/BENCHMARKS.md).
#include <corosh/monitor.hpp>

#include <corosh/error.hpp>

#include "loop_internal.hpp"
#include "monitor_internal.hpp"
#include "monitor_platform.hpp"
#include "net_platform.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

namespace corosh {

namespace {

using detail::MonitorClock;

constexpr auto slice = std::chrono::microseconds(250);
constexpr double share = 0.02;
constexpr std::size_t max_clients = 16;
constexpr std::size_t read_chunk = 64 * 1024;

void log_to_stderr(std::string_view line) {
  std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
}

}  // namespace

struct Monitor::Impl {
  struct Client {
    int fd = -1;
    WatchId watch;
    unsigned interest = 0;
    std::unique_ptr<detail::Session> session;
  };

  Loop& loop;
  Loop::Impl& L;
  MonitorOptions options;
  detail::MonitorShared shared;
  std::string path;
  int listen_fd = -1;
  WatchId listen_watch;
  TimerId accept_retry;
  std::map<int, Client> clients;  // by fd
  bool refusal_logged = false;

  // Pacing.
  TimerId pump_timer;
  MonitorClock::time_point next_slice{};
  std::uint64_t work_seen = 0;  // the loop's work counter at the last slice...
  std::uint64_t own_seen = 0;   // ... and how much of it was ours
  std::uint64_t own = 0;        // our callbacks so far

  Impl(Loop& l, MonitorOptions o)
      : loop(l), L(detail::LoopAccess::of(l)), options(std::move(o)), shared{l, options.allow_driving} {
    if (!options.log) options.log = log_to_stderr;
  }

  void log(const std::string& line) { options.log(line); }

  void listen();
  void accept_clients();
  // Tells a connection it is not served, and closes it.
  void refuse(int fd, std::string_view kind, const std::string& why);
  void on_client(int fd, Interest fired);
  void flush(Client& c);
  void set_interest(Client& c);
  void close_client(int fd);
  void schedule();
  void pump();
};

void Monitor::Impl::listen() {
  if (options.socket_path.empty()) {
    const std::string dir = monitor_directory();
    detail::make_private_directory(dir);
    path = detail::claim_socket_path(dir);
  } else {
    detail::check_private_directory(detail::directory_of(options.socket_path));
    detail::claim_socket_path_as_given(options.socket_path);
    path = options.socket_path;
  }
  try {
    const sockaddr_un address = detail::socket_address(path);
    listen_fd = detail::open_stream_socket(AF_UNIX);
    if (listen_fd < 0) throw Error(std::string("corosh: monitor socket: ") + std::strerror(errno));
    // A socket file of ours left by an earlier process with this pid (or by
    // this program before a crash): the directory is private, so it is ours.
    ::unlink(path.c_str());
    if (::bind(listen_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::chmod(path.c_str(), 0600) != 0 || ::listen(listen_fd, 16) != 0)
      throw Error("corosh: cannot listen on " + path + ": " + std::strerror(errno));
    listen_watch = WatchId(L.add_watch(listen_fd, detail::poll_readable, [this](Interest) {
      ++own;
      accept_clients();
    }, true));
  } catch (...) {
    if (listen_fd >= 0) ::close(listen_fd);
    listen_fd = -1;
    detail::release_socket_path(path);
    throw;
  }
}

void Monitor::Impl::accept_clients() {
  for (int i = 0; i < 16; ++i) {
    const int fd = detail::accept_stream(listen_fd, nullptr, nullptr);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        // Out of descriptors: the listener stays readable, so stop watching
        // it for a moment instead of spinning on accept.
        L.remove_watch(listen_watch.value());
        accept_retry = loop.add_timer(std::chrono::milliseconds(100), [this] {
          listen_watch = WatchId(L.add_watch(listen_fd, detail::poll_readable, [this](Interest) {
            ++own;
            accept_clients();
          }, true));
        });
      }
      return;
    }
    const std::optional<uid_t> uid = detail::peer_uid(fd);
    if (!uid || (*uid != ::geteuid() && *uid != 0)) {
      if (!refusal_logged) {
        refusal_logged = true;
        log("corosh: monitor " + path + ": refused a client running as " +
            (uid ? "uid " + std::to_string(*uid) : std::string("an unknown user")) + " (only uid " +
            std::to_string(::geteuid()) + " and root are served; further refusals are not logged)");
      }
      refuse(fd, "refused", "this program serves uid " + std::to_string(::geteuid()) + " and root only");
      continue;
    }
    if (clients.size() >= max_clients) {
      refuse(fd, "busy", std::to_string(max_clients) + " clients are attached already");
      continue;
    }
    Client& c = clients[fd];
    c.fd = fd;
    c.session = std::make_unique<detail::Session>(shared);
    set_interest(c);
  }
}

void Monitor::Impl::refuse(int fd, std::string_view kind, const std::string& why) {
  // One frame, best effort: the socket is new, its buffer empty.
  const std::string reply = monitor::frame(
      nlohmann::json{{"id", nullptr}, {"error", {{"kind", kind}, {"message", why}}}}.dump());
  [[maybe_unused]] ssize_t n = detail::send_stream(fd, reply.data(), reply.size());
  ::close(fd);
}

void Monitor::Impl::set_interest(Client& c) {
  const unsigned want = detail::poll_readable | (c.session->unsent().empty() ? 0 : detail::poll_writable);
  if (want == c.interest && c.watch) return;
  if (c.watch) L.remove_watch(c.watch.value());
  const int fd = c.fd;
  c.watch = WatchId(L.add_watch(fd, want, [this, fd](Interest fired) {
    ++own;
    on_client(fd, fired);
  }, true));
  c.interest = want;
}

void Monitor::Impl::on_client(int fd, Interest fired) {
  auto it = clients.find(fd);
  if (it == clients.end()) return;
  Client& c = it->second;
  if (fired & Interest::readable) {
    char buffer[read_chunk];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      c.session->receive(std::string_view(buffer, static_cast<std::size_t>(n)));
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      // Gone, or half-closed: nothing it asked for is answered any more.
      c.session->end_of_input();
    }
  }
  flush(c);
  if (clients.count(fd)) schedule();
}

void Monitor::Impl::flush(Client& c) {
  while (!c.session->unsent().empty()) {
    const std::string_view out = c.session->unsent();
    const ssize_t n = detail::send_stream(c.fd, out.data(), out.size());
    if (n > 0) {
      c.session->sent(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
    close_client(c.fd);  // the peer is gone (EPIPE, ECONNRESET)
    return;
  }
  if (c.session->closing() && c.session->unsent().empty()) {
    close_client(c.fd);
    return;
  }
  set_interest(c);
}

void Monitor::Impl::close_client(int fd) {
  auto it = clients.find(fd);
  if (it == clients.end()) return;
  std::unique_ptr<detail::Session> session = std::move(it->second.session);
  clients.erase(it);
  loop.close_fd(fd);  // removes the watch too
  session.reset();    // gives back what the client held
}

void Monitor::Impl::schedule() {
  if (pump_timer) return;
  bool wanted = false;
  for (auto& [fd, c] : clients) wanted = wanted || c.session->wants_work();
  if (!wanted) return;
  const auto wait = std::max(MonitorClock::duration::zero(), next_slice - MonitorClock::now());
  pump_timer = loop.add_timer(std::chrono::duration_cast<Duration>(wait), [this] {
    pump_timer = TimerId();
    ++own;
    pump();
  });
}

void Monitor::Impl::pump() {
  const auto start = MonitorClock::now();
  const auto until = start + slice;
  std::vector<int> fds;
  for (auto& [fd, c] : clients)
    if (c.session->wants_work()) fds.push_back(fd);
  for (int fd : fds) {
    auto it = clients.find(fd);
    if (it == clients.end()) continue;
    it->second.session->work(until);
    flush(it->second);
    if (MonitorClock::now() >= until) break;
  }
  const auto end = MonitorClock::now();
  // Did anything but us happen on the loop since the last slice?
  const std::uint64_t others = (L.work - work_seen) - (own - own_seen);
  work_seen = L.work;
  own_seen = own;
  next_slice = others > 0 ? end + std::chrono::duration_cast<MonitorClock::duration>((end - start) * ((1 - share) / share))
                          : end;
  schedule();
}

Monitor::Monitor(Loop& loop, MonitorOptions options) : impl_(std::make_unique<Impl>(loop, std::move(options))) {
  impl_->listen();
}

Monitor::~Monitor() {
  Impl& m = *impl_;
  if (m.pump_timer) m.loop.remove(m.pump_timer);
  if (m.accept_retry) m.loop.remove(m.accept_retry);
  while (!m.clients.empty()) m.close_client(m.clients.begin()->first);
  if (m.listen_fd >= 0) m.loop.close_fd(m.listen_fd);
  detail::release_socket_path(m.path);
}

const std::string& Monitor::socket_path() const noexcept { return impl_->path; }

std::size_t Monitor::clients() const noexcept { return impl_->clients.size(); }

namespace detail {

std::unique_ptr<Monitor> monitor_from_environment(Loop& loop) {
  const char* setting = std::getenv("COROSH_MONITOR");
  if (setting == nullptr || setting[0] == '\0' || std::strcmp(setting, "0") == 0) return nullptr;
  const bool inspect_only = std::strcmp(setting, "inspect") == 0;
  if (!inspect_only && std::strcmp(setting, "1") != 0) {
    std::fprintf(stderr, "corosh: COROSH_MONITOR=%s: expected 1, inspect or 0; not monitoring\n", setting);
    return nullptr;
  }
  // The program did not ask for this in its code: failing to monitor must
  // not stop it.
  try {
    MonitorOptions options;
    options.allow_driving = !inspect_only;
    return std::make_unique<Monitor>(loop, std::move(options));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s; not monitoring (COROSH_MONITOR)\n", e.what());
    return nullptr;
  }
}

}  // namespace detail

}  // namespace corosh
