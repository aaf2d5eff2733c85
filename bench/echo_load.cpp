// echo_load: a closed-loop load client for echo servers (used by bench/run_echo_bench).
//
// Each of N connections keeps exactly one message in flight: send it, wait for
// the whole echo, compare every byte with what was sent, record the round-trip
// time, send the next. Throughput is round trips per second over all
// connections; latency is the time from the first byte sent to the last byte
// received, with exact percentiles.
//
// One thread, one level-triggered epoll set. The benchmark VM has 2 vCPUs and
// the server runs on the same machine: a single-threaded client uses at most
// one core and leaves the other to the (single-threaded) server. A second
// client thread would compete with the server for its core, and the figures
// would measure the scheduler. The price is that the client does about as much
// work per round trip as the server (one send, one recv, one wakeup), so at
// high connection counts it can be the bottleneck too: compare servers only
// through ratios measured with this same client in the same run.
//
// Run phases: connect all connections, then warm up (load, nothing recorded),
// measure (for --duration seconds or --count round trips), then drain: no new
// messages are sent, the ones in flight are awaited and verified, and only then
// are the sockets closed. Closing with an echo still unread would make the
// kernel send RST, and the server would log resets that are not its fault.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "echo_load_latency.hpp"
#include "echo_load_options.hpp"
#include "echo_load_pattern.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

volatile sig_atomic_t g_interrupted = 0;
void on_signal(int sig) {
  g_interrupted = sig;
}

std::string errno_text(int err) {
  return std::strerror(err);
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", s);
  return buf;
}

// Grouped thousands make rates readable at a glance: 142,469 not 142469.
std::string grouped(uint64_t v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out + "\"";
}

// What went wrong on a connection; any of them makes the exit status 1.
enum class Failure { wrong_echo, dropped, stalled };

struct Connection {
  int fd = -1;
  uint32_t id = 0;
  bool connected = false;
  bool busy = false;            // a round trip is in flight
  bool watching_write = false;  // EPOLLOUT registered (a send was cut short)
  uint64_t seq = 0;             // round trips started on this connection
  size_t sent = 0;
  size_t received = 0;
  Clock::time_point started{};
  std::unique_ptr<unsigned char[]> message;
};

class LoadClient {
 public:
  explicit LoadClient(const LoadOptions& o) : opt_(o), scratch_(o.size) {}
  ~LoadClient() {
    for (auto& c : conns_)
      if (c.fd >= 0) ::close(c.fd);
    if (epfd_ >= 0) ::close(epfd_);
  }

  int run();

 private:
  enum class Phase { connecting, warmup, measuring, draining, done };

  bool setup();
  void start_round_trip(Connection& c, Clock::time_point now);
  void send_some(Connection& c);
  void receive_some(Connection& c);
  void on_connect_ready(Connection& c);
  void watch_write(Connection& c, bool on);
  void fail(Connection& c, Failure kind, const std::string& why);
  void begin_load(Clock::time_point now);
  void end_measurement(Clock::time_point now);
  void on_tick(Clock::time_point now);
  void check_stalls(Clock::time_point now);
  void progress(Clock::time_point now);
  void clear_progress();
  int report();

  const LoadOptions& opt_;
  std::string where_;  // "host:port", for messages
  int epfd_ = -1;
  std::vector<Connection> conns_;
  std::vector<unsigned char> scratch_;  // receive buffer, shared: one thread

  Phase phase_ = Phase::connecting;
  uint32_t connecting_ = 0;       // connections whose connect has not completed
  uint32_t open_ = 0;             // connections not (yet) failed
  uint32_t busy_ = 0;             // connections with a round trip in flight
  Clock::time_point deadline_{};  // end of the current phase (connect, warmup, measure, drain)
  Clock::time_point measure_start_{};
  double measured_seconds_ = 0;
  uint64_t measured_ = 0;   // round trips completed while measuring
  uint64_t completed_ = 0;  // round trips completed in any phase (progress line)
  LatencySamples latency_;
  bool interrupted_ = false;

  // Failures by kind.
  uint64_t verify_errors_ = 0, dropped_ = 0, stalled_ = 0;
  uint64_t messages_shown_ = 0;

  // Progress line.
  bool tty_ = ::isatty(STDERR_FILENO) == 1;
  bool progress_shown_ = false;
  Clock::time_point load_start_{}, next_tick_{}, last_tick_{};
  uint64_t completed_at_last_tick_ = 0;
};

