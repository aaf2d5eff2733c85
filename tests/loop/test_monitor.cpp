// test_monitor.cpp — corosh::Monitor on a real loop and a real socket: the
// private directory, the protocol (what it answers, what it refuses), and
// clients that misbehave.
//
// Client and monitor share this thread, so the client never blocks: it
// writes a request, then runs the loop until the reply has arrived.
#include "catch.hpp"

#include <corosh/inspect.hpp>
#include <corosh/inspect_json.hpp>
#include <corosh/loop.hpp>
#include <corosh/monitor.hpp>
#include <corosh/monitor_protocol.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

using nlohmann::json;
using namespace corosh;

namespace {

// A scratch $XDG_RUNTIME_DIR for one test, removed afterwards.
struct RuntimeDir {
  std::string path;
  RuntimeDir() {
    char name[] = "/tmp/corosh_monitor_test.XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    path = name;
    ::setenv("XDG_RUNTIME_DIR", path.c_str(), 1);
  }
  ~RuntimeDir() {
    ::unsetenv("XDG_RUNTIME_DIR");
    std::filesystem::remove_all(path);
  }
  std::string monitors() const { return path + "/corosh"; }
};

// One client connection, driven from the test.
struct Client {
  Loop& loop;
  int fd;
  monitor::FrameReader reader{monitor::max_reply_bytes};
  bool closed = false;
  std::uint64_t next_id = 1;

  Client(Loop& l, const std::string& path) : loop(l), fd(connect_to_monitor(path)) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  ~Client() {
    if (fd >= 0) ::close(fd);
  }
  void hang_up() {
    ::close(fd);
    fd = -1;
  }
  void send_raw(const std::string& bytes) {
    REQUIRE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
  }
  void send(json message) { send_raw(monitor::frame(message.dump())); }
  // Sends {"id": n, "op": op, ...fields}; returns n.
  std::uint64_t request(const std::string& op, json fields = json::object()) {
    fields["id"] = next_id;
    fields["op"] = op;
    send(fields);
    return next_id++;
  }
  // The next message, running the loop until it comes; nothing if the
  // monitor closed the connection first.
  std::optional<json> receive() {
    for (int spins = 0; spins < 2000; ++spins) {
      if (std::optional<std::string> payload = reader.next()) return json::parse(*payload);
      if (closed) return std::nullopt;
      char buffer[65536];
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        reader.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) closed = true;
      loop.run_once(std::chrono::milliseconds(5));
    }
    FAIL("no reply from the monitor");
    return std::nullopt;
  }
  // The result of request `id`, parts joined; the error object if it failed.
  json answer(std::uint64_t id) {
    json joined = json::array();
    for (;;) {
      std::optional<json> m = receive();
      REQUIRE(m);
      REQUIRE(m->at("id") == id);
      if (m->contains("error")) return {{"error", m->at("error")}};
      if (!m->value("more", false)) {
        if (joined.empty()) return m->at("result");
        for (const json& item : m->at("result")) joined.push_back(item);
        return joined;
      }
      for (const json& item : m->at("result")) joined.push_back(item);
    }
  }
  json ask(const std::string& op, json fields = json::object()) { return answer(request(op, std::move(fields))); }
  json hello() { return ask("hello", {{"protocol", monitor::protocol_version}, {"client", "test"}}); }
  // True once the monitor has closed this connection.
  bool closed_by_monitor() {
    while (receive()) {
    }
    return closed;
  }
};

// Coroutines parked on a pipe: their wait reason does not tick like a sleep's.
struct Parked {
  Loop& loop;
  int pipe_fds[2];
  std::vector<std::uint64_t> ids;
  Parked(Loop& l, int count) : loop(l) {
    REQUIRE(::pipe(pipe_fds) == 0);
    for (int i = 0; i < count; ++i)
      ids.push_back(loop.spawn({.name = "waiter", .stack_size = 16 * 1024},
                               [this] { loop.wait(pipe_fds[0], Interest::readable); }));
    loop.run_once(Duration{0});
  }
  ~Parked() {
    for (std::uint64_t id : ids) loop.cancel(id);
    loop.close_fd(pipe_fds[0]);
    ::close(pipe_fds[1]);
  }
};

}  // namespace

