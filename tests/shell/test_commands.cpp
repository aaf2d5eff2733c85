// test_commands.cpp — the shell's commands against a fake Target.
//
// The commands see coroutines only through target.hpp; a fake that answers
// from a script shows what they print and what they refuse, with no runtime
// underneath: which coroutine a word picks, when a step stops, how a death
// or a refusal reads.
#include "catch.hpp"

#include "commands.hpp"
#include "completion.hpp"
#include "shell.hpp"
#include "target.hpp"

#include <corosh/loop.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

using namespace corosh;
using namespace corosh::shell;

namespace {

class FakeTarget final : public Target {
 public:
  std::vector<CoroutineView> coroutines;
  std::map<std::uint64_t, std::vector<inspect::NamedFrame>> stacks;
  std::map<std::uint64_t, std::deque<StepResult>> script;  // what each step returns, in order
  std::vector<std::uint64_t> stepped;                      // ids, as step() was called
  std::vector<std::uint64_t> cancelled;
  std::size_t finds = 0;

  std::vector<DemoInfo> demo_list;
  std::deque<CoroutineView> spawned;  // what spawn() makes, in order (empty: NotSupported)
  std::vector<PluginInfo> plugin_list;
  std::vector<inspect::Warning> warning_list;
  std::vector<inspect::FdView> fds;
  inspect::WarningLimits limits_asked;

  std::string describe() const override { return "the fake"; }
  std::vector<DemoInfo> demos() override { return demo_list; }
  std::vector<PluginInfo> plugins() override { return plugin_list; }
  std::vector<CoroutineView> list() override { return coroutines; }
  std::optional<CoroutineView> find(std::uint64_t id) override {
    ++finds;
    for (const CoroutineView& v : coroutines)
      if (v.info.id == id) return v;
    return std::nullopt;
  }
  std::vector<inspect::NamedFrame> stack(const CoroutineInfo& c, std::size_t max_frames) override {
    std::vector<inspect::NamedFrame> frames = stacks[c.id];
    if (frames.size() > max_frames) frames.resize(max_frames);
    return frames;
  }
  Symbol symbol(std::uintptr_t) override { return {}; }
  inspect::ContextMemory context(const CoroutineInfo&) override { return {}; }
  RegisterLayout register_layout() override { return {"fake64", "pc", 0, {}}; }
  inspect::LoopState loop() override { return {}; }
  std::vector<ListenerView> listener_list;
  std::vector<ListenerView> listeners() override { return listener_list; }
  std::vector<inspect::FdView> loop_fds() override { return fds; }
  std::vector<inspect::TimerView> loop_timers() override { return {}; }
  std::vector<inspect::Warning> warnings(const inspect::WarningLimits& limits) override {
    limits_asked = limits;
    return warning_list;
  }
  void trace_start() override {}
  std::size_t trace_stop() override { return 0; }
  bool tracing() const override { return false; }
  TraceRecording trace_recording() override { return {}; }
  StepResult step(const CoroutineView& v) override {
    stepped.push_back(v.info.id);
    std::deque<StepResult>& next = script[v.info.id];
    REQUIRE_FALSE(next.empty());  // a step the test did not expect
    StepResult r = next.front();
    next.pop_front();
    return r;
  }
  std::uint64_t spawn(const SpawnRequest& request) override {
    if (spawned.empty()) return Target::spawn(request);
    coroutines.push_back(spawned.front());
    spawned.pop_front();
    return coroutines.back().info.id;
  }
  Endpoint listen(const ListenRequest& request) override {
    listened.push_back(request.host);
    requests.push_back(request);
    return Endpoint{request.host, request.port ? request.port : std::uint16_t(40000)};
  }
  std::vector<std::string> listened;
  std::vector<ListenRequest> requests;
  std::vector<std::uint64_t> forgotten;
  void forget(const CoroutineView& v) override {
    forgotten.push_back(v.info.id);
    std::erase_if(coroutines, [&](const CoroutineView& c) { return c.info.id == v.info.id; });
  }
  StepResult cancel(const CoroutineView& v) override {
    cancelled.push_back(v.info.id);
    return StepResult{.state = State::dead, .ending = Ending::cancelled};
  }
};

CoroutineView coroutine(std::uint64_t id, std::string name, State state, bool yours, std::string wait = {}) {
  CoroutineView v;
  v.info.id = id;
  v.info.name = std::move(name);
  v.info.state = state;
  v.info.wait_reason = std::move(wait);
  v.info.stack_size = 64 * 1024;
  v.info.stack_in_use = 512;
  v.yours = yours;
  v.origin = yours ? "fib" : "by the loop";
  return v;
}

StepResult yielded(std::string value) {
  return StepResult{.yielded = std::move(value), .state = State::suspended};
}

inspect::NamedFrame frame(std::string function, std::string file, int line) {
  inspect::NamedFrame f;
  f.symbol.function = std::move(function);
  f.symbol.file = std::move(file);
  f.symbol.line = line;
  return f;
}

// A shell on the fake, with what it prints collected line by line.
struct Session {
  FakeTarget target;
  Loop loop;
  std::vector<std::string> lines, errors;
  Output out{false, false, [this](bool error, std::string_view line) {
               (error ? errors : lines).emplace_back(line);
             }};
  Shell shell{target, loop, out};

