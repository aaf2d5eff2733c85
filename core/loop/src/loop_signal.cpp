// loop_signal.cpp — signals as loop events, through a self-pipe.
//
// The handler only writes the signal number into the owning loop's pipe
// (write() is async-signal-safe; errno is saved around it), and the loop's
// internal watch on the read end calls the callbacks later, on the loop's
// stack, where they may do anything. A self-pipe rather than signalfd: it
// works the same on macOS, and signalfd needs the signal blocked in every
// thread of the process to be reliable.
//
// Dispositions are process-wide, so a signal belongs to at most one loop at
// a time; the previous disposition comes back when its last callback goes.
#include "loop_internal.hpp"

#include <corosh/error.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace corosh {

namespace {

constexpr int max_signal = 65;
// The owning loop's pipe write end + 1 per signal; 0 (the static initial
// value, no constructor needed) means none.
std::atomic<int> signal_pipe_for[max_signal];

extern "C" void on_signal_arrival(int signo) {
  if (signo <= 0 || signo >= max_signal) return;
  const int fd = signal_pipe_for[signo].load(std::memory_order_relaxed) - 1;
  if (fd < 0) return;
  const int saved = errno;
  const unsigned char byte = static_cast<unsigned char>(signo);
  // A full pipe drops the byte: the loop is already going to wake up.
  [[maybe_unused]] ssize_t n = ::write(fd, &byte, 1);
  errno = saved;
}

int make_pipe(int fds[2]) {
  if (::pipe(fds) != 0) return errno;
  for (int i = 0; i < 2; ++i) {
    fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
    fcntl(fds[i], F_SETFD, FD_CLOEXEC);
  }
  return 0;
}

}  // namespace

void Loop::Impl::drain_signals() {
  unsigned char bytes[64];
  for (;;) {
    ssize_t n = ::read(signal_pipe[0], bytes, sizeof bytes);
    if (n <= 0) return;
    for (ssize_t i = 0; i < n; ++i) {
      // Copy first: a callback may add or cancel handlers.
      std::vector<std::function<void(int)>> due;
      for (auto& [id, handler] : signal_handlers)
        if (handler.signo == bytes[i]) due.push_back(handler.callback);
      for (auto& callback : due) callback(bytes[i]);
    }
  }
}

void Loop::Impl::remove_all_signals() noexcept {
  for (auto& [signo, action] : previous_actions) {
    sigaction(signo, &action, nullptr);
    signal_pipe_for[signo].store(0);
  }
  previous_actions.clear();
  signal_handlers.clear();
  if (signal_watch) remove_watch(signal_watch);
  signal_watch = 0;
  for (int& fd : signal_pipe) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

SignalId Loop::add_signal(int signo, std::function<void(int)> callback) {
  Impl& L = *impl_;
  if (signo <= 0 || signo >= max_signal || signo == SIGKILL || signo == SIGSTOP)
    throw Error("corosh: cannot handle signal " + std::to_string(signo));
  if (L.signal_pipe[0] < 0) {
    if (int error = make_pipe(L.signal_pipe); error != 0)
      throw Error(std::string("corosh: cannot create the signal pipe: ") + std::strerror(error));
    Impl* loop = &L;
    L.signal_watch = L.add_watch(L.signal_pipe[0], detail::poll_readable,
                                 [loop](Interest) { loop->drain_signals(); }, true, "signals");
  }
  if (!L.previous_actions.count(signo)) {
    int expected = 0;
    if (!signal_pipe_for[signo].compare_exchange_strong(expected, L.signal_pipe[1] + 1))
      throw Error("corosh: signal " + std::to_string(signo) + " (" + strsignal(signo) +
                  ") is already handled by another thread's loop");
    struct sigaction action {};
    action.sa_handler = on_signal_arrival;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    struct sigaction previous {};
    if (sigaction(signo, &action, &previous) != 0) {
      signal_pipe_for[signo].store(0);
      throw Error("corosh: sigaction(" + std::to_string(signo) + ") failed: " + std::strerror(errno));
    }
    L.previous_actions.emplace(signo, previous);
  }
  const std::uint64_t id = L.next_id++;
  L.signal_handlers.emplace(id, detail::SignalHandler{signo, std::move(callback)});
  return SignalId(id);
}

bool Loop::remove(SignalId id) noexcept {
  Impl& L = *impl_;
  auto it = L.signal_handlers.find(id.value());
  if (it == L.signal_handlers.end()) return false;
  const int signo = it->second.signo;
  L.signal_handlers.erase(it);
  for (auto& [other, handler] : L.signal_handlers)
    if (handler.signo == signo) return true;
  auto previous = L.previous_actions.find(signo);
  if (previous != L.previous_actions.end()) {
    sigaction(signo, &previous->second, nullptr);
    signal_pipe_for[signo].store(0);
    L.previous_actions.erase(previous);
  }
  return true;
}

}  // namespace corosh
