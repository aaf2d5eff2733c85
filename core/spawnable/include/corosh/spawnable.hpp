// corosh/spawnable.hpp — declaring your own functions for corosh to spawn.
//
// A spawnable function has a name, a usage line, a one-line description and
// a body: `create` turns the words typed after `spawn NAME` into a Task, the
// coroutine or generator the shell then steps, lists and walks. A static
// corosh::spawnable::Declaration in any source file declares one, in
//   - a plugin: a shared library that `corosh --load FILE.so` or the shell's
//     `load FILE.so` opens (build it against corosh::plugin, see
//     docs/your-own-code.md);
//   - a program that runs the shell inside itself (corosh/shell.hpp);
//   - corosh itself: every built-in demo is declared this way.
//
//   #include <corosh/spawnable.hpp>
//
//   namespace {
//   void count(int n, corosh::Sink<int>& out) {
//     for (int i = 1; i <= n; ++i) out(i);  // each value is one `step`
//   }
//
//   const corosh::spawnable::Declaration counter{{
//       .name = "counter",
//       .usage = "[N]",
//       .description = "counts from 1 to N (default 10)",
//       .create = [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec) {
//         corosh::spawnable::at_most(args, 1);
//         int n = int(corosh::spawnable::count_argument(args, 0, "N", 10, 1, 1000));
//         return corosh::spawnable::task(corosh::Generator<int>(corosh::spawnable::options_for(spec), count, n));
//       }}};
//   }  // namespace
//
// Each shared object keeps its own list of declarations, and exports one C
// entry point, corosh_spawnable_module(), through which a host finds the
// list. Before it reads anything else, the host checks the stamp that entry
// point returns (abi_version, the corosh version, the C++ library), so a
// plugin built against an incompatible corosh is refused, not run.
#pragma once

#include <corosh/coroutine.hpp>
#include <corosh/generator.hpp>
#include <corosh/version.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace corosh::spawnable {

// What the shell holds for one spawned function: a coroutine, stepped one
// resume at a time.
class Task {
 public:
  virtual ~Task() = default;
  // The coroutine behind it (state, id, name, cancel).
  virtual Coroutine& coroutine() noexcept = 0;
  // Resumes once; returns the value handed out, as text, if it is a
  // generator and produced one. Rethrows what escaped the coroutine.
  virtual std::optional<std::string> step() = 0;
};

// How the shell wants the coroutine made.
struct Spec {
  std::string name;
  std::size_t stack_size = default_stack_size;
};

// The words after `spawn NAME`.
using Arguments = std::vector<std::string>;

// Thrown by `create` for arguments it cannot use; what() says why.
class BadArguments : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// One spawnable function.
struct Function {
  std::string_view name;
  std::string_view usage;         // the arguments, e.g. "[N]"; empty when it takes none
  std::string_view description;   // one line
  std::function<std::unique_ptr<Task>(const Arguments&, const Spec&)> create;
};

// Bumped whenever a change to this header breaks plugins built against an
// older one (the layout of Function, Task or Spec, the entry point).
inline constexpr std::uint32_t abi_version = 1;

// The C++ standard library a shared object was built with: std::function
// and std::string differ between them, so host and plugin must agree.
#if defined(_LIBCPP_VERSION)
inline constexpr const char* cxx_library = "libc++";
#elif defined(__GLIBCXX__) && _GLIBCXX_USE_CXX11_ABI
inline constexpr const char* cxx_library = "libstdc++";
#elif defined(__GLIBCXX__)
inline constexpr const char* cxx_library = "libstdc++ (old string ABI)";
#else
inline constexpr const char* cxx_library = "an unknown C++ library";
#endif

// What a host reads first in a shared object, before anything else of it:
// plain C data whose layout never changes. `functions` is only called once
// the stamp matches the host's own.
struct Stamp {
  char magic[8];                               // "corosh" and a NUL
  std::uint32_t abi;                           // abi_version
  const char* version;                         // corosh's version, "0.1.0"
  const char* library;                         // cxx_library
  const std::vector<Function>& (*functions)();
};

namespace detail {

// The declarations of this shared object (or program). Hidden: each plugin
// has a list of its own, which never binds to the host's one of the same name.
[[gnu::visibility("hidden")]] inline std::vector<Function>& module_functions() {
  static std::vector<Function> list;
  return list;
}

[[gnu::visibility("hidden")]] inline const std::vector<Function>& declared_functions() { return module_functions(); }

[[gnu::visibility("hidden")]] inline constexpr Stamp module_stamp{
    {'c', 'o', 'r', 'o', 's', 'h', '\0', '\0'}, abi_version, COROSH_VERSION_STRING, cxx_library, declared_functions};

}  // namespace detail

// Declares a function (one static instance per function, at namespace scope).
struct Declaration {
  explicit Declaration(Function function) { detail::module_functions().push_back(std::move(function)); }
};

// The functions this shared object (or program) declared, in declaration order.
inline const std::vector<Function>& declared() { return detail::module_functions(); }

// Argument `index` as a whole number in [min, max], or `fallback` when it is
// absent; throws BadArguments naming `what` otherwise.
long count_argument(const Arguments& args, std::size_t index, std::string_view what, long fallback, long min,
                    long max);

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

// A coroutine as a Task.
inline std::unique_ptr<Task> task(Coroutine coroutine) {
  return std::make_unique<CoroutineTask>(std::move(coroutine));
}
// A generator as a Task; `keep` (if given) outlives it.
template <class T>
std::unique_ptr<Task> task(Generator<T> generator, std::shared_ptr<const void> keep = nullptr) {
  return std::make_unique<GeneratorTask<T>>(std::move(keep), std::move(generator));
}

// Options for the coroutine, with the creation site of the caller (your
// file), so the shell's `info` shows where it was made.
inline Options options_for(const Spec& spec, std::source_location site = std::source_location::current()) {
  return Options{.name = spec.name, .stack_size = spec.stack_size, .site = site};
}

// A line of commentary (a sleeper waking, a connection closing): on stdout
// in a standalone program, through the shell's output in corosh so that it
// does not scribble over the prompt.
void print(std::string_view line);
// Where print() goes (nullptr: back to stdout). The host sets it.
void set_printer(std::function<void(std::string_view)> printer);

}  // namespace corosh::spawnable

// The entry point a host looks up in a shared object. Emitted in every file
// that includes this header (`used`), merged into one per shared object; its
// body reads that object's own hidden stamp. Its type is plain C (it returns
// `const void*`, the host casts to Stamp) so that it stays one type across
// corosh versions: an indirect call through any other type would be a call
// of the wrong type for a plugin built against another corosh.
extern "C" [[gnu::used, gnu::visibility("default")]] inline const void* corosh_spawnable_module() {
  return &corosh::spawnable::detail::module_stamp;
}
