// test_net.cpp — sockets that suspend coroutines: listen, accept, connect,
// reads and writes (partial, EOF, reset), closing while waiting, and running
// out of descriptors in accept.
#include "catch.hpp"
#include "support/loop_testing.hpp"

#include <corosh/loop.hpp>
#include <corosh/net.hpp>

#include <sys/resource.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using corosh::Loop;
using corosh::Socket;
using corosh_test::run_until;

namespace {

std::string read_to_end(Socket& s) {
  std::string got;
  char buf[4096];
  while (std::size_t n = s.read_some(buf, sizeof buf)) got.append(buf, n);
  return got;
}

}  // namespace

TEST_CASE("listen on port 0 reports the port; a round trip; EOF reads 0", "[loop]") {
  Loop loop;
  corosh::Listener listener = corosh::listen(0);
  CHECK(listener.local().host == "127.0.0.1");
  CHECK(listener.local().port != 0);
  CHECK(listener.local().to_string() == "127.0.0.1:" + std::to_string(listener.local().port));
  std::string server_got, client_got;
  corosh::Endpoint peer;
  loop.spawn({.name = "server"}, [&] {
    Socket s = listener.accept(&peer);
    server_got = read_to_end(s);  // until the client's shutdown_write
    s.write_all("pong");
  });
  loop.spawn({.name = "client"}, [&] {
    Socket c = corosh::connect("127.0.0.1", listener.local().port);
    CHECK(c.local().port == peer.port);
    c.write_all("ping");
    c.shutdown_write();
    client_got = read_to_end(c);
  });
  loop.run();
  CHECK(server_got == "ping");
  CHECK(client_got == "pong");
  CHECK(peer.host == "127.0.0.1");
}

TEST_CASE("a reset is not an end of stream; writing to a gone peer raises no SIGPIPE", "[loop]") {
  Loop loop;
  corosh::Listener listener = corosh::listen(0);
  bool reset_on_read = false, reset_on_write = false;
  loop.spawn([&] {
    Socket s = listener.accept();
    char c;
    CHECK(s.read_some(&c, 1) == 1);
    // Closing with unread data (or with SO_LINGER 0) sends RST.
    linger l{1, 0};
    ::setsockopt(s.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  });
  loop.spawn([&] {
    Socket c = corosh::connect("127.0.0.1", listener.local().port);
    c.write_all("xy");
    char buf[16];
    try {
      c.read_some(buf, sizeof buf);
    } catch (const corosh::ConnectionReset& e) {
      reset_on_read = e.code() == ECONNRESET;
    }
    try {
      for (int i = 0; i < 100; ++i) c.write_all(std::string(65536, 'z'));
    } catch (const corosh::ConnectionReset&) {
      reset_on_write = true;  // EPIPE: no signal killed us to get here
    }
  });
  loop.run();
  CHECK(reset_on_read);
  CHECK(reset_on_write);
}

TEST_CASE("write_all completes partial writes to a slow reader, in order", "[loop]") {
  Loop loop;
  corosh::Listener listener = corosh::listen(0);
  std::string sent(4 << 20, '\0');
  for (std::size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<char>((i * 131) ^ (i >> 9));
  std::string got;
  loop.spawn([&] {
    Socket s = listener.accept();
    char buf[1000];  // small reads: the writer must suspend many times
    while (std::size_t n = s.read_some(buf, sizeof buf)) got.append(buf, n);
  });
  loop.spawn([&] {
    Socket c = corosh::connect("127.0.0.1", listener.local().port);
    c.write_all(sent);
  });
  loop.run();
  CHECK(got.size() == sent.size());
  CHECK(got == sent);
}

TEST_CASE("connect errors and listen errors say what failed", "[loop]") {
  Loop loop;
  std::uint16_t port;
  {
    corosh::Listener probe = corosh::listen(0);
    port = probe.local().port;
    // Taken: a second listener on the same port fails.
    try {
      corosh::listen(port);
      FAIL("listen on a taken port succeeded");
    } catch (const corosh::SocketError& e) {
      CHECK(e.code() == EADDRINUSE);
      CHECK(std::string(e.what()).find("bind") != std::string::npos);
    }
  }
  int code = 0;
  loop.spawn([&] {
    try {
      corosh::connect("127.0.0.1", port);
    } catch (const corosh::SocketError& e) {
      code = e.code();
    }
  });
  loop.run();
  CHECK(code == ECONNREFUSED);
}

TEST_CASE("closing a listener wakes a coroutine waiting in accept", "[loop]") {
  Loop loop;
  corosh::Listener listener = corosh::listen(0);
  std::string error;
  loop.spawn([&] {
    try {
      listener.accept();
    } catch (const corosh::SocketError& e) {
      error = e.what();
    }
  });
  loop.spawn([&] {
    loop.sleep(0ms);
    listener.close();
  });
  loop.run();
  CHECK(error.find("closed") != std::string::npos);
}

TEST_CASE("running out of descriptors in accept does not spin, and accept recovers", "[loop]") {
  Loop loop;
  constexpr int clients = 3;
  // Client sockets exist before the limit drops: connecting needs no new fd.
  std::vector<int> fds;
  for (int i = 0; i < clients; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    ::fcntl(fd, F_SETFL, O_NONBLOCK);
    fds.push_back(fd);
  }
  corosh::Listener listener = corosh::listen(0);
  int accepted = 0;
  loop.spawn({.name = "acceptor"}, [&] {
    for (;;) {
      Socket s = listener.accept();
      ++accepted;
      s.write_all("hi");
    }
  });
  loop.run_once(0ms);  // the acceptor now waits

  // The lowest free descriptor number becomes the limit: the next one fails.
  int probe = ::dup(0);
  REQUIRE(probe >= 0);
  ::close(probe);
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(probe);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  struct Restore {
    rlimit limit;
    ~Restore() { ::setrlimit(RLIMIT_NOFILE, &limit); }
  } restore{saved};
  REQUIRE(::dup(0) == -1);
  REQUIRE(errno == EMFILE);

  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(listener.local().port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int finished = 0;
  for (int fd : fds) {
    int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    REQUIRE((rc == 0 || errno == EINPROGRESS));
    loop.spawn([&, fd] {
      // The server takes the connection and closes it at once: EOF or reset.
      CHECK(loop.wait(fd, corosh::Interest::readable) != corosh::Wait::closed);
      char c;
      ssize_t n = ::recv(fd, &c, 1, 0);
      CHECK(n <= 0);
      ++finished;
    });
  }
  const std::uint64_t polls_before = loop.stats().polls;
  // A spinning acceptor would burn through these iterations without ever
  // closing the clients' connections.
  for (int i = 0; i < 1000 && finished < clients; ++i) loop.run_once();
  const std::uint64_t polls = loop.stats().polls - polls_before;
  CHECK(finished == clients);
  CHECK(accepted == 0);
  CHECK(listener.dropped() == clients);
  CHECK(polls < 10 * clients);

  // Descriptors free again: the next client is served normally.
  ::setrlimit(RLIMIT_NOFILE, &saved);
  std::string greeting;
  loop.spawn([&] {
    Socket c = corosh::connect("127.0.0.1", listener.local().port);
    greeting = read_to_end(c);
  });
  run_until(loop, [&] { return !greeting.empty(); });
  CHECK(greeting == "hi");
  CHECK(accepted == 1);
  for (int fd : fds) loop.close_fd(fd);
}