  // Runs one command; returns what it printed (results, then errors).
  std::vector<std::string> run(std::string_view line) {
    lines.clear();
    errors.clear();
    shell.execute(line);
    std::vector<std::string> all = lines;
    all.insert(all.end(), errors.begin(), errors.end());
    return all;
  }
};

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("list shows every coroutine, marks the selected one and those the shell does not drive", "[shell]") {
  Session s;
  CHECK(s.run("list") == std::vector<std::string>{"no coroutines (`spawn NAME` starts one; `demos` lists the names)"});
  s.target.coroutines = {coroutine(1, "fib", State::suspended, true),
                         coroutine(2, "", State::suspended, false, "fd 7 readable")};
  s.shell.selected = 1;
  std::vector<std::string> out = s.run("list");
  REQUIRE(out.size() == 4);  // heading + two rows + totals
  CHECK(contains(out[0], "ID"));
  CHECK(out[3] == "2 coroutines: 2 suspended (1 waiting)");
  CHECK(out[1].starts_with("*"));
  CHECK(contains(out[1], "fib"));
  CHECK_FALSE(contains(out[1], "inspect only"));
  CHECK(out[2].starts_with(" "));
  CHECK(contains(out[2], " - "));  // no name
  CHECK(contains(out[2], "suspended, waiting for fd 7 readable"));
  CHECK(contains(out[2], "(inspect only)"));
  CHECK(s.errors.empty());
}

TEST_CASE("list keeps its columns in line whatever the state says, and shows where each is parked", "[shell]") {
  Session s;
  s.target.coroutines = {coroutine(1, "fib", State::suspended, true),
                         coroutine(2, "reader", State::suspended, false, "fd 7 readable, 4999 ms left"),
                         coroutine(3, "done", State::dead, true)};
  s.target.coroutines[2].info.ending = Ending::cancelled;
  s.target.stacks[1] = {frame("corosh::yield()", "coroutine.hpp", 122), frame("fibonacci(corosh::Sink<int>&)", "fib.cpp", 21),
                        frame("corosh_trampoline", "switch_x86_64.S", 119)};
  s.target.stacks[2] = {frame("corosh::Loop::wait(int)", "loop.cpp", 373), frame("(anonymous namespace)::serve(int)", "srv.cpp", 9)};
  const std::vector<std::string> out = s.run("list");
  REQUIRE(out.size() == 5);
  // Every column starts where its heading does.
  for (std::string_view heading : {"SWITCHES", "STACK USED/SIZE", "PARKED AT"}) {
    const std::size_t at = out[0].find(heading);
    REQUIRE(at != std::string::npos);
    CHECK(out[1][at - 1] == ' ');
    CHECK(out[2][at - 1] == ' ');
  }
  const std::size_t parked = out[0].find("PARKED AT");
  CHECK(out[1].substr(parked) == "fibonacci at fib.cpp:21");
  CHECK(out[2].substr(parked) == "serve at srv.cpp:9       (inspect only)");
  CHECK(out[3].size() < parked);  // a dead one is parked nowhere
  CHECK(out[4] == "3 coroutines: 2 suspended (1 waiting), 1 dead (1 cancelled)");
}

TEST_CASE("list filters by state, name, waiting, death and site, and says what it hid", "[shell]") {
  Session s;
  s.target.coroutines = {coroutine(1, "read-1", State::suspended, false, "fd 7 readable"),
                         coroutine(2, "read-2", State::suspended, false, "fd 7 readable"),
                         coroutine(3, "idle-3", State::suspended, false), coroutine(4, "new", State::created, true),
                         coroutine(5, "gone", State::dead, true)};
  s.target.coroutines[4].info.ending = Ending::faulted;
  for (CoroutineView& v : s.target.coroutines) {
    v.info.site_file = "/src/demos/crowd.cpp";
    v.info.site_line = v.info.id < 3 ? 58 : 60;
  }
  const auto ids = [&](std::string_view command) {
    std::vector<std::string> out = s.run(command);
    std::vector<std::uint64_t> shown;
    for (std::size_t i = 1; i + 1 < out.size(); ++i) shown.push_back(std::stoull(out[i].substr(1)));
    return shown;
  };
  using Ids = std::vector<std::uint64_t>;
  CHECK(ids("list --name 'read-*'") == Ids{1, 2});
  CHECK(ids("list --waiting") == Ids{1, 2});
  CHECK(ids("list --state created --state dead") == Ids{4, 5});
  CHECK(ids("list --state faulted") == Ids{5});
  CHECK(ids("list --dead") == Ids{5});
  CHECK(ids("list --state suspended --name '*-3'") == Ids{3});
  CHECK(ids("list --site crowd.cpp:58") == Ids{1, 2});
  CHECK(ids("list --site demos/crowd.cpp") == Ids{1, 2, 3, 4, 5});
  CHECK(ids("list --site rowd.cpp").empty());
  CHECK(s.run("list --waiting").back() ==
        "2 shown (--waiting) of 5 coroutines: 1 created, 3 suspended (2 waiting), 1 dead (1 faulted)");
  CHECK(s.run("list --name 'x*'") == std::vector<std::string>{
                                        "no coroutine matches --name 'x*' (5 coroutines: 1 created, 3 suspended (2 "
                                        "waiting), 1 dead (1 faulted))"});
  CHECK(s.run("list --state sleeping") ==
        std::vector<std::string>{"error: list: no state called 'sleeping' (created, suspended, running, normal, "
                                 "dead, waiting, or how it died: returned, threw, cancelled, faulted)"});
  CHECK(s.run("list --site crowd.cpp:x") ==
        std::vector<std::string>{"error: list: bad --site line: 'x' is not a whole number"});
  CHECK(s.run("list fib") == std::vector<std::string>{"error: list: 'fib': list takes only options (`help list`)"});
  CHECK(s.run("list --name") == std::vector<std::string>{"error: list: --name needs a value (--name GLOB)"});
}

TEST_CASE("tree draws each coroutine under its creator, and info names parent and children", "[shell]") {
  Session s;
  s.target.coroutines = {coroutine(1, "pipeline", State::suspended, true), coroutine(2, "producer", State::suspended, false),
                         coroutine(3, "filter", State::suspended, false), coroutine(4, "accept", State::suspended, false),
                         coroutine(5, "conn", State::suspended, false), coroutine(6, "orphan", State::dead, false),
                         coroutine(7, "main's", State::suspended, false)};
  s.target.coroutines[0].origin = "pipeline 30";
  s.target.coroutines[1].info.parent = s.target.coroutines[2].info.parent = 1;
  s.target.coroutines[1].info.creator = s.target.coroutines[2].info.creator = Creator::coroutine;
  s.target.coroutines[3].info.creator = Creator::loop;
  s.target.coroutines[4].info.parent = 4;
  s.target.coroutines[4].info.creator = Creator::coroutine;
  s.target.coroutines[5].info.parent = 99;  // its creator is gone
  s.target.coroutines[5].info.creator = Creator::coroutine;
  s.target.coroutines[5].info.ending = Ending::returned;
  CHECK(s.run("tree") == std::vector<std::string>{
                             "spawned by the shell",
                             "\u2514\u2500 1 'pipeline'  suspended",
                             "   \u251c\u2500 2 'producer'  suspended",
                             "   \u2514\u2500 3 'filter'  suspended",
                             "the loop",
                             "\u2514\u2500 4 'accept'  suspended",
                             "   \u2514\u2500 5 'conn'  suspended",
                             "coroutine 99 (gone)",
                             "\u2514\u2500 6 'orphan'  dead (returned)",
                             "the thread's own code",
                             "\u2514\u2500 7 'main's'  suspended",
                         });
  CHECK(s.run("tree 1") == std::vector<std::string>{"1 'pipeline'  suspended", "\u251c\u2500 2 'producer'  suspended",
                                                    "\u2514\u2500 3 'filter'  suspended"});
  const std::vector<std::string> pipeline = s.run("info 1");
  CHECK(pipeline[1] == "  spawned   by the shell: spawn pipeline 30");
  CHECK(pipeline[2] == "  children  2 'producer', 3 'filter'");
  CHECK(s.run("info 2")[1] == "  spawned   by coroutine 1 'pipeline'");
  CHECK(s.run("info 4")[1] == "  spawned   by the loop");
  CHECK(s.run("info 6")[1] == "  spawned   by coroutine 99 (gone)");
  CHECK(s.run("info 7")[1] == "  spawned   by the thread's own code");
}

TEST_CASE("forget lets dead coroutines go, one or all, and refuses a live one", "[shell]") {
  Session s;
  s.target.coroutines = {coroutine(1, "a", State::dead, true), coroutine(2, "b", State::suspended, true),
                         coroutine(3, "c", State::dead, false)};
  s.shell.selected = 1;
  CHECK(s.run("forget 2") == std::vector<std::string>{"error: forget: coroutine 2 'b' is suspended: only a dead "
                                                      "coroutine can be forgotten (`cancel` ends it first)"});
  CHECK(s.run("forget") == std::vector<std::string>{"forgot coroutine 1 'a'; 64 KiB of stack given back"});
  CHECK(s.shell.selected == 0);  // what it named is gone
  CHECK(s.run("forget --dead") == std::vector<std::string>{"forgot coroutine 3 'c'; 64 KiB of stack given back"});
  CHECK(s.target.forgotten == std::vector<std::uint64_t>{1, 3});
  CHECK(s.run("forget --dead") == std::vector<std::string>{"no dead coroutines to forget"});
  CHECK(s.run("forget 2 --dead") == std::vector<std::string>{"error: forget: give an ID or --dead, not both"});
}

TEST_CASE("warnings name the coroutine and where it is parked; list marks it with !", "[shell]") {
  Session s;
  s.target.coroutines = {coroutine(1, "fib", State::suspended, true), coroutine(2, "lost", State::suspended, false)};
  CHECK(s.run("warnings") == std::vector<std::string>{"no warnings"});
  inspect::Warning w;
  w.kind = "never_woken";
  w.coroutine = 2;
  w.name = "lost";
  w.message = "belongs to the loop but is suspended without waiting on it";
  w.parked_at = frame("wander()", "lost.cpp", 12).symbol;
  s.target.warning_list = {w};
  CHECK(s.run("warnings") ==
        std::vector<std::string>{"! coroutine 2 'lost' belongs to the loop but is suspended without waiting on it",
                                 "    parked in wander() at lost.cpp:12"});
  std::vector<std::string> out = s.run("list");
  REQUIRE(out.size() == 4);
  CHECK(out[1].starts_with("    1"));
  CHECK(out[2].starts_with("!   2"));
  CHECK(s.run("warnings --resume-limit 250")[0] == "a resume longer than 250 ms is now a warning");
  CHECK(s.target.limits_asked.long_resume_ns == 250'000'000);
  CHECK(s.run("warnings --resume-limit 0") ==
        std::vector<std::string>{"error: warnings: MS out of range: 0 (allowed: 1 to 3600000)"});
  CHECK(s.run("warnings --loud") ==
        std::vector<std::string>{"error: warnings: unknown option '--loud' (--resume-limit MS is known)"});
}

TEST_CASE("loop --fd N tells who waits on the descriptor and where it is parked", "[shell]") {
  Session s;
  s.target.coroutines = {coroutine(5, "acceptor", State::suspended, false, "fd 7 readable")};
  s.target.stacks[5] = {frame("corosh::Loop::wait(int, corosh::Interest)", "loop.cpp", 300),
                        frame("serve(corosh::Listener&)", "server.cpp", 42)};
  inspect::FdView f;
  f.fd = 7;
  f.kind = "listener";
  f.local = "127.0.0.1:7000";
  f.registered = "readable";
  f.waiters = {{5, "acceptor", "readable", -1}};
  f.listening = true;
  f.accepted = 4;
  f.dropped = 1;
  s.target.fds = {f};
  CHECK(s.run("loop --fd 7") == std::vector<std::string>{"fd 7: listener on 127.0.0.1:7000, poller interest readable",
                                                         "  coroutine 5 'acceptor' waits readable",
                                                         "    parked in serve(corosh::Listener&) at server.cpp:42",
                                                         "  no watch", "  listener: 4 accepted, 1 dropped"});
  CHECK(s.run("loop --fd 8") ==
        std::vector<std::string>{"fd 8: not known to the loop (nothing waits on it or watches it)"});
  CHECK(s.run("loop --fd") == std::vector<std::string>{"error: loop: --fd needs a descriptor number"});
}

TEST_CASE("stack names the frames, says what it left out, and refuses a coroutine with no stack", "[shell]") {
  Session s;
  s.target.coroutines = {coroutine(3, "deep", State::suspended, true), coroutine(4, "done", State::dead, true)};
  s.target.coroutines[1].info.ending = Ending::returned;
  for (int i = 0; i < 40; ++i) s.target.stacks[3].push_back(frame("descend(int)", "deep.cpp", 30 + i % 2));
  std::vector<std::string> out = s.run("stack deep");
  REQUIRE(out.size() == 1 + 32 + 1 + 1 + 1);  // status, 32 frames, what was left out, the bottom, summary
  CHECK(out[0] == "coroutine 3 'deep': suspended");
  CHECK(out[1] == "#0      descend(int) at deep.cpp:30");
  CHECK(out[32] == "#31     descend(int) at deep.cpp:31");
  CHECK(out[33] == "#32\u2013#38 \u2026 7 frames left out (`stack 3 --full` shows them)");
  CHECK(out[34] == "#39     descend(int) at deep.cpp:31");
  CHECK(contains(out[35], "64 KiB, 512 bytes in use"));
  CHECK(s.run("stack deep --full").size() == 1 + 40 + 1);
  CHECK(s.run("stack deep 5").size() == 1 + 5 + 1 + 1 + 1);
  CHECK(s.run("stack deep --frobnicate") ==
        std::vector<std::string>{"error: stack: unknown option '--frobnicate' (stack knows --all, --full, --group, --json)"});
  CHECK(s.run("stack deep 0") == std::vector<std::string>{"error: stack: N out of range: 0 (allowed: 1 to 65536)"});

  CHECK(s.run("stack 4") ==
        std::vector<std::string>{"error: stack: coroutine 4 'done' is dead (returned): it has no stack left to walk"});
  CHECK(s.run("stack 9") == std::vector<std::string>{"error: stack: no coroutine with id 9 (`list` shows them)"});
  CHECK(s.run("stack nobody") == std::vector<std::string>{"error: stack: no coroutine named 'nobody' (`list` shows them)"});
  CHECK(s.run("stack") ==
        std::vector<std::string>{"error: stack: no coroutine selected (spawn one, or give an id or a name)"});
}

TEST_CASE("step resumes the selected coroutine N times and stops where it can no longer go on", "[shell]") {
  Session s;
  s.target.coroutines = {coroutine(1, "fib", State::suspended, true)};
  s.shell.selected = 1;
  s.target.script[1] = {yielded("0"), yielded("1"), StepResult{.state = State::dead, .ending = Ending::returned}};
  std::vector<std::string> out = s.run("step 5");
  // Three resumes: the third returned, so the other two of the five never ran.
  CHECK(s.target.stepped == std::vector<std::uint64_t>{1, 1, 1});
  CHECK(out == std::vector<std::string>{"yielded 0", "yielded 1", "coroutine 1 'fib': dead (returned)"});
  // The coroutine was looked up once for the whole command, not per step.
  CHECK(s.target.finds == 1);
}

TEST_CASE("step stops when the coroutine starts waiting on the loop, and refuses one that already waits", "[shell]") {
  Session s;
  s.target.coroutines = {coroutine(1, "sleeper", State::suspended, true)};
  s.target.script[1] = {StepResult{.state = State::suspended, .wait_reason = "sleep 100 ms"}};
  CHECK(s.run("step sleeper 3") ==
        std::vector<std::string>{"coroutine 1 'sleeper': suspended, waiting for sleep 100 ms"});
  CHECK(s.target.stepped.size() == 1);

  s.target.coroutines[0].info.wait_reason = "sleep 100 ms";
  CHECK(s.run("step sleeper") == std::vector<std::string>{
                               "coroutine 1 'sleeper' waits for sleep 100 ms: only the loop resumes it (`wait` lets "
                               "the loop run)"});
  CHECK(s.target.stepped.size() == 1);  // not resumed again
}

TEST_CASE("step refuses what the shell does not drive, by id and by name alike", "[shell]") {
  Session s;
  s.target.coroutines = {coroutine(7, "filter", State::suspended, false)};
  const std::string why = "coroutine 7 'filter' was not spawned by the shell (the loop or a demo drives it)";
  CHECK(s.run("step 7 1") == std::vector<std::string>{"error: step: " + why});
  CHECK(s.run("step filter") == std::vector<std::string>{"error: step: " + why});
  CHECK(s.target.stepped.empty());
  // Looking at it is fine.
  CHECK(s.run("stack filter").front() == "coroutine 7 'filter': suspended");
}

TEST_CASE("a death during a step is reported, then the state", "[shell]") {
  Session s;
  s.target.coroutines = {coroutine(2, "thrower", State::suspended, true)};
  inspect::Death death{.id = 2, .name = "thrower", .exception_type = "std::runtime_error", .message = "boom"};
  s.target.script[2] = {StepResult{.state = State::dead, .ending = Ending::threw, .death = death}};
  CHECK(s.run("step 2 4") == std::vector<std::string>{"coroutine 2 'thrower' failed: std::runtime_error: boom",
                                                      "coroutine 2 'thrower': dead (threw)"});
  CHECK(s.target.stepped.size() == 1);
}

TEST_CASE("spawn says when the new coroutine's stack has no guard page", "[shell]") {
  Session s;
  s.target.spawned = {coroutine(5, "fib", State::created, true), coroutine(6, "fib2", State::created, true)};
  s.target.spawned[0].info.stack_guarded = true;
  CHECK(s.run("spawn fib") == std::vector<std::string>{"spawned coroutine 5 'fib' (64 KiB stack), selected"});
  CHECK(s.run("spawn fib --name fib2") ==
        std::vector<std::string>{
            "spawned coroutine 6 'fib2' (64 KiB stack, NO guard page: an overflow on it stops the program), selected"});
  CHECK(s.shell.selected == 6);
}

TEST_CASE("a target that cannot drive says so in one error line", "[shell]") {
  Session s;
  CHECK(s.run("spawn fib") == std::vector<std::string>{"error: spawn: spawn is not supported on the fake"});
  CHECK(s.run("unlisten 7000") == std::vector<std::string>{"error: unlisten: unlisten is not supported on the fake"});
  CHECK(s.run("demos") == std::vector<std::string>{"no demos on the fake"});
}

TEST_CASE("Tab offers what the command table says stands at each position", "[shell]") {
  Session s;
  s.target.coroutines = {coroutine(1, "fib", State::suspended, true), coroutine(2, "", State::created, false)};
  s.target.demo_list = {{"fib", "", "Fibonacci numbers"}, {"deep", "[N]", "recursion"}};
  using List = std::vector<std::string>;
  const auto offered = [&](List before) { return completions(s.shell, before); };
  const List first = offered({});
  CHECK(std::find(first.begin(), first.end(), "cancel") != first.end());
  CHECK(std::find(first.begin(), first.end(), "kill") != first.end());  // aliases too
  CHECK(offered({"step"}) == List{"1", "fib", "2"});                     // a coroutine...
  CHECK(offered({"step", "fib"}).empty());                               // ...then a count
  CHECK(offered({"trace"}) == List{"on", "off", "save"});
  CHECK(offered({"spawn"}) == List{"fib", "deep"});
  CHECK(offered({"spawn", "deep"}) == List{"--name", "--stack"});  // its ARGS are free text
  CHECK(offered({"spawn", "deep", "--stack"}).empty());             // a size
  CHECK(offered({"help"}).size() == command_table().all().size());
  CHECK(offered({"frobnicate"}).empty());
}

TEST_CASE("plugins: their functions are demos marked with the plugin, help explains them, Tab offers them",
          "[shell]") {
  Session s;
  s.target.demo_list = {{"fib", "", "Fibonacci numbers"}, {"maze", "[W] [H]", "walks a maze", "mazes"}};
  s.target.plugin_list = {{"mazes", "./libmazes.so", "0.1.0", {"maze"}}};
  CHECK(s.run("demos") == std::vector<std::string>{"  fib           Fibonacci numbers",
                                                   "  maze [W] [H]  walks a maze (plugin mazes)"});
  CHECK(s.run("help maze") == std::vector<std::string>{"spawn maze [W] [H]   (plugin mazes)", "  walks a maze"});
  CHECK(s.run("plugins") == std::vector<std::string>{"  mazes  ./libmazes.so (corosh 0.1.0): maze"});
  using List = std::vector<std::string>;
  CHECK(completions(s.shell, {"spawn"}) == List{"fib", "maze"});
  CHECK(completions(s.shell, {"unload"}) == List{"mazes"});
  CHECK(completions(s.shell, {"load"}).empty());  // a path
  // The fake, like a program attached to, cannot load code.
  CHECK(s.run("load ./libmazes.so") ==
        std::vector<std::string>{"error: load: loading a plugin is not supported on the fake"});
  CHECK(s.run("unload mazes") ==
        std::vector<std::string>{"error: unload: unloading a plugin is not supported on the fake"});
}

TEST_CASE("synopses and argument counts come from each command's declared arguments", "[shell]") {
  const Command* spawn = command_table().find("spawn");
  REQUIRE(spawn != nullptr);
  CHECK(spawn->synopsis() == "DEMO [ARGS...] [--name N] [--stack SIZE]");
  CHECK(spawn->min_words() == 1);
  const Command* step = command_table().find("step");
  CHECK(step->synopsis() == "[ID] [N]");
  CHECK(step->min_words() == 0);
  CHECK(step->max_words() == 2);
  CHECK(command_table().find("kill") == command_table().find("cancel"));
  // Every command that lets time pass or reaches outside says so: the fuzzer
  // skips exactly those.
  for (std::string_view name : {"wait", "continue", "listen", "unlisten", "trace", "quit"})
    CHECK(command_table().find(name)->effects != pure);
  for (std::string_view name : {"list", "stack", "step", "spawn", "info"})
    CHECK(command_table().find(name)->effects == pure);
}

TEST_CASE("conns says what went wrong on a listener, and only when something did", "[shell]") {
  Session s;
  CHECK(s.run("conns") == std::vector<std::string>{"no listeners (`listen PORT` starts one)"});
  ListenerView quiet{.local = {"127.0.0.1", 7000}, .kind = "echo", .accepted = 2, .bytes_in = 10, .bytes_out = 10};
  ListenerView rough = quiet;
  rough.local.port = 7001;
  rough.refused = 3;
  rough.resets = 1;
  rough.errors = 2;
  rough.connections = {{.id = 1, .peer = {"127.0.0.1", 50000}, .state = "reading", .coroutine = 9}};
  s.target.listener_list = {quiet, rough};
  std::vector<std::string> out = s.run("conns");
  REQUIRE(out.size() == 3);
  CHECK(out[0] == "127.0.0.1:7000 (echo): 2 accepted, 0 active, 10 bytes in, 10 out");
  CHECK(out[1] == "127.0.0.1:7001 (echo): 2 accepted, 0 active, 10 bytes in, 10 out, 3 refused (out of descriptors), "
                  "1 reset, 2 errors");
  CHECK(contains(out[2], "127.0.0.1:50000"));
  CHECK(contains(out[2], "(coroutine 9)"));
}

TEST_CASE("a unique prefix names a command; an ambiguous one lists the candidates", "[shell]") {
  Session s;
  CHECK(command_table().find("q") == command_table().find("quit"));
  CHECK(command_table().find("inf") == command_table().find("info"));
  CHECK(command_table().find("s") == nullptr);
  CHECK(s.run("s") ==
        std::vector<std::string>{"error: unknown command 's' (it could be spawn, select, step, stack, stacks or source)"});
  CHECK(s.run("stpe") == std::vector<std::string>{"error: unknown command 'stpe' (did you mean 'step'?)"});
  CHECK(s.run("lis") == std::vector<std::string>{"error: unknown command 'lis' (it could be list or listen)"});
}

TEST_CASE("a negative number is a bad count or id, never a name", "[shell]") {
  Session s;
  s.target.coroutines = {coroutine(1, "fib", State::suspended, true)};
  s.shell.selected = 1;
  CHECK(s.run("step -1") == std::vector<std::string>{"error: step: count out of range: -1 (allowed: 1 to 1000000)"});
  CHECK(s.run("stack -3").front().starts_with("error: stack: id out of range: -3"));
  CHECK(s.target.stepped.empty());
}

TEST_CASE("listen takes a full numeric host, loopback unless said otherwise", "[shell]") {
  Session s;
  CHECK(s.run("listen 0") == std::vector<std::string>{"listening on 127.0.0.1:40000 (echo); port 40000"});
  CHECK(s.run("listen 7000 ::1") == std::vector<std::string>{"listening on [::1]:7000 (echo); port 7000"});
  CHECK(s.run("listen 7000 0.0.0.0") ==
        std::vector<std::string>{"listening on 0.0.0.0:7000 (echo); port 7000; NOT loopback: other machines can connect"});
  // The resolver would take these for every interface, or guess.
  for (std::string_view host : {"''", "0", "1.2", "localhost"}) {
    std::vector<std::string> out = s.run("listen 7000 " + std::string(host));
    REQUIRE(out.size() == 1);
    CHECK(out[0].starts_with("error: listen: HOST must be a numeric address"));
  }
  CHECK(s.target.listened == std::vector<std::string>{"127.0.0.1", "::1", "0.0.0.0"});
}

TEST_CASE("listen takes a connection limit and an idle timeout, anywhere among its words", "[shell]") {
  Session s;
  CHECK(s.run("listen 0 --max-connections 5 --idle-timeout 2.5") ==
        std::vector<std::string>{"listening on 127.0.0.1:40000 (echo); port 40000"});
  CHECK(s.run("listen --idle-timeout 0 7000 ::1 --max-connections 0") ==
        std::vector<std::string>{"listening on [::1]:7000 (echo); port 7000"});
  CHECK(s.run("listen 7001") == std::vector<std::string>{"listening on 127.0.0.1:7001 (echo); port 7001"});
  REQUIRE(s.target.requests.size() == 3);
  CHECK(s.target.requests[0].max_connections == std::optional<std::size_t>(5));
  CHECK(s.target.requests[0].idle_timeout == std::optional<corosh::Duration>(std::chrono::milliseconds(2500)));
  CHECK(s.target.requests[1].port == 7000);
  CHECK(s.target.requests[1].host == "::1");
  CHECK(s.target.requests[1].max_connections == std::optional<std::size_t>(0));  // no limit, said so
  CHECK_FALSE(s.target.requests[1].idle_timeout);                              // 0: never
  CHECK_FALSE(s.target.requests[2].max_connections);                           // the listener's default
  CHECK_FALSE(s.target.requests[2].idle_timeout);
  CHECK(s.run("listen 0 --max-connections lots") ==
        std::vector<std::string>{"error: listen: bad --max-connections: 'lots' is not a whole number"});
  CHECK(s.run("listen 0 --max-connections -1").front().starts_with("error: listen: --max-connections out of range"));
  CHECK(s.run("listen 0 --idle-timeout soon").front().starts_with("error: listen: bad SECONDS: 'soon'"));
  CHECK(s.run("listen 0 --idle-timeout").front().starts_with("error: listen:"));
  CHECK(s.run("listen --max-connections 5").front().starts_with("error: listen: missing argument (usage: listen PORT"));
  CHECK(s.run("listen 1 ::1 3 --idle-timeout 1").front().starts_with("error: listen: too many arguments"));
  CHECK(s.target.requests.size() == 3);  // none of the bad ones got through
}

TEST_CASE("conns shows a listener's limits and what they turned away", "[shell]") {
  Session s;
  ListenerView l{.local = {"127.0.0.1", 7000}, .kind = "echo", .accepted = 3, .active = 2, .bytes_in = 8, .bytes_out = 8};
  l.max_connections = 2;
  l.idle_timeout_ns = 250'000'000;
  l.over_limit = 4;
  l.no_guard = 1;
  l.idle_closed = 1;
  s.target.listener_list = {l};
  CHECK(s.run("conns") ==
        std::vector<std::string>{"127.0.0.1:7000 (echo, at most 2 connections, idle timeout 0.25 s): 3 accepted, 2 active, "
                                 "8 bytes in, 8 out, 4 refused (at the connection limit), 1 refused (no guarded stack "
                                 "to spare), 1 closed idle"});
}
