// out_of_fds — more clients than descriptors: a listener drops what it cannot serve.
//
// Every accepted connection needs a file descriptor. When the process has
// none left, accept() fails with EMFILE while the connection stays queued,
// so the listener stays readable: a loop that waits again wakes at once,
// forever. corosh's listener keeps one spare descriptor for this moment: it
// frees it, accepts the waiting connection, closes it (the client sees it
// closed) and takes the spare back. The connection is lost, but the loop
// goes on, and the listener counts it as dropped; `loop` shows the count
// and `warnings` names the coroutine accepting there.
//
// The demo lowers its own descriptor limit (RLIMIT_NOFILE) to just above
// what is open, fills it with CLIENTS connections to its listener, and
// accepts: every one of them is dropped. A timer puts the limit back and
// connects once more; that client is served. Then the demo keeps waiting on
// the listener for a while, so that `warnings` can show it.
//
// In the shell: `spawn out_of_fds`, `step`, `wait 0.3`, `warnings`, `loop`,
// then `wait 3` (it stops waiting).
#include <corosh/spawnable.hpp>

#include <corosh/loop.hpp>
#include <corosh/net.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace {

// A blocking connect to 127.0.0.1:port; on loopback it completes into the
// listen backlog without anyone accepting. -1 when out of descriptors.
int connect_blocking(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void out_of_fds(long clients) {
  corosh::Loop& loop = corosh::Loop::current();
  corosh::Listener listener = corosh::listen(0);
  const std::uint16_t port = listener.local().port;

  // The limit and the crowd come back however the demo ends (cancelled
  // while it waits, too).
  struct Crowd {
    corosh::Loop& loop;
    rlimit saved{};
    std::vector<int> clients;
    corosh::TimerId timer;
    void disperse() {
      ::setrlimit(RLIMIT_NOFILE, &saved);
      for (int fd : clients) ::close(fd);
      clients.clear();
    }
    ~Crowd() {
      loop.remove(timer);
      disperse();
    }
  } crowd{loop, {}, {}, {}};
  ::getrlimit(RLIMIT_NOFILE, &crowd.saved);
  const int lowest_free = ::fcntl(0, F_DUPFD, 0);
  ::close(lowest_free);
  rlimit tight = crowd.saved;
  tight.rlim_cur = rlim_t(lowest_free + clients);
  ::setrlimit(RLIMIT_NOFILE, &tight);
  for (long i = 0; i < clients; ++i)
    if (int fd = connect_blocking(port); fd >= 0) crowd.clients.push_back(fd);
  corosh::spawnable::print(std::to_string(crowd.clients.size()) + " clients connected to port " + std::to_string(port) +
                       "; no descriptor is left to accept them");

  crowd.timer = loop.add_timer(std::chrono::milliseconds(100), [&crowd, port] {
    crowd.disperse();
    if (int fd = connect_blocking(port); fd >= 0) ::close(fd);  // queued: accept gets it
  });
  corosh::Socket served = listener.accept();  // drops the crowd, then waits
  corosh::spawnable::print("dropped " + std::to_string(listener.dropped()) +
                       " connections, then served one once descriptors were back");
  served.close();
  loop.wait(listener.fd(), corosh::Interest::readable, std::chrono::seconds(2));
}

const corosh::spawnable::Declaration declaration{{
    .name = "out_of_fds",
    .usage = "[CLIENTS]",
    .description = "CLIENTS connections (default 3) while out of descriptors: the listener drops them",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 1);
      long clients = corosh::spawnable::count_argument(args, 0, "CLIENTS", 3, 1, 64);
      return std::make_unique<corosh::spawnable::CoroutineTask>(
          corosh::Coroutine(corosh::spawnable::options_for(spec), out_of_fds, clients));
    }}};

}  // namespace
