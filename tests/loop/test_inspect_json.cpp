// test_inspect_json.cpp — the JSON codec of the inspect snapshots: every
// value survives the trip out and back, defaults are left out, and what is
// not the schema is refused.
#include "catch.hpp"

#include <corosh/inspect.hpp>
#include <corosh/inspect_json.hpp>
#include <corosh/loop.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

using nlohmann::json;
using namespace corosh;

namespace {

// `value` to JSON text and back, as it crosses a socket.
template <class T>
T round_trip(const T& value) {
  return json::parse(json_text(json(value))).get<T>();
}

void parked() {
  Loop::current().sleep(std::chrono::hours(1));
}

}  // namespace

TEST_CASE("a live coroutine's snapshot, its stack and its saved context come back equal", "[loop]") {
  Loop loop;
  const std::uint64_t id = loop.spawn({.name = "parked"}, parked);
  loop.run_once(Duration{0});
  const std::optional<CoroutineInfo> info = inspect::coroutine(id);
  REQUIRE(info);
  REQUIRE_FALSE(info->registers.empty());
  REQUIRE_FALSE(info->wait_reason.empty());
  CHECK(round_trip(*info) == *info);

  const std::vector<inspect::NamedFrame> frames = inspect::stack(*info, 64);
  REQUIRE_FALSE(frames.empty());
  CHECK(round_trip(frames) == frames);

  const inspect::ContextMemory memory = inspect::context(*info);
  REQUIRE(memory.bytes.size() == saved_context_size());
  CHECK(round_trip(memory) == memory);

  const inspect::LoopState state = inspect::loop_state(loop);
  CHECK(round_trip(state) == state);
  CHECK(round_trip(inspect::register_layout()) == inspect::register_layout());
  loop.cancel(id);
  forget_symbols();  // the symbolizer keeps the binary open: not a leak
}

TEST_CASE("every field of every type is carried, set or not", "[loop]") {
  CoroutineInfo c;
  c.id = 7;
  c.name = "worker";
  c.state = State::dead;
  c.ending = Ending::faulted;
  c.wait_reason = "fd 5 readable";
  c.loop_owned = true;
  c.site_file = "/src/w.cpp";
  c.site_function = "void work()";
  c.site_line = 42;
  c.parent = 3;
  c.creator = Creator::coroutine;
  c.switches = 1u << 20;
  c.stack_size = 65536;
  c.stack_in_use = 512;
  c.stack_touched = 8192;
  c.stack_deepest = 4096;
  c.run_ns = 5'000'000;
  c.longest_run_ns = 250'000'000;
  c.last_ran_ns = 123'456'789;
  c.stack_guarded = true;
  c.stack_base = 0x7fff'0000'0000;
  c.fault_signal = 11;
  c.fault_address = 0x10;
  c.fault_pc = 0x401000;
  c.fault_sp = 0x7fff'0000'1000;
  c.fault_fp = 0x7fff'0000'1010;
  c.context_address = 0x7fff'0001'0000;
  c.registers = {{"rip", 0x401234}, {"rsp", UINT64_MAX}};
  CHECK(round_trip(c) == c);
  CHECK(round_trip(CoroutineInfo{}) == CoroutineInfo{});

  Symbol inner{"inner()", "a.hpp", 3, "prog", {}};
  Symbol s{"outer()", "a.cpp", 10, "prog", {inner, inner}};
  CHECK(round_trip(s) == s);
  CHECK(round_trip(Frame{.pc = 1, .fp = 2, .return_address = true}) == Frame{.pc = 1, .fp = 2, .return_address = true});

  inspect::Death fault{3, "x", true, 11, 0xdead, "", ""};
  inspect::Death thrown{4, "y", false, 0, 0, "std::runtime_error", "boom"};
  inspect::StepResult step{"8", State::suspended, Ending::none, "sleep 5 ms", thrown};
  CHECK(round_trip(fault) == fault);
  CHECK(round_trip(step) == step);
  CHECK(round_trip(inspect::StepResult{}) == inspect::StepResult{});
  inspect::StepResult empty_yield{std::string(), State::dead, Ending::returned, "", std::nullopt};
  CHECK(round_trip(empty_yield).yielded == std::optional<std::string>(""));

  inspect::ListenerView l{{"127.0.0.1", 7000}, "echo", 3, 1, 10, 10, 2, 1, 0,
                          {{1, {"::1", 50000}, "reading", 10, 10, 0, 9}}};
  CHECK(round_trip(l) == l);
  inspect::ListenerView limited = l;
  limited.max_connections = 2;
  limited.idle_timeout_ns = 250'000'000;
  limited.over_limit = 4;
  limited.no_guard = 1;
  limited.idle_closed = 3;
  CHECK(round_trip(limited) == limited);

  inspect::TraceRecording t{{{SwitchEvent::resume, 0, 3, 100}, {SwitchEvent::finish, 3, 0, 250}}, 2, 99, {{3, "w"}}};
  CHECK(round_trip(t) == t);

  inspect::FdView f{7, "listener", "127.0.0.1:7000", "", "readable", true, {{3, "acceptor", "readable", 1500}},
                    12, "reader", "readable", "f()::{lambda()#1}", true, 4, 1};
  CHECK(round_trip(f) == f);
  inspect::FdView bare;
  bare.fd = 0;
  bare.kind = "stdin";
  CHECK(round_trip(bare) == bare);
  inspect::TimerView timer{-5, 1000, 9, "void (*)()", 3, "sleeper", "sleep 1 ms"};
  CHECK(round_trip(timer) == timer);
  inspect::MemoryView m{{{65536, 3, 1, 4, 4 * 69632, 12288}}, 5, 4, 15000, 3, 456, 3000, 1 << 22};
  CHECK(round_trip(m) == m);
  inspect::Warning w{"dropped_connections", 3, "acceptor", "accepts on ...", inner, 0};
  CHECK(round_trip(w) == w);
  inspect::Warning none{"never_woken", 0, "", "m", {}, -1};
  CHECK(round_trip(none) == none);
  inspect::WarningLimits limits{250'000'000, 0.5, false};
  CHECK(round_trip(limits) == limits);
}

