// corosh/coroutine.hpp — asymmetric stackful coroutines.
//
// A Coroutine runs a function on its own stack. resume() runs it until it
// calls corosh::yield() or returns; yield() hands control back to whoever
// resumed it. Any function, however deeply nested, may yield: the whole call
// stack is suspended with it.
//
//   #include <corosh/coroutine.hpp>
//
//   void count(int n) {
//     for (int i = 1; i <= n; ++i) { std::printf("%d\n", i); corosh::yield(); }
//   }
//
//   corosh::Coroutine co({.name = "counter"}, count, 3);
//   while (!co.done()) co.resume();   // prints 1, 2, 3
//
// States follow Lua: created (never resumed), suspended, running, normal (it
// resumed another coroutine that is running now) and dead. ending() tells how
// a dead coroutine ended: returned, threw (resume() rethrew the exception),
// cancelled (its stack was unwound) or faulted (it crashed and was contained).
//
// Misuse (resuming a running or dead coroutine, yielding outside any) throws
// corosh::Error. Destroying a suspended coroutine unwinds its stack: corosh
// throws corosh::Unwind from its pending yield() so every destructor runs.
// A coroutine belongs to the thread that created it.
#pragma once

#include <corosh/detail/control.hpp>
#include <corosh/detail/switch.hpp>
#include <corosh/error.hpp>
#include <corosh/state.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <source_location>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace corosh {

// Usable stack bytes per coroutine unless Options say otherwise. Pages are
// committed only when touched: a shallow coroutine keeps one or two resident.
inline constexpr std::size_t default_stack_size = 256 * 1024;

// The longest name a coroutine keeps; longer names are truncated.
inline constexpr std::size_t max_name_length = detail::name_capacity - 1;

// How to create a coroutine. Names longer than max_name_length are truncated. The
// site defaults to where the Options were written: the registry, the shell
// and the debugger show it as the coroutine's place of creation.
struct Options {
  std::string_view name = {};
  std::size_t stack_size = default_stack_size;
  // Set: only a guarded stack, while this many guarded stacks stay free for
  // others under the guard cap; else creation throws NoGuardedStack.
  std::optional<std::size_t> guard_reserve = std::nullopt;
  std::source_location site = std::source_location::current();
};

class Coroutine {
 public:
  // A coroutine that will run f(args...) on its first resume(). The function
  // and the arguments are copied or moved onto the coroutine's stack.
  template <class F, class... Args>
    requires std::invocable<std::decay_t<F>, std::decay_t<Args>...>
  explicit Coroutine(F&& f, Args&&... args)
      : Coroutine(nullptr, Options{}, std::forward<F>(f), std::forward<Args>(args)...) {}

  // The same, with a name, a stack size or a creation site.
  template <class F, class... Args>
    requires std::invocable<std::decay_t<F>, std::decay_t<Args>...>
  Coroutine(const Options& options, F&& f, Args&&... args)
      : Coroutine(&options.site, options, std::forward<F>(f), std::forward<Args>(args)...) {}

  Coroutine(Coroutine&& other) noexcept;
  Coroutine& operator=(Coroutine&& other) noexcept;
  Coroutine(const Coroutine&) = delete;
  Coroutine& operator=(const Coroutine&) = delete;
  // Cancels a suspended coroutine (unwinding its stack) and frees its stack.
  ~Coroutine();

  // Runs the coroutine until it yields or ends. Rethrows what escaped it;
  // throws corosh::Fault if it crashed, corosh::Error on misuse.
  void resume() {
    if (control_ == nullptr) [[unlikely]]
      refuse_empty();
    detail::resume_now<false>(control_);
  }
  // Unwinds a suspended coroutine now (its destructors run); a created one
  // simply never runs. A dead one is left alone.
  void cancel();

  // Where the coroutine is in its life.
  State state() const noexcept;
  // How it died (Ending::none while it is alive).
  Ending ending() const noexcept;
  // True once the coroutine is dead.
  bool done() const noexcept { return state() == State::dead; }
  // Process-unique, never reused, assigned at creation (1, 2, 3, ...).
  std::uint64_t id() const noexcept;
  // The name given in Options (possibly empty).
  std::string_view name() const noexcept;

  // The coroutine running on this thread, or nullptr on the thread's own stack.
  static Coroutine* current() noexcept;

 private:
  template <class T>
  friend class Generator;
  template <class T>
  friend class Sink;
  template <class F, class... Args>
  Coroutine(const std::source_location* site, const Options& options, F&& f, Args&&... args);
  void release() noexcept;
  [[noreturn, gnu::cold]] static void refuse_empty();
  detail::Control* control_ = nullptr;
};

// Suspends the running coroutine and returns to whoever resumed it. Throws
// corosh::Error outside any coroutine, corosh::Unwind when it is cancelled.
inline void yield() { detail::yield_now(); }

template <class F, class... Args>
Coroutine::Coroutine(const std::source_location* site, const Options& options, F&& f,
                     Args&&... args) {
  using BodyType = detail::Body<std::decay_t<F>, std::tuple<std::decay_t<Args>...>>;
  detail::CreateRequest request{options.name.data(),
                                options.name.size(),
                                options.stack_size,
                                sizeof(BodyType),
                                alignof(BodyType),
                                site ? site->file_name() : nullptr,
                                site ? site->function_name() : nullptr,
                                site ? site->line() : 0,
                                options.guard_reserve.has_value(),
                                options.guard_reserve.value_or(0)};
  void* storage = nullptr;
  control_ = detail::create_control(request, &storage);
  try {
    control_->body = ::new (storage)
        BodyType(std::forward<F>(f), std::tuple<std::decay_t<Args>...>(std::forward<Args>(args)...));
  } catch (...) {
    detail::abandon(control_);
    throw;
  }
  control_->owner = this;
}

}  // namespace corosh
