// demos/catalog.hpp — the demo catalog: teaching programs the shell can spawn.
//
// Each demo is one .cpp file that registers itself with a static
// corosh::demos::Registration: a name, a one-line description, an argument
// synopsis and a factory that turns string arguments into a Task (the
// coroutine or generator the shell then steps). Adding a demo is adding a
// file to demos/CMakeLists.txt; nothing else changes.
//
//   const corosh::demos::Registration registration{{
//       .name = "counter",
//       .synopsis = "[N]",
//       .description = "counts from 1 to N",
//       .create = [](const corosh::demos::Arguments& args, const corosh::demos::Spec& spec) {
//         corosh::demos::at_most(args, 1);
//         int n = corosh::demos::count_argument(args, 0, "N", 10, 1, 1000);
//         return corosh::demos::make_generator<int>(spec, [](int n, corosh::Sink<int>& out) {
//           for (int i = 1; i <= n; ++i) out(i);
//         }, n);
//       }}};
#pragma once

#include <corosh/coroutine.hpp>
#include <corosh/generator.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace corosh::demos {

// What the shell holds for one spawned demo: a coroutine, stepped one resume
// at a time.
class Task {
 public:
  virtual ~Task() = default;
  // The coroutine behind the demo (state, id, name, cancel).
  virtual Coroutine& coroutine() noexcept = 0;
  // Resumes once; returns the value handed out, as text, if the demo is a
  // generator and produced one. Rethrows what escaped the coroutine.
  virtual std::optional<std::string> step() = 0;
};

// How the shell wants the coroutine made.
struct Spec {
  std::string name;
  std::size_t stack_size = default_stack_size;
};

using Arguments = std::vector<std::string>;

// Thrown by a factory for arguments it cannot use; what() says why.
class BadArguments : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct Demo {
  std::string_view name;
  std::string_view synopsis;      // e.g. "[N]"; empty when it takes none
  std::string_view description;   // one line
  std::function<std::unique_ptr<Task>(const Arguments&, const Spec&)> create;
};

// Adds a demo to the catalog (use one static instance per demo file).
struct Registration {
  explicit Registration(Demo demo);
};

// Every registered demo, sorted by name.
const std::vector<Demo>& catalog();
// The demo called `name`, or null.
const Demo* find_demo(std::string_view name);

// Argument `index` as a whole number in [min, max], or `fallback` when it is
// absent; throws BadArguments naming `what` otherwise.
long count_argument(const Arguments& args, std::size_t index, std::string_view what, long fallback,
                    long min, long max);

// Throws BadArguments if more than `most` arguments were given.
void at_most(const Arguments& args, std::size_t most);

// A plain coroutine as a Task.
class CoroutineTask final : public Task {
 public:
  explicit CoroutineTask(Coroutine coroutine) : coroutine_(std::move(coroutine)) {}
  Coroutine& coroutine() noexcept override { return coroutine_; }
  std::optional<std::string> step() override {
    coroutine_.resume();
    return std::nullopt;
  }

 private:
  Coroutine coroutine_;
};

// A Generator<T> as a Task. `keep` holds data the producer reads (a tree, a
// table): declared first, it is destroyed after the generator has unwound.
template <class T>
class GeneratorTask final : public Task {
 public:
  GeneratorTask(std::shared_ptr<const void> keep, Generator<T> generator)
      : keep_(std::move(keep)), generator_(std::move(generator)) {}
  Coroutine& coroutine() noexcept override { return generator_.coroutine(); }
  std::optional<std::string> step() override {
    std::optional<T> value = generator_.next();
    if (!value) return std::nullopt;
    std::ostringstream text;
    text << *value;
    return text.str();
  }

 private:
  std::shared_ptr<const void> keep_;
  Generator<T> generator_;
};

// A line of commentary from a demo (a sleeper waking, a connection closing):
// on stdout in a standalone program, through the shell's output in corosh so
// that it does not scribble over the prompt.
void print(std::string_view line);
// Where print() goes (nullptr: back to stdout). The shell sets it.
void set_printer(std::function<void(std::string_view)> printer);

// Options for the coroutine, with the creation site of the caller (the demo
// file), so `info` shows where the demo made it.
inline Options options_for(const Spec& spec,
                           std::source_location site = std::source_location::current()) {
  return Options{.name = spec.name, .stack_size = spec.stack_size, .site = site};
}

}  // namespace corosh::demos