TEST_CASE("a monitor listens in a private directory and removes its socket when it ends", "[loop][monitor]") {
  RuntimeDir runtime;
  Loop loop;
  std::string path;
  {
    Monitor monitor(loop);
    path = monitor.socket_path();
    CHECK(path == runtime.monitors() + "/" + std::to_string(::getpid()) + ".sock");
    struct stat st {};
    REQUIRE(::stat(runtime.monitors().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(monitor_sockets() == std::vector<std::string>{path});
    // A second monitor of the same process takes the next name.
    Monitor second(loop);
    CHECK(second.socket_path() == runtime.monitors() + "/" + std::to_string(::getpid()) + ".2.sock");
  }
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK(monitor_sockets().empty());
}

TEST_CASE("a socket directory that others could enter or that is not ours is refused", "[loop][monitor]") {
  RuntimeDir runtime;
  Loop loop;
  SECTION("open to others") {
    REQUIRE(::mkdir(runtime.monitors().c_str(), 0755) == 0);
    ::chmod(runtime.monitors().c_str(), 0755);
    CHECK_THROWS_WITH(Monitor(loop), Catch::Contains("mode 0755 lets others in"));
  }
  SECTION("a symlink to a private directory") {
    const std::string elsewhere = runtime.path + "/elsewhere";
    REQUIRE(::mkdir(elsewhere.c_str(), 0700) == 0);
    REQUIRE(::symlink(elsewhere.c_str(), runtime.monitors().c_str()) == 0);
    CHECK_THROWS_WITH(Monitor(loop), Catch::Contains("not a directory"));
  }
  SECTION("owned by another user") {
    REQUIRE(::mkdir(runtime.monitors().c_str(), 0700) == 0);
    if (::geteuid() != 0) {
      WARN("not root: cannot give a directory away to check the refusal (tests/attach checks it as root)");
      return;
    }
    REQUIRE(::chown(runtime.monitors().c_str(), 65534, 65534) == 0);
    CHECK_THROWS_WITH(Monitor(loop), Catch::Contains("belongs to uid 65534"));
  }
  SECTION("a path that does not fit in a Unix socket address") {
    const std::string deep = runtime.path + "/" + std::string(120, 'd');
    REQUIRE(::mkdir(deep.c_str(), 0700) == 0);
    MonitorOptions options;
    options.socket_path = deep + "/m.sock";
    CHECK_THROWS_WITH(Monitor(loop, options), Catch::Contains("too long"));
  }
}

TEST_CASE("an idle monitor does not keep the loop running", "[loop][monitor]") {
  RuntimeDir runtime;
  Loop loop;
  Monitor monitor(loop);
  CHECK_FALSE(loop.alive());
  loop.run();  // returns: the monitor's sources are the loop's own kind
}

TEST_CASE("the monitor answers with the snapshots the program would take itself", "[loop][monitor]") {
  RuntimeDir runtime;
  Loop loop;
  Monitor monitor(loop);
  Parked parked(loop, 3);
  Client client(loop, monitor.socket_path());

  const json hello = client.hello();
  CHECK(hello.at("protocol") == monitor::protocol_version);
  CHECK(hello.at("pid") == ::getpid());
  CHECK(hello.at("driving") == true);
  CHECK(hello.at("coroutines") == 3);
  CHECK(hello.at("architecture") == inspect::register_layout().architecture);
  CHECK_FALSE(hello.at("program").get<std::string>().empty());

  CHECK(client.ask("list") == json(inspect::summaries()));
  const std::uint64_t id = parked.ids[1];
  const CoroutineInfo info = *inspect::coroutine(id);
  CHECK(client.ask("find", {{"coroutine", id}}).at("coroutine") == json(info));
  CHECK(client.ask("stack", {{"coroutine", id}}) == json(inspect::stack(info, 256)));
  CHECK(client.ask("stack", {{"coroutine", id}, {"max_frames", 1}}).size() == 1);
  CHECK(client.ask("context", {{"coroutine", id}}) == json(inspect::context(info)));
  CHECK(client.ask("layout") == json(inspect::register_layout()));
  CHECK(client.ask("listeners") == json::array());
  const inspect::LoopState state = client.ask("loop").get<inspect::LoopState>();
  CHECK(state.waiting == 3);
  CHECK(state.backend == inspect::loop_state(loop).backend);
  const std::uintptr_t pc = info.registers.at(0).value;
  CHECK(client.ask("symbol", {{"pc", pc}}) == json(inspect::symbol(pc)));

  CHECK(client.ask("find", {{"coroutine", 999999}}).at("error").at("kind") == "not_found");
  forget_symbols();
}

TEST_CASE("a listing of thousands comes in parts and misses nobody", "[loop][monitor]") {
  RuntimeDir runtime;
  Loop loop;
  Monitor monitor(loop);
  Parked parked(loop, 3000);
  Client client(loop, monitor.socket_path());
  client.hello();
  const std::uint64_t id = client.request("list");
  std::size_t parts = 0, listed = 0;
  for (;;) {
    std::optional<json> m = client.receive();
    REQUIRE(m);
    listed += m->at("result").size();
    ++parts;
    if (!m->value("more", false)) break;
  }
  CHECK(listed == 3000);
  INFO("parts: " << parts);
  CHECK(client.ask("list").size() == 3000);
  (void)id;
}

TEST_CASE("broken requests get an error reply and the connection goes on", "[loop][monitor]") {
  RuntimeDir runtime;
  Loop loop;
  Monitor monitor(loop);
  Parked parked(loop, 1);
  Client client(loop, monitor.socket_path());
  client.hello();
  const auto error_kind = [&] {
    std::optional<json> m = client.receive();
    REQUIRE(m);
    return m->at("error").at("kind").get<std::string>();
  };
  client.send_raw(monitor::frame("{not json"));
  CHECK(error_kind() == "bad_request");
  client.send_raw(monitor::frame(""));
  CHECK(error_kind() == "bad_request");
  client.send(json::array({1, 2}));
  CHECK(error_kind() == "bad_request");
  client.send({{"id", -4}, {"op", "list"}});
  CHECK(error_kind() == "bad_request");
  client.send({{"id", 5}});
  CHECK(error_kind() == "bad_request");
  CHECK(client.ask("dance").at("error").at("kind") == "bad_request");
  CHECK(client.ask("stack", {{"coroutine", "one"}}).at("error").at("kind") == "bad_request");
  CHECK(client.ask("stack", {{"coroutine", parked.ids[0]}, {"max_frames", 1 << 20}}).at("error").at("kind") ==
        "bad_request");
  CHECK(client.ask("hello", {{"protocol", 1}}).at("error").at("kind") == "bad_request");
  // Still served.
  CHECK(client.ask("list").size() == 1);
  CHECK(monitor.clients() == 1);
}

TEST_CASE("messages out of order, too long, cut off or too many end the connection", "[loop][monitor]") {
  RuntimeDir runtime;
  Loop loop;
  Monitor monitor(loop);
  SECTION("a request before the hello") {
    Client client(loop, monitor.socket_path());
    CHECK(client.ask("list").at("error").at("kind") == "bad_request");
    CHECK(client.closed_by_monitor());
  }
  SECTION("a hello for another protocol") {
    Client client(loop, monitor.socket_path());
    CHECK(client.ask("hello", {{"protocol", 99}}).at("error").at("kind") == "version");
    CHECK(client.closed_by_monitor());
  }
  SECTION("a frame longer than the limit") {
    Client client(loop, monitor.socket_path());
    client.hello();
    client.send_raw(std::string("\x7f\xff\xff\xff", 4) + "{}");
    std::optional<json> m = client.receive();
    REQUIRE(m);
    CHECK(m->at("error").at("kind") == "bad_request");
    CHECK(client.closed_by_monitor());
  }
  SECTION("too many requests waiting") {
    Parked parked(loop, 2000);
    Client client(loop, monitor.socket_path());
    client.hello();
    std::string burst;
    for (int i = 0; i < 40; ++i) burst += monitor::frame(json{{"id", 100 + i}, {"op", "list"}}.dump());
    client.send_raw(burst);
    bool busy = false;
    while (std::optional<json> m = client.receive())
      busy = busy || (m->contains("error") && m->at("error").at("kind") == "busy");
    CHECK(busy);
    CHECK(client.closed);
  }
  SECTION("a frame cut off by the end of the stream") {
    Client client(loop, monitor.socket_path());
    client.hello();
    client.send_raw(std::string("\0\0\0\x40{\"id\":", 11));
    ::shutdown(client.fd, SHUT_WR);
    CHECK(client.closed_by_monitor());
  }
  for (int i = 0; i < 20 && monitor.clients() > 0; ++i) loop.run_once(std::chrono::milliseconds(5));
  CHECK(monitor.clients() == 0);
}

TEST_CASE("several clients at once; one that vanishes or never reads does not disturb the others",
          "[loop][monitor]") {
  RuntimeDir runtime;
  Loop loop;
  Monitor monitor(loop);
  Parked parked(loop, 2000);
  Client a(loop, monitor.socket_path()), b(loop, monitor.socket_path()), silent(loop, monitor.socket_path());
  a.hello();
  b.hello();
  silent.hello();
  // `silent` asks for a lot and never reads it.
  for (int i = 0; i < 10; ++i) silent.request("list");
  {
    Client vanishing(loop, monitor.socket_path());
    vanishing.hello();
    vanishing.request("list");
    vanishing.hang_up();
  }
  const std::uint64_t from_a = a.request("list");
  const std::uint64_t from_b = b.request("find", {{"coroutine", parked.ids[7]}});
  CHECK(b.answer(from_b).at("coroutine").at("id") == parked.ids[7]);
  CHECK(a.answer(from_a).size() == 2000);
  CHECK(monitor.clients() == 3);  // the vanished one is gone
  silent.hang_up();
  for (int i = 0; i < 20 && monitor.clients() > 2; ++i) loop.run_once(std::chrono::milliseconds(5));
  CHECK(monitor.clients() == 2);
  CHECK(a.ask("loop").at("waiting") == 2000);
}

TEST_CASE("COROSH_MONITOR starts a monitor with the loop, inspection only when asked", "[loop][monitor]") {
  RuntimeDir runtime;
  const std::string path = runtime.monitors() + "/" + std::to_string(::getpid()) + ".sock";
  SECTION("1") {
    ::setenv("COROSH_MONITOR", "1", 1);
    Loop loop;
    ::unsetenv("COROSH_MONITOR");
    Client client(loop, path);
    CHECK(client.hello().at("driving") == true);
  }
  SECTION("inspect") {
    ::setenv("COROSH_MONITOR", "inspect", 1);
    Loop loop;
    ::unsetenv("COROSH_MONITOR");
    Client client(loop, path);
    CHECK(client.hello().at("driving") == false);
  }
  SECTION("0, or something else") {
    ::setenv("COROSH_MONITOR", "0", 1);
    { Loop loop; }
    ::setenv("COROSH_MONITOR", "yes", 1);
    { Loop loop; }
    ::unsetenv("COROSH_MONITOR");
  }
  CHECK_FALSE(std::filesystem::exists(path));
}