bool LoadClient::setup() {
  where_ = (opt_.host.find(':') != std::string::npos ? "[" + opt_.host + "]" : opt_.host) + ":" +
           opt_.port;

  // 1,000 connections need 1,000 descriptors: raise the soft limit ourselves
  // rather than fail on EMFILE halfway through connecting.
  rlimit rl{};
  const rlim_t needed = opt_.connections + 32;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < needed) {
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < needed) {
      std::fprintf(stderr,
                   "echo_load: %u connections need %llu file descriptors, but the hard limit "
                   "is %llu (raise it with ulimit -Hn as root)\n",
                   opt_.connections, static_cast<unsigned long long>(needed),
                   static_cast<unsigned long long>(rl.rlim_max));
      return false;
    }
    rl.rlim_cur = needed;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(opt_.host.c_str(), opt_.port.c_str(), &hints, &res); rc != 0) {
    std::fprintf(stderr, "echo_load: cannot resolve %s: %s\n", opt_.host.c_str(),
                 ::gai_strerror(rc));
    return false;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, ::freeaddrinfo);

  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) {
    std::fprintf(stderr, "echo_load: epoll_create1: %s\n", errno_text(errno).c_str());
    return false;
  }

  // Non-blocking connects, all at once: connecting 1,000 sockets one by one
  // with blocking connect() would stall on the first one whose SYN the server's
  // full accept queue drops (a 1 s retransmission timer).
  conns_.resize(opt_.connections);
  for (uint32_t i = 0; i < opt_.connections; ++i) {
    Connection& c = conns_[i];
    c.id = i;
    c.message = std::make_unique<unsigned char[]>(opt_.size);
    c.fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      std::fprintf(stderr, "echo_load: socket for connection %u: %s\n", i,
                   errno_text(errno).c_str());
      return false;
    }
    // One message in flight per connection: Nagle's algorithm would hold back
    // the rest of a message whose first part was cut short by a partial send.
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    if (::connect(c.fd, res->ai_addr, res->ai_addrlen) == 0) {
      c.connected = true;
    } else if (errno != EINPROGRESS) {
      std::fprintf(stderr, "echo_load: cannot connect to %s: %s\n", where_.c_str(),
                   errno_text(errno).c_str());
      return false;
    } else {
      ++connecting_;
    }
    epoll_event ev{};
    ev.events = c.connected ? EPOLLIN : EPOLLOUT;  // a connect completes as "writable"
    ev.data.u32 = i;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, c.fd, &ev) != 0) {
      std::fprintf(stderr, "echo_load: epoll_ctl: %s\n", errno_text(errno).c_str());
      return false;
    }
    ++open_;
  }
  return true;
}

void LoadClient::on_connect_ready(Connection& c) {
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    // Setup failures are fatal: report them once, as the reason for no result.
    std::fprintf(stderr, "echo_load: cannot connect to %s: %s\n", where_.c_str(),
                 errno_text(err).c_str());
    std::exit(1);
  }
  c.connected = true;
  --connecting_;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u32 = c.id;
  ::epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
}

void LoadClient::watch_write(Connection& c, bool on) {
  if (c.watching_write == on) return;
  epoll_event ev{};
  ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
  ev.data.u32 = c.id;
  ::epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
  c.watching_write = on;
}

void LoadClient::start_round_trip(Connection& c, Clock::time_point now) {
  fill_pattern(c.message.get(), opt_.size, c.id, c.seq);
  ++c.seq;
  c.sent = c.received = 0;
  c.started = now;
  c.busy = true;
  ++busy_;
  send_some(c);
}

void LoadClient::send_some(Connection& c) {
  while (c.sent < opt_.size) {
    // MSG_NOSIGNAL: a server that closed the connection must show up as EPIPE
    // here, not as a SIGPIPE that kills the client without a report.
    const ssize_t n = ::send(c.fd, c.message.get() + c.sent, opt_.size - c.sent, MSG_NOSIGNAL);
    if (n > 0) {
      c.sent += static_cast<size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      // The socket buffer is full (large messages): finish when it drains.
      watch_write(c, true);
      return;
    } else if (errno != EINTR) {
      fail(c, Failure::dropped, "send: " + errno_text(errno));
      return;
    }
  }
  watch_write(c, false);
}

