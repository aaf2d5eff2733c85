// test_echo.cpp — the echo listener under load and under misbehaving peers:
// 1,000 concurrent connections with random-sized messages, a peer that
// never reads, peers that reset, half-close, several listeners.
#include "catch.hpp"
#include "support/loop_testing.hpp"

#include <corosh/loop.hpp>
#include <corosh/net.hpp>

#include "echo_server.hpp"
#include <corosh/registry.hpp>
#include <corosh/stack.hpp>

#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using corosh::demos::EchoServer;
using corosh::Loop;
using corosh::Socket;
using corosh_test::EnoughDescriptors;
using corosh_test::fnv1a;
using corosh_test::fnv_basis;
using corosh_test::run_until;
using corosh_test::run_within;

namespace {

struct Random {
  std::uint64_t s;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

std::string round_trip(Socket& c, const std::string& message) {
  c.write_all(message);
  std::string got;
  char buf[4096];
  while (got.size() < message.size()) {
    std::size_t n = c.read_some(buf, sizeof buf);
    if (n == 0) break;
    got.append(buf, n);
  }
  return got;
}

}  // namespace

TEST_CASE("1,000 concurrent connections get every byte back in order", "[loop]") {
  constexpr int connections = 1000;
  constexpr int messages = 3;
  EnoughDescriptors limit(2 * connections + 200);
  Loop loop;
  EchoServer server;
  // Message bytes come from one random block at per-message offsets.
  std::string block(2 * 65536, '\0');
  Random fill{0x9e3779b97f4a7c15ull};
  for (char& c : block) c = static_cast<char>(fill.next());

  struct Client {
    Socket socket;
    std::uint64_t sent_hash = fnv_basis, received_hash = fnv_basis;
    std::uint64_t sent = 0, received = 0;
    bool failed = false;
  };
  std::vector<Client> clients(connections);
  int finished = 0;
  std::size_t largest = 0, smallest = 65536;
  for (int i = 0; i < connections; ++i) {
    loop.spawn({.name = "client", .stack_size = 64 * 1024}, [&, i] {
      Client& me = clients[i];
      try {
        me.socket = corosh::connect("127.0.0.1", server.local().port);
        // The writer runs alongside: reading only after writing everything
        // could deadlock once both directions' buffers are full.
        loop.spawn({.name = "writer", .stack_size = 64 * 1024}, [&, i] {
          Client& me = clients[i];
          Random r{0x1234567ull + static_cast<std::uint64_t>(i) * 7919};
          for (int m = 0; m < messages; ++m) {
            // Log-uniform sizes in 1 B .. 64 KiB; the extremes always occur.
            std::size_t size = (std::size_t(1) << (r.next() % 17));
            size = size > 1 ? size / 2 + r.next() % (size / 2) + 1 : 1;
            if (i == 0 && m == 0) size = 1;
            if (i == 1 && m == 0) size = 65536;
            const char* p = block.data() + r.next() % 65536;
            largest = std::max(largest, size);
            smallest = std::min(smallest, size);
            me.socket.write_all(p, size);
            me.sent += size;
            me.sent_hash = fnv1a(me.sent_hash, p, size);
          }
          me.socket.shutdown_write();
        });
        char buf[8192];
        while (std::size_t n = me.socket.read_some(buf, sizeof buf)) {
          me.received += n;
          me.received_hash = fnv1a(me.received_hash, buf, n);
        }
        me.socket.close();
      } catch (const corosh::Error& e) {
        UNSCOPED_INFO("client " << i << ": " << e.what());
        me.failed = true;
      }
      if (++finished == connections) loop.stop();
    });
  }
  loop.run();
  REQUIRE(finished == connections);
  int bad = 0;
  std::uint64_t total = 0;
  for (const Client& c : clients) {
    total += c.sent;
    if (c.failed || c.sent != c.received || c.sent_hash != c.received_hash) ++bad;
  }
  CHECK(bad == 0);
  CHECK(smallest == 1);
  CHECK(largest == 65536);
  corosh::demos::EchoStats stats = server.stats();
  CHECK(stats.accepted == connections);
  CHECK(stats.bytes_in == total);
  CHECK(stats.bytes_out == total);
  CHECK(stats.resets == 0);
  CHECK(stats.buffered == 0);
}

TEST_CASE("a peer that never reads costs bounded memory; others are still served", "[loop]") {
  Loop loop;
  constexpr std::size_t bound = 4096;
  EchoServer server({.buffer_size = bound});
  Socket hog;
  std::uint64_t pushed = 0;
  std::size_t worst_buffered = 0;
  // Sample the server's buffered bytes after every loop iteration.
  corosh::TimerId sampler = loop.add_timer(0ms, [&] {
    worst_buffered = std::max(worst_buffered, server.stats().buffered);
  }, 1ms);
  std::uint64_t writer = loop.spawn({.name = "hog"}, [&] {
    hog = corosh::connect("127.0.0.1", server.local().port);
    std::string chunk(65536, 'h');
    for (int i = 0; i < 1024; ++i) {  // 64 MiB: far more than socket buffers hold
      hog.write_all(chunk);
      pushed += chunk.size();
    }
  });
  // Wait until the hog's writes block: the server stopped reading it.
  run_until(loop, [&] {
    auto info = corosh::find_coroutine(writer);
    auto conns = server.connections();
    return info && info->wait_reason.find("writable") != std::string::npos && conns.size() == 1 &&
           conns[0].state == "writing";
  });
  std::string echoed;
  bool polite_done = false;
  loop.spawn({.name = "polite"}, [&] {
    Socket c = corosh::connect("127.0.0.1", server.local().port);
    for (int i = 0; i < 50; ++i) echoed += round_trip(c, "message " + std::to_string(i) + ";");
    polite_done = true;
  });
  run_until(loop, [&] { return polite_done; });
  CHECK(echoed.rfind("message 49;") != std::string::npos);
  CHECK(pushed < 1024 * 65536ull);       // the hog is stuck...
  CHECK(pushed > 4 * bound);             // ...after pushing far more than the bound
  CHECK(worst_buffered <= 2 * bound);    // the polite connection may hold a little too
  for (const corosh::demos::EchoConnection& c : server.connections()) {
    CHECK(c.buffered <= bound);
    CHECK(c.bytes_in - c.bytes_out <= bound);
  }
  loop.remove(sampler);
  loop.cancel(writer);
  hog.close();  // with unread data: the server's write fails with a reset
  run_until(loop, [&] { return server.stats().active == 0; });
  CHECK(server.stats().resets == 1);
}

TEST_CASE("peers that reset mid-stream end only their own connection", "[loop]") {
  Loop loop;
  EchoServer server;
  int done = 0;
  for (int variant = 0; variant < 2; ++variant) {
    loop.spawn([&, variant] {
      Socket c = corosh::connect("127.0.0.1", server.local().port);
      if (variant == 0) {
        CHECK(round_trip(c, std::string(1000, 'r')).size() == 1000);  // server now waits to read
      } else {
        c.write_all(std::string(50000, 'w'));  // echoed into our buffer, never read
      }
      linger l{1, 0};
      ::setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
      c.close();  // RST
      ++done;
    });
  }
  run_until(loop, [&] { return done == 2 && server.stats().active == 0; });
  CHECK(server.stats().accepted == 2);
  CHECK(server.stats().resets == 2);
  CHECK(server.stats().errors == 0);
  // Still serving.
  std::string got;
  loop.spawn([&] {
    Socket c = corosh::connect("127.0.0.1", server.local().port);
    got = round_trip(c, "still here");
  });
  run_until(loop, [&] { return !got.empty(); });
  CHECK(got == "still here");
}

TEST_CASE("half-close: after shutdown_write the echo still arrives, then EOF", "[loop]") {
  Loop loop;
  EchoServer server;
  std::string got;
  bool eof = false;
  loop.spawn([&] {
    Socket c = corosh::connect("127.0.0.1", server.local().port);
    c.write_all(std::string(100000, 'q'));
    c.shutdown_write();
    char buf[4096];
    while (std::size_t n = c.read_some(buf, sizeof buf)) got.append(buf, n);
    eof = true;
  });
  run_until(loop, [&] { return eof; });
  CHECK(got == std::string(100000, 'q'));
}

TEST_CASE("several listeners; stopping one closes its connections cleanly", "[loop]") {
  Loop loop;
  EchoServer a, b;
  CHECK(a.local().port != b.local().port);
  Socket ca, cb;
  std::string ga, gb;
  int step = 0;
  loop.spawn([&] {
    ca = corosh::connect("127.0.0.1", a.local().port);
    cb = corosh::connect("127.0.0.1", b.local().port);
    ga = round_trip(ca, "to a");
    gb = round_trip(cb, "to b");
    step = 1;
  });
  run_until(loop, [&] { return step == 1; });
  CHECK(ga == "to a");
  CHECK(gb == "to b");
  std::vector<corosh::demos::EchoConnection> conns = a.connections();
  REQUIRE(conns.size() == 1);
  CHECK(conns[0].peer.port == ca.local().port);
  CHECK(conns[0].bytes_in == 4);
  CHECK(conns[0].bytes_out == 4);
  CHECK(conns[0].state == "reading");
  CHECK(corosh::find_coroutine(conns[0].coroutine));

  a.stop();
  CHECK_FALSE(a.running());
  CHECK(a.connections().empty());
  std::size_t eof_read = 99;
  int refused = 0;
  loop.spawn([&] {
    char c;
    eof_read = ca.read_some(&c, 1);  // the server closed: end of stream, not a reset
    gb = round_trip(cb, "b again");
    try {
      corosh::connect("127.0.0.1", a.local().port);
    } catch (const corosh::SocketError& e) {
      refused = e.code();
    }
    step = 2;
  });
  run_until(loop, [&] { return step == 2; });
  CHECK(eof_read == 0);
  CHECK(gb == "b again");
  CHECK(refused == ECONNREFUSED);
  CHECK(b.stats().active == 1);
}

TEST_CASE("past max_connections a connection is closed at once and counted; the others echo every byte", "[loop]") {
  Loop loop;
  EchoServer server({.max_connections = 3});
  CHECK(server.max_connections() == 3);
  const std::uint16_t port = server.local().port;
  std::vector<Socket> served(3);
  bool connected = false;
  loop.spawn([&] {
    for (Socket& s : served) s = corosh::connect("127.0.0.1", port);
    connected = true;
  });
  REQUIRE(run_within(loop, 30s, [&] { return connected && server.stats().active == 3; }));

  // Two more: accepted and closed unserved, without a byte read from them.
  std::vector<std::size_t> extra_read(2, 99);
  int extra_done = 0;
  for (int i = 0; i < 2; ++i) {
    loop.spawn([&, i] {
      Socket c = corosh::connect("127.0.0.1", port);
      char b;
      extra_read[i] = c.read_some(&b, 1);  // end of stream: nothing was sent, so no reset
      ++extra_done;
    });
  }
  REQUIRE(run_within(loop, 30s, [&] { return extra_done == 2; }));
  CHECK(extra_read == std::vector<std::size_t>{0, 0});
  corosh::demos::EchoStats stats = server.stats();
  CHECK(stats.over_limit == 2);
  CHECK(stats.accepted == 3);
  CHECK(stats.active == 3);

  // The three within the limit are served in full.
  std::vector<std::string> sent(3), got(3);
  int echoed = 0;
  for (int i = 0; i < 3; ++i) {
    sent[i] = std::string(100000, static_cast<char>('a' + i));
    loop.spawn([&, i] {
      got[i] = round_trip(served[i], sent[i]);
      ++echoed;
    });
  }
  REQUIRE(run_within(loop, 30s, [&] { return echoed == 3; }));
  CHECK(got == sent);

  // A connection that ends makes room for the next one.
  served[0].close();
  REQUIRE(run_within(loop, 30s, [&] { return server.stats().active == 2; }));
  std::string again;
  loop.spawn([&] {
    Socket c = corosh::connect("127.0.0.1", port);
    again = round_trip(c, "room again");
  });
  REQUIRE(run_within(loop, 30s, [&] { return !again.empty(); }));
  CHECK(again == "room again");
  CHECK(server.stats().over_limit == 2);
  CHECK(server.stats().accepted == 4);
}

TEST_CASE("a connection silent for idle_timeout is closed and counted; one with traffic is not", "[loop]") {
  constexpr auto timeout = 250ms;
  using clock = std::chrono::steady_clock;
  Loop loop;
  EchoServer server({.idle_timeout = timeout});
  CHECK(server.idle_timeout() == std::optional<corosh::Duration>(timeout));
  const std::uint16_t port = server.local().port;

  std::size_t idle_read = 99;
  bool idle_ended = false;
  clock::duration idle_lasted{};
  loop.spawn([&] {
    Socket c = corosh::connect("127.0.0.1", port);
    const clock::time_point before = clock::now();  // before the server last saw traffic
    CHECK(round_trip(c, "hello") == "hello");
    char b;
    idle_read = c.read_some(&b, 1);  // parks until the server closes it
    idle_lasted = clock::now() - before;
    idle_ended = true;
  });
  int busy_rounds = 0;
  bool busy_stop = false, busy_failed = false;
  loop.spawn([&] {
    try {
      Socket c = corosh::connect("127.0.0.1", port);
      while (!busy_stop) {
        if (round_trip(c, "tick") != "tick") busy_failed = true;
        ++busy_rounds;
        corosh::Loop::current().sleep(timeout / 10);
      }
    } catch (const corosh::SocketError&) {
      busy_failed = true;
    }
  });
  REQUIRE(run_within(loop, 30s, [&] { return idle_ended; }));
  CHECK(idle_read == 0);  // closed by the server: end of stream
  CHECK(idle_lasted >= timeout);
  CHECK(server.stats().idle_closed == 1);
  // The busy one lives on through two more timeouts' worth of ticks.
  const int rounds = busy_rounds;
  REQUIRE(run_within(loop, 30s, [&] { return busy_failed || busy_rounds >= rounds + 20; }));
  CHECK_FALSE(busy_failed);
  CHECK(server.stats().active == 1);
  CHECK(server.stats().idle_closed == 1);
  busy_stop = true;
  REQUIRE(run_within(loop, 30s, [&] { return server.stats().active == 0; }));
  CHECK(server.stats().idle_closed == 1);  // it ended by itself, not by the timer
}

TEST_CASE("echo connections never eat into the guard reserve, and never run unguarded", "[loop]") {
  constexpr std::size_t reserve = 4;
  corosh::trim_stack_pool();  // every stack below is freshly mapped
  Loop loop;
  EchoServer server({.guard_reserve = reserve});
  const std::uint16_t port = server.local().port;
  std::vector<Socket> clients(4);
  bool connected = false;
  loop.spawn([&] {
    for (Socket& s : clients) s = corosh::connect("127.0.0.1", port);
    connected = true;
  });
  // Two guard slots beyond the reserve: room for two connections' stacks.
  struct GuardLimit {
    std::size_t saved = corosh::stack_stats().guard_limit;
    ~GuardLimit() { corosh::set_guard_limit(saved); }
  } restore;
  const std::size_t in_use = corosh::stack_stats().guarded;
  corosh::set_guard_limit(in_use + reserve + 2);

  REQUIRE(run_within(loop, 30s, [&] {
    const corosh::demos::EchoStats s = server.stats();
    return connected && s.accepted + s.no_guard == 4;
  }));
  CHECK(server.stats().accepted == 2);
  CHECK(server.stats().no_guard == 2);
  for (const corosh::demos::EchoConnection& c : server.connections()) {
    std::optional<corosh::CoroutineInfo> info = corosh::find_coroutine(c.coroutine);
    REQUIRE(info);
    CHECK(info->stack_guarded);
  }
  // The reserve is still there for the program's own coroutines.
  {
    std::vector<corosh::Coroutine> mine;
    for (std::size_t i = 0; i < reserve; ++i) mine.emplace_back([] {});
    for (const corosh::Coroutine& co : mine) CHECK(corosh::describe(co).stack_guarded);
  }
  // The first two are served, the other two were closed unserved.
  std::vector<std::string> got(4);
  int done = 0;
  for (int i = 0; i < 4; ++i) {
    loop.spawn([&, i] {
      try {
        got[i] = round_trip(clients[i], "guarded?");
      } catch (const corosh::SocketError&) {
        got[i] = "closed";  // a reset: the server closed it with our bytes unread
      }
      ++done;
    });
  }
  REQUIRE(run_within(loop, 30s, [&] { return done == 4; }));
  CHECK(got[0] == "guarded?");
  CHECK(got[1] == "guarded?");
  CHECK(got[2] != "guarded?");
  CHECK(got[3] != "guarded?");
}
