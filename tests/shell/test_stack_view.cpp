// test_stack_view.cpp — what `stack` and `stacks` make of frames: the one
// rule for the runtime's own frames, folding, bounds that say what they
// leave out, and grouping identical stacks.
#include "catch.hpp"

#include "frames.hpp"
#include "stack_groups.hpp"
#include "stack_view.hpp"

#include <optional>
#include <string>
#include <vector>

using namespace corosh::shell;

namespace {

FrameLine user(std::string function, int line, std::string file = "deep.cpp") {
  FrameLine f{std::move(function), std::move(file), line, "corosh", false, false, 0};
  return f;
}

FrameLine runtime(std::string function, bool inlined = true) {
  FrameLine f{std::move(function), "switch.hpp", 92, "corosh", inlined, true, 0};
  return f;
}

// A parked generator's stack as libdw names it: the runtime's yield on top,
// `depth` frames of descend (the innermost at line 32, the others at 33),
// start, then the runtime's way in at the bottom.
std::vector<FrameLine> deep_stack(std::size_t depth) {
  std::vector<FrameLine> frames{runtime("corosh::detail::switch_context(corosh::detail::ContextRecord*)"),
                                runtime("corosh::detail::yield_now()"), runtime("corosh::yield()"),
                                runtime("corosh::Sink<std::string>::operator()(std::string)", false)};
  frames.push_back(user("descend(long)", 32));
  for (std::size_t i = 1; i < depth; ++i) frames.push_back(user("descend(long)", 33));
  frames.push_back(user("start(long)", 39));
  frames.push_back(runtime("std::apply<F&, std::tuple<long> >"));
  frames.push_back(runtime("corosh::detail::Body<F, std::tuple<long> >::run()", false));
  frames.push_back(runtime("corosh_trampoline", false));
  return frames;
}

// A view that folds (or not), bounded (or not).
StackView view(bool folded, std::optional<std::size_t> limit = std::nullopt) {
  StackView v;
  v.fold_runtime = v.fold_recursion = folded;
  v.limit = limit;
  v.full_command = "stack 1 --full";
  return v;
}

std::vector<std::string> shown(const std::vector<FrameLine>& frames, const StackView& view) {
  Output plain(false, false, [](bool, std::string_view) {});
  return render(fold(frames, view), view, plain);
}

}  // namespace

TEST_CASE("the runtime's frames are corosh's own and the std call forwarding, nobody else's", "[shell]") {
  // What libdw and the demangler call the runtime's frames in a parked stack.
  for (const char* name : {
           "corosh::detail::switch_context(corosh::detail::ContextRecord*, corosh::detail::ContextRecord*)",
           "corosh::yield()",
           "corosh::Sink<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > >::operator()"
           "(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >) [clone .isra.0]",
           "void corosh::Generator<long>::Run<void (*)(corosh::Generator<long>*, corosh::Sink<long>&)>::operator()"
           "<corosh::Generator<long>*>(corosh::Generator<long>*&&)",
           "corosh::Generator<int>::Run<void (*)(const (anonymous namespace)::Node*, corosh::Sink<int>&)>::operator()"
           "<const (anonymous namespace)::Node*>",
           "std::__invoke_result<F&, long>::type std::__invoke<F&, long>(F&, long&&)",
           "void std::__invoke_impl<void, F&>(std::__invoke_other, F&)",
           "decltype(auto) std::__apply_impl<F&, std::tuple<>>(F&, std::tuple<>&&, std::integer_sequence<unsigned long>)",
           "decltype(auto) std::apply<F&, std::tuple<> >(F&, std::tuple<>&&)",
           "std::__1::apply<F&, std::__1::tuple<> >",  // libc++
           "corosh::detail::Body<F, std::tuple<> >::run()",
           "corosh::detail::(anonymous namespace)::entry(void*)",
           "corosh::Loop::wait(int, corosh::Interest, std::optional<long>)",
           "corosh::Listener::accept(corosh::Endpoint*)",
           "corosh::Loop::spawn(std::function<void ()>)::{lambda()#1}::operator()() const",
           "std::_Function_handler<void (), F>::_M_invoke(std::_Any_data const&)",
           "std::function<void ()>::operator()() const",
           "corosh_trampoline",
       })
    CHECK(runtime_frame(name));
  // The program's frames, however much they mention corosh.
  for (const char* name : {
           "(anonymous namespace)::descend(long, long, unsigned long, corosh::Sink<std::string>&)",
           "void walk<corosh::Sink<int> >(corosh::Sink<int>&)",
           "corosh::demos::EchoServer::State::accept_loop()",
           "corosh::demos::EchoServer::EchoServer(corosh::demos::EchoOptions const&)::{lambda()#1}::operator()() const",
           "corosh::shell::Shell::execute(std::string_view)",
           "coroshy::thing()",
           "main",
           "0x4011f0",
           "(anonymous namespace)::{lambda}::operator()::{lambda}::operator()",
           "std::vector<int, std::allocator<int> >::push_back(int&&)",
           "",
       })
    CHECK_FALSE(runtime_frame(name));
}