void LoadClient::receive_some(Connection& c) {
  // Never read past the end of the current message: bytes beyond it belong to
  // no round trip and are left for the next read to flag as an error.
  const size_t want = c.busy ? opt_.size - c.received : scratch_.size();
  const ssize_t n = ::recv(c.fd, scratch_.data(), want, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    fail(c, Failure::dropped, "recv: " + errno_text(errno));
    return;
  }
  if (n == 0) {
    fail(c, Failure::dropped,
         c.busy ? "server closed the connection mid-echo (" + std::to_string(c.received) + " of " +
                      std::to_string(opt_.size) + " bytes back)"
                : "server closed the connection");
    return;
  }
  if (!c.busy) {
    fail(c, Failure::wrong_echo,
         std::to_string(n) + " unexpected bytes after the echo was complete");
    return;
  }
  // Bytes can only come back after they were sent; more means the server made them up.
  if (c.received + static_cast<size_t>(n) > c.sent) {
    fail(c, Failure::wrong_echo, "received bytes that were not sent yet");
    return;
  }
  const unsigned char* expected = c.message.get() + c.received;
  if (std::memcmp(scratch_.data(), expected, static_cast<size_t>(n)) != 0) {
    size_t i = 0;
    while (scratch_[i] == expected[i]) ++i;
    char why[160];
    std::snprintf(why, sizeof why,
                  "round trip %" PRIu64 ": byte %zu of %u is 0x%02x, expected 0x%02x", c.seq - 1,
                  c.received + i, opt_.size, scratch_[i], expected[i]);
    fail(c, Failure::wrong_echo, why);
    return;
  }
  c.received += static_cast<size_t>(n);
  if (c.received < opt_.size) return;

  // A complete, verified echo.
  const auto now = Clock::now();
  c.busy = false;
  --busy_;
  ++completed_;
  if (phase_ == Phase::measuring) {
    latency_.add(std::chrono::duration_cast<std::chrono::nanoseconds>(now - c.started).count());
    if (++measured_ == opt_.count) end_measurement(now);
  }
  if (phase_ == Phase::warmup || phase_ == Phase::measuring) {
    start_round_trip(c, now);
  } else if (phase_ == Phase::draining && busy_ == 0) {
    phase_ = Phase::done;
  }
}

void LoadClient::fail(Connection& c, Failure kind, const std::string& why) {
  switch (kind) {
    case Failure::wrong_echo:
      ++verify_errors_;
      break;
    case Failure::dropped:
      ++dropped_;
      break;
    case Failure::stalled:
      ++stalled_;
      break;
  }

  constexpr uint64_t kShown = 10;
  if (messages_shown_ < kShown) {
    clear_progress();
    std::fprintf(stderr, "echo_load: connection %u: %s\n", c.id, why.c_str());
  } else if (messages_shown_ == kShown) {
    std::fprintf(stderr, "echo_load: (further errors are counted, not shown)\n");
  }
  ++messages_shown_;

  // After an error the byte stream is out of step; this connection is done.
  // Deregister before close (epoll tracks the open file, not the number).
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, c.fd, nullptr);
  ::close(c.fd);
  c.fd = -1;
  if (c.busy) --busy_;
  c.busy = false;
  if (--open_ == 0) {
    // Nothing left to measure with: end the run, keeping what was measured.
    if (phase_ == Phase::measuring) end_measurement(Clock::now());
    phase_ = Phase::done;
  } else if (phase_ == Phase::draining && busy_ == 0) {
    phase_ = Phase::done;
  }
}

void LoadClient::begin_load(Clock::time_point now) {
  load_start_ = last_tick_ = now;
  next_tick_ = now + std::chrono::seconds(1);
  if (opt_.warmup > 0) {
    phase_ = Phase::warmup;
    deadline_ = now + std::chrono::duration_cast<Clock::duration>(Seconds(opt_.warmup));
  } else {
    phase_ = Phase::measuring;
    measure_start_ = now;
    deadline_ = now + std::chrono::duration_cast<Clock::duration>(Seconds(opt_.duration));
  }
  if (opt_.count != 0) latency_.reserve(std::min<uint64_t>(opt_.count, 1u << 24));
  for (auto& c : conns_)
    if (c.fd >= 0 && phase_ != Phase::done) start_round_trip(c, Clock::now());
}