TEST_CASE("the loop's tables, memory and warnings of a live loop come back equal", "[loop]") {
  Loop loop;
  const std::uint64_t lost = loop.spawn({.name = "lost"}, [] { yield(); });
  const std::uint64_t id = loop.spawn({.name = "parked"}, parked);
  loop.add_timer(std::chrono::seconds(5), [] {});
  loop.run_once(Duration{0});
  const std::vector<inspect::FdView> fds = inspect::loop_fds(loop);
  CHECK(round_trip(fds) == fds);
  const std::vector<inspect::TimerView> timers = inspect::loop_timers(loop);
  REQUIRE(timers.size() == 2);
  CHECK(round_trip(timers) == timers);
  const inspect::MemoryView memory = inspect::memory(loop);
  REQUIRE_FALSE(memory.stacks.empty());
  CHECK(round_trip(memory) == memory);
  const std::vector<inspect::Warning> warnings = inspect::warnings(loop);
  REQUIRE_FALSE(warnings.empty());
  CHECK(round_trip(warnings) == warnings);
  loop.cancel(lost);
  loop.cancel(id);
  forget_symbols();
}

TEST_CASE("fields at their default are left out, and a summary stays small", "[loop]") {
  CoroutineInfo c;
  c.id = 1;
  c.name = "n";
  c.state = State::suspended;
  c.switches = 2;
  const json j = c;
  CHECK(j.size() == 4);
  CHECK(j.at("state") == "suspended");
  CHECK_FALSE(j.contains("registers"));
  CHECK_FALSE(j.contains("ending"));
  CHECK(json(Symbol{"f", "", 0, "", {}}).dump() == R"({"function":"f"})");
  CHECK(json(SwitchEvent{SwitchEvent::yield, 3, 0, 5}).dump() == R"(["yield",3,0,5])");
}

TEST_CASE("what is not the schema is refused with an exception, never read as zero", "[loop]") {
  using Failure = json::exception;
  CHECK_THROWS_AS(json::parse(R"({"name":"x","state":"created"})").get<CoroutineInfo>(), Failure);  // no id
  CHECK_THROWS_AS(json::parse(R"({"id":"1","name":"x","state":"created"})").get<CoroutineInfo>(), Failure);
  CHECK_THROWS_AS(json::parse(R"({"id":-1,"name":"x","state":"created"})").get<CoroutineInfo>(), Failure);
  CHECK_THROWS_AS(json::parse(R"({"id":1,"name":"x","state":"sleeping"})").get<CoroutineInfo>(), Failure);
  CHECK_THROWS_AS(json::parse(R"({"id":1,"name":"x","state":"created","creator":"shell"})").get<CoroutineInfo>(),
                  Failure);
  CHECK_THROWS_AS(json::parse(R"({"id":1,"name":"x","state":3})").get<CoroutineInfo>(), Failure);
  CHECK_THROWS_AS(json::parse(R"([1,2])").get<CoroutineInfo>(), Failure);
  CHECK_THROWS_AS(json::parse(R"(["jump",1,2,3])").get<SwitchEvent>(), Failure);
  CHECK_THROWS_AS(json::parse(R"(["resume",1,2])").get<SwitchEvent>(), Failure);
  CHECK_THROWS_AS(json::parse(R"({"address":1,"bytes":"abc"})").get<inspect::ContextMemory>(), Failure);
  CHECK_THROWS_AS(json::parse(R"({"address":1,"bytes":"zz"})").get<inspect::ContextMemory>(), Failure);
  CHECK_THROWS_AS(json::parse(R"({"host":"h","port":70000})").get<Endpoint>(), Failure);
  CHECK_THROWS_AS(json::parse(R"({"host":"h","port":1.5})").get<Endpoint>(), Failure);
  CHECK_THROWS_AS(json::parse(R"({"events":[],"dropped":0,"started_ns":0,"names":[[1]]})").get<inspect::TraceRecording>(),
                  Failure);
  // A layout whose slot lies past the block would have a reader index past its bytes.
  CHECK_THROWS_AS(json::parse(R"({"architecture":"x","resume_register":"pc","size":8,
                                  "slots":[{"name":"pc","offset":4,"size":8,"role":""}]})")
                      .get<inspect::RegisterLayout>(),
                  Failure);
  // Fields the schema does not know are ignored: a newer program may add some.
  CHECK(json::parse(R"({"id":1,"name":"x","state":"created","colour":"blue"})").get<CoroutineInfo>().id == 1);
}

TEST_CASE("names that are not UTF-8 are encoded with replacement characters, not refused", "[loop]") {
  CoroutineInfo c;
  c.name = std::string("bad\xff\xfe", 5);
  const std::string text = json_text(json(c));
  CHECK(text.find("bad\xef\xbf\xbd") != std::string::npos);
  CHECK(json::parse(text).get<CoroutineInfo>().name.starts_with("bad"));
}