TEST_CASE("a scope path keeps the names and drops return types, templates and parameters", "[shell]") {
  CHECK(scope_path("void corosh::Generator<long>::Run<void (*)(long)>::operator()<long*>(long*&&)") ==
        "corosh::Generator::Run::operator()");
  CHECK(scope_path("decltype(auto) std::apply<F&, std::tuple<> >(F&, std::tuple<>&&)") == "std::apply");
  CHECK(scope_path("(anonymous namespace)::descend(long) [clone .isra.0]") == "(anonymous namespace)::descend");
  CHECK(scope_path("std::ostream& operator<<(std::ostream&, int)") == "operator<<");
  CHECK(scope_path("f()::{lambda(int)#2}::operator()(int) const") == "f");
  CHECK(scope_path("corosh_trampoline") == "corosh_trampoline");
}

TEST_CASE("where a coroutine is parked is its first frame outside the runtime, with that frame's line", "[shell]") {
  std::optional<FrameLine> at = parked_at(deep_stack(3));
  REQUIRE(at);
  CHECK(at->function == "descend(long)");
  CHECK(at->line == 32);
  CHECK(short_location(*at) == "descend at deep.cpp:32");
  CHECK_FALSE(parked_at({runtime("corosh_trampoline", false)}));
  CHECK_FALSE(parked_at({}));
}

TEST_CASE("stack folds the runtime's frames and direct recursion, and keeps the bottom", "[shell]") {
  const std::vector<std::string> lines = shown(deep_stack(150), view(true));
  CHECK(lines == std::vector<std::string>{
                     "#0\u2013#3     \u2026 4 corosh frames",
                     "#4        descend(long) at deep.cpp:32",
                     "#5\u2013#153   descend(long) at deep.cpp:33  \u00d7149",
                     "#154      start(long) at deep.cpp:39",
                     "#155\u2013#157 \u2026 3 corosh frames",
                 });
  // Two of a kind are shown as they are.
  const std::vector<std::string> shallow = shown(deep_stack(3), view(true));
  CHECK(shallow[2] == "#5     descend(long) at deep.cpp:33");
  CHECK(shallow[3] == "#6     descend(long) at deep.cpp:33");
}

TEST_CASE("stack --all shows every frame, and a bound says what it left out and shows the bottom", "[shell]") {
  const std::vector<FrameLine> frames = deep_stack(150);
  const std::vector<std::string> all = shown(frames, view(false));
  REQUIRE(all.size() == frames.size());
  CHECK(all[0] == "#0   corosh::detail::switch_context(corosh::detail::ContextRecord*) at switch.hpp:92 (inlined)");
  CHECK(all[157] == "#157 corosh_trampoline at switch.hpp:92");

  const std::vector<std::string> top =
      shown(frames, view(false, 6));
  CHECK(top == std::vector<std::string>{
                   "#0      corosh::detail::switch_context(corosh::detail::ContextRecord*) at switch.hpp:92 (inlined)",
                   "#1      corosh::detail::yield_now() at switch.hpp:92 (inlined)",
                   "#2      corosh::yield() at switch.hpp:92 (inlined)",
                   "#3      corosh::Sink<std::string>::operator()(std::string) at switch.hpp:92",
                   "#4      descend(long) at deep.cpp:32",
                   "#5      descend(long) at deep.cpp:33",
                   "#6\u2013#153 \u2026 148 frames left out (`stack 1 --full` shows them)",
                   "#154    start(long) at deep.cpp:39",
                   "#155    std::apply<F&, std::tuple<long> > at switch.hpp:92 (inlined)",
                   "#156    corosh::detail::Body<F, std::tuple<long> >::run() at switch.hpp:92",
                   "#157    corosh_trampoline at switch.hpp:92",
               });
  // A bound the stack fits in (the bottom included) leaves nothing out.
  CHECK(shown(frames, view(true, 3)).size() == 5);
}

TEST_CASE("a stack of nothing but the runtime's frames is shown as it is", "[shell]") {
  CHECK(shown({runtime("corosh_trampoline", false)}, view(true)) ==
        std::vector<std::string>{"#0   corosh_trampoline at switch.hpp:92"});
}

TEST_CASE("identical stacks are grouped, largest group first, and their ids written as ranges", "[shell]") {
  std::vector<CoroutineFrames> all;
  for (std::uint64_t id = 1; id <= 2000; ++id) {
    std::vector<FrameLine> frames{runtime("corosh::yield()"), user(id % 3 == 0 ? "idle()" : id % 3 == 1 ? "doze()" : "await_pipe(int)", 30)};
    frames.back().pc = id;  // addresses may differ; what is shown decides
    all.push_back({id, frames});
  }
  all.push_back({5000, {runtime("corosh::yield()"), user("idle()", 31)}});  // another line: another stack
  const std::vector<StackGroup> groups = group_stacks(all);
  REQUIRE(groups.size() == 4);
  CHECK(groups[0].ids.size() == 667);
  CHECK(groups[0].frames[1].function == "doze()");
  CHECK(groups[1].ids.size() == 667);
  CHECK(groups[1].frames[1].function == "await_pipe(int)");
  CHECK(groups[2].ids.size() == 666);
  CHECK(groups[3].ids == std::vector<std::uint64_t>{5000});
  CHECK(id_ranges(groups[0].ids, 12) == "1\u20131999 every 3");
  CHECK(id_ranges({1, 2, 3, 7, 9, 10}, 12) == "1\u20133, 7, 9\u201310");
  CHECK(id_ranges({2, 4, 6}, 12) == "2, 4, 6");
  CHECK(id_ranges({1, 3, 5, 6, 8, 10}, 2) == "1, 3 and 4 more");
  CHECK(id_ranges({}, 3).empty());
}