void LoadClient::end_measurement(Clock::time_point now) {
  measured_seconds_ = Seconds(now - measure_start_).count();
  phase_ = busy_ == 0 ? Phase::done : Phase::draining;
  deadline_ = now + std::chrono::duration_cast<Clock::duration>(Seconds(opt_.timeout));
}

// Phase changes that depend on the clock, the progress line and stall checks.
void LoadClient::on_tick(Clock::time_point now) {
  // The progress line first: it describes the second that just ended, which
  // belongs to the phase before any change below.
  if (phase_ != Phase::connecting && now >= next_tick_) {
    check_stalls(now);
    progress(now);
    next_tick_ += std::chrono::seconds(1);
    if (next_tick_ <= now) next_tick_ = now + std::chrono::seconds(1);
  }
  switch (phase_) {
    case Phase::connecting:
      if (connecting_ == 0) {
        begin_load(now);
      } else if (now >= deadline_) {
        std::fprintf(stderr, "echo_load: %u of %u connections to %s not established after %g s\n",
                     connecting_, opt_.connections, where_.c_str(), opt_.timeout);
        std::exit(1);
      }
      return;
    case Phase::warmup:
      if (now >= deadline_) {
        phase_ = Phase::measuring;
        measure_start_ = now;
        deadline_ = now + std::chrono::duration_cast<Clock::duration>(Seconds(opt_.duration));
      }
      break;
    case Phase::measuring:
      if (opt_.count == 0 && now >= deadline_) end_measurement(now);
      break;
    case Phase::draining:
      if (now >= deadline_) {
        for (auto& c : conns_)
          if (c.fd >= 0 && c.busy)
            fail(c, Failure::stalled,
                 "no complete echo within " + seconds_text(opt_.timeout) + " after the run ended");
        phase_ = Phase::done;
      }
      break;
    case Phase::done:
      break;
  }
}

// A server that stops answering must end the run with an error, not hang it.
void LoadClient::check_stalls(Clock::time_point now) {
  const auto limit = std::chrono::duration_cast<Clock::duration>(Seconds(opt_.timeout));
  for (auto& c : conns_) {
    if (c.fd >= 0 && c.busy && now - c.started > limit) {
      fail(c, Failure::stalled,
           "no complete echo after " + seconds_text(opt_.timeout) + " (" +
               std::to_string(c.received) + " of " + std::to_string(opt_.size) + " bytes back)");
    }
  }
}

void LoadClient::progress(Clock::time_point now) {
  const double dt = Seconds(now - last_tick_).count();
  const auto rate = static_cast<uint64_t>(dt > 0 ? (completed_ - completed_at_last_tick_) / dt : 0);
  last_tick_ = now;
  completed_at_last_tick_ = completed_;
  // Draining takes one round-trip time; a line for it would only show a
  // meaningless partial rate.
  if (opt_.quiet || phase_ == Phase::draining) return;

  const char* label = phase_ == Phase::warmup ? "warmup" : "";
  const uint64_t errors = verify_errors_ + dropped_ + stalled_;
  char line[200];
  std::snprintf(line, sizeof line,
                "echo_load %6.1f s %-6s %10s rt/s   %u conns   %" PRIu64 " errors",
                Seconds(now - load_start_).count(), label, grouped(rate).c_str(), open_, errors);
  // On a terminal the line overwrites itself; in a log each second is a line.
  if (tty_) {
    std::fprintf(stderr, "\r%s\033[K", line);
    progress_shown_ = true;
  } else {
    std::fprintf(stderr, "%s\n", line);
  }
}

void LoadClient::clear_progress() {
  if (progress_shown_) std::fprintf(stderr, "\r\033[K");
  progress_shown_ = false;
}

