// test_poller.cpp — the poller seam's contract (core/loop/src/poller.hpp),
// checked against whichever backend is built: epoll natively, kqueue on
// macOS or against libkqueue (-DCOROSH_POLLER=kqueue).
#include "catch.hpp"

#include "poller.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <set>
#include <vector>

using namespace corosh::detail;

namespace {

struct Fds {
  std::vector<int> fds;
  ~Fds() {
    for (int fd : fds) ::close(fd);
  }
  int add(int fd) {
    REQUIRE(fd >= 0);
    fds.push_back(fd);
    return fd;
  }
};

struct PollerHandle {
  Poller* poller = poller_create();
  ~PollerHandle() { poller_destroy(poller); }
};

std::vector<Fired> poll_once(Poller* p, int timeout_ms = 0, int capacity = max_fired) {
  std::vector<Fired> fired(static_cast<std::size_t>(max_fired));
  int n = poller_poll(p, fired.data(), capacity, timeout_ms);
  fired.resize(static_cast<std::size_t>(n));
  return fired;
}

// A token with the fd in its low half and a generation in the high half.
std::uint64_t token(int fd, std::uint32_t generation) { return std::uint32_t(fd) | std::uint64_t(generation) << 32; }

}  // namespace

TEST_CASE("poller: level-triggered, the whole token back, nothing after remove", "[loop]") {
  PollerHandle p;
  Fds fds;
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  fds.add(pipe_fds[0]);
  fds.add(pipe_fds[1]);
  const int r = pipe_fds[0], w = pipe_fds[1];
  REQUIRE(poller_set(p.poller, r, token(r, 0xfeedbeef), 0, poll_readable) == 0);
  CHECK(poll_once(p.poller).empty());  // nothing written yet
  REQUIRE(::write(w, "x", 1) == 1);
  for (int again = 0; again < 3; ++again) {  // not drained: reported again and again
    std::vector<Fired> fired = poll_once(p.poller, 1000);
    REQUIRE(fired.size() == 1);
    CHECK(fired[0].fd == r);
    CHECK(fired[0].token == token(r, 0xfeedbeef));
    CHECK((fired[0].events & poll_readable));
    CHECK_FALSE((fired[0].events & poll_error));
  }
  poller_remove(p.poller, r, poll_readable);
  CHECK(poll_once(p.poller).empty());
}

TEST_CASE("poller: both directions of one fd come as one entry", "[loop]") {
  PollerHandle p;
  Fds fds;
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
  fds.add(pair[0]);
  fds.add(pair[1]);
  REQUIRE(::write(pair[1], "x", 1) == 1);  // pair[0] readable, and writable anyway
  REQUIRE(poller_set(p.poller, pair[0], token(pair[0], 1), 0, poll_readable) == 0);
  REQUIRE(poller_set(p.poller, pair[0], token(pair[0], 1), poll_readable, poll_readable | poll_writable) == 0);
  std::vector<Fired> fired = poll_once(p.poller, 1000);
  REQUIRE(fired.size() == 1);
  CHECK(fired[0].events == (poll_readable | poll_writable));
  // Narrowing the interest: only what is still asked for comes back.
  REQUIRE(poller_set(p.poller, pair[0], token(pair[0], 1), poll_readable | poll_writable, poll_writable) == 0);
  fired = poll_once(p.poller, 1000);
  REQUIRE(fired.size() == 1);
  CHECK(fired[0].events == poll_writable);
}

TEST_CASE("poller: at most `capacity` entries a poll, the rest in the next ones", "[loop]") {
  PollerHandle p;
  Fds fds;
  std::set<int> ready;
  for (int i = 0; i < 40; ++i) {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    fds.add(pipe_fds[0]);
    fds.add(pipe_fds[1]);
    REQUIRE(::write(pipe_fds[1], "x", 1) == 1);
    REQUIRE(poller_set(p.poller, pipe_fds[0], token(pipe_fds[0], 7), 0, poll_readable) == 0);
    ready.insert(pipe_fds[0]);
  }
  std::set<int> seen;
  for (int round = 0; round < 40 && seen.size() < ready.size(); ++round) {
    std::vector<Fired> fired = poll_once(p.poller, 1000, 16);
    CHECK(fired.size() <= 16);
    std::set<int> this_round;
    for (const Fired& f : fired) {
      CHECK(this_round.insert(f.fd).second);  // one entry per fd per poll
      seen.insert(f.fd);
      // Consume it, so that level triggering lets the others through.
      char c;
      REQUIRE(::read(f.fd, &c, 1) == 1);
      poller_remove(p.poller, f.fd, poll_readable);
    }
  }
  CHECK(seen == ready);
}

TEST_CASE("poller: files that cannot be polled are refused with EPERM", "[loop]") {
  PollerHandle p;
  Fds fds;
  const int null = fds.add(::open("/dev/null", O_RDONLY));
  CHECK(poller_set(p.poller, null, token(null, 1), 0, poll_readable) == EPERM);
  char path[] = "/tmp/corosh-poller-XXXXXX";
  const int file = fds.add(::mkstemp(path));
  ::unlink(path);
  CHECK(poller_set(p.poller, file, token(file, 1), 0, poll_readable) == EPERM);
}

TEST_CASE("poller: a refused connect is an error condition, with its errno when the backend knows it", "[loop]") {
  PollerHandle p;
  Fds fds;
  // A port nobody listens on: bind one, and close it without listening.
  const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(probe >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  ::close(probe);
  const int s = fds.add(::socket(AF_INET, SOCK_STREAM, 0));
  ::fcntl(s, F_SETFL, ::fcntl(s, F_GETFL) | O_NONBLOCK);
  const int rc = ::connect(s, reinterpret_cast<sockaddr*>(&address), sizeof address);
  REQUIRE((rc == 0 || errno == EINPROGRESS || errno == ECONNREFUSED));
  REQUIRE(poller_set(p.poller, s, token(s, 3), 0, poll_writable) == 0);
  std::vector<Fired> fired = poll_once(p.poller, 5000);
  REQUIRE(fired.size() == 1);
  CHECK((fired[0].events & poll_error));
  CHECK((fired[0].events & poll_writable));
  CHECK((fired[0].events & poll_readable));
  // epoll leaves it to SO_ERROR; kqueue hands it over with the event.
  CHECK((fired[0].error == 0 || fired[0].error == ECONNREFUSED));
  if (std::string_view(poller_name()) == "kqueue") CHECK(fired[0].error == ECONNREFUSED);
}