int LoadClient::run() {
  if (!setup()) return 1;
  deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(Seconds(opt_.timeout));

  std::vector<epoll_event> events(std::min<uint32_t>(opt_.connections, 1024));
  while (phase_ != Phase::done) {
    if (g_interrupted && !interrupted_) {
      // Ctrl-C: report what was measured so far (after draining, as usual).
      interrupted_ = true;
      clear_progress();
      std::fprintf(stderr, "echo_load: stopped by %s\n",
                   g_interrupted == SIGINT ? "SIGINT" : "SIGTERM");
      if (phase_ == Phase::measuring)
        end_measurement(Clock::now());
      else if (phase_ != Phase::draining)
        break;
    }
    // Wake at least every 100 ms for phase deadlines, the progress line and a
    // signal that arrived just before epoll_wait (no signal mask juggling needed).
    const int n = ::epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), 100);
    if (n < 0 && errno != EINTR) {
      std::fprintf(stderr, "echo_load: epoll_wait: %s\n", errno_text(errno).c_str());
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      Connection& c = conns_[events[i].data.u32];
      // Each descriptor appears at most once per batch, but an earlier event in
      // this batch may have failed (and closed) this connection.
      if (c.fd < 0) continue;
      const uint32_t ev = events[i].events;
      if (!c.connected) {
        on_connect_ready(c);
        continue;
      }
      // EPOLLHUP and EPOLLERR are reported through recv (0 or the error).
      if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) receive_some(c);
      if (c.fd >= 0 && c.busy && (ev & EPOLLOUT)) send_some(c);
    }
    on_tick(Clock::now());
  }
  clear_progress();
  if (interrupted_ && measured_seconds_ == 0) {
    std::fprintf(stderr, "echo_load: interrupted before the measurement began\n");
    return 130;
  }
  const int status = report();
  return interrupted_ ? 130 : status;
}

int LoadClient::report() {
  const double seconds = measured_seconds_;
  const double rate = seconds > 0 ? measured_ / seconds : 0;
  const auto us = [](uint32_t ns) { return ns / 1000.0; };
  const uint32_t p50 = latency_.percentile(50), p99 = latency_.percentile(99),
                 p999 = latency_.percentile(99.9), lo = latency_.min(), hi = latency_.max();
  const double mean = latency_.mean();
  const bool ok = verify_errors_ == 0 && dropped_ == 0 && stalled_ == 0;

  if (opt_.json) {
    std::printf(
        "{\"host\":%s,\"port\":%s,\"connections\":%u,\"size\":%u,\"warmup_s\":%g,"
        "\"duration_s\":%.6f,\"round_trips\":%" PRIu64
        ",\"rt_per_s\":%.1f,"
        "\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,\"min_us\":%.2f,\"max_us\":%.2f,"
        "\"mean_us\":%.2f,\"verify_errors\":%" PRIu64 ",\"dropped\":%" PRIu64
        ",\"stalled\":%" PRIu64 ",\"interrupted\":%s,\"ok\":%s}\n",
        json_string(opt_.host).c_str(), opt_.port.c_str(), opt_.connections, opt_.size, opt_.warmup,
        seconds, measured_, rate, us(p50), us(p99), us(p999), us(lo), us(hi), mean / 1000.0,
        verify_errors_, dropped_, stalled_, interrupted_ ? "true" : "false", ok ? "true" : "false");
  } else {
    std::printf("echo_load: %s, %u connection%s, %u-byte messages, %.3f s measured%s\n",
                where_.c_str(), opt_.connections, opt_.connections == 1 ? "" : "s", opt_.size,
                seconds, interrupted_ ? " (interrupted)" : "");
    std::printf("  round trips  %s = %s /s\n", grouped(measured_).c_str(),
                grouped(static_cast<uint64_t>(rate)).c_str());
    std::printf(
        "  latency us   p50 %.1f   p99 %.1f   p99.9 %.1f   min %.1f   max %.1f   mean %.1f\n",
        us(p50), us(p99), us(p999), us(lo), us(hi), mean / 1000.0);
    if (ok)
      std::printf("  errors       none (every byte verified)\n");
    else
      std::printf("  errors       %" PRIu64 " wrong echoes, %" PRIu64 " dropped, %" PRIu64
                  " stalled connections\n",
                  verify_errors_, dropped_, stalled_);
  }
  std::fflush(stdout);
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<LoadOptions> opt;
  try {
    opt = parse_load_options(argc, argv);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "echo_load: %s\n\n%s", e.what(), kLoadUsage);
    return 2;
  }
  if (!opt) {
    std::fputs(kLoadUsage, stdout);
    return 0;
  }

  struct sigaction sa {};
  sa.sa_handler = on_signal;  // no SA_RESTART: epoll_wait returns EINTR
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  LoadClient client(*opt);
  return client.run();
}
