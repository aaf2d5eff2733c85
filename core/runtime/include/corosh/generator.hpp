// corosh/generator.hpp — typed generators on top of stackful coroutines.
//
// The body receives a Sink<T>& (its last argument) and hands values out through it, from any
// depth of nested calls; the consumer pulls them with range-for or next().
// Because the coroutine has a real stack, a recursive walk stays recursive:
//
//   void preorder(const Node* n, corosh::Sink<int>& out) {
//     if (!n) return;
//     out(n->key);
//     preorder(n->left, out);
//     preorder(n->right, out);
//   }
//
//   corosh::Generator<int> keys(preorder, root);
//   for (int key : keys) std::printf("%d ", key);
//
// A yielded value is not copied: the consumer reads it where it lies, in the
// suspended producer's frame, until the next step. Leaving a range-for early
// destroys the generator, which unwinds the producer's stack.
#pragma once

#include <corosh/coroutine.hpp>

#include <cstdio>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>

namespace corosh {

namespace detail {

// Writes a yielded value as text, for tools that show what a generator hands
// out without knowing its type (the shell's `step`).
template <class T>
void format_value(const void* value, char* out, std::size_t size) {
  const T& v = *static_cast<const T*>(value);
  std::string text;
  if constexpr (std::is_same_v<T, bool>) {
    text = v ? "true" : "false";
  } else if constexpr (std::is_arithmetic_v<T>) {
    text = std::to_string(v);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    text = std::string(std::string_view(v));
  } else if constexpr (requires(std::ostream& o) { o << v; }) {
    std::ostringstream stream;
    stream << v;
    text = stream.str();
  } else {
    text = "(a value that cannot be printed)";
  }
  std::snprintf(out, size, "%s", text.c_str());
}

}  // namespace detail

// What a generator body writes its values to.
template <class T>
class Sink {
 public:
  // Hands `value` to the consumer and suspends until it asks for the next.
  void operator()(T value) {
    detail::Control* self = detail::current_control();
    if (self == nullptr) throw Error("corosh: Sink used outside its generator's coroutine");
    self->yielded = &value;
    self->format_yielded = &detail::format_value<T>;
    yield();
  }
};

template <class T>
class Generator {
 public:
  using value_type = T;

  // A generator that will run body(args..., sink) on the first request.
  template <class F, class... Args>
    requires std::invocable<std::decay_t<F>, std::decay_t<Args>&..., Sink<T>&>
  explicit Generator(F&& body, Args&&... args)
      : coroutine_(nullptr, Options{}, Run<std::decay_t<F>>{std::forward<F>(body)},
                   std::forward<Args>(args)...) {}

  // The same, with a name, a stack size or a creation site.
  template <class F, class... Args>
    requires std::invocable<std::decay_t<F>, std::decay_t<Args>&..., Sink<T>&>
  Generator(const Options& options, F&& body, Args&&... args)
      : coroutine_(&options.site, options, Run<std::decay_t<F>>{std::forward<F>(body)},
                   std::forward<Args>(args)...) {}

  // Runs the producer to its next value; empty once it has returned.
  // Rethrows what escaped the producer.
  std::optional<T> next() {
    T* value = advance();
    if (value == nullptr) return std::nullopt;
    return std::move(*value);
  }

  // The underlying coroutine (state, id, name, cancel).
  Coroutine& coroutine() noexcept { return coroutine_; }

  class iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    T& operator*() const noexcept { return *value_; }
    T* operator->() const noexcept { return value_; }
    iterator& operator++() {
      value_ = generator_->advance();
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const noexcept { return value_ == nullptr; }

   private:
    friend class Generator;
    iterator(Generator* generator, T* value) : generator_(generator), value_(value) {}
    Generator* generator_ = nullptr;
    T* value_ = nullptr;
  };

  // Starts (or continues) the walk; the first value is produced here.
  iterator begin() { return iterator(this, advance()); }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  template <class F>
  struct Run {
    F body;
    template <class... Args>
    void operator()(Args&&... args) {
      Sink<T> sink;
      body(std::forward<Args>(args)..., sink);
    }
  };

  // Resumes until the producer offers a value (a pointer into its frame) or
  // ends (nullptr).
  T* advance() {
    detail::Control* control = coroutine_.control_;
    while (!coroutine_.done()) {
      control->yielded = nullptr;
      coroutine_.resume();
      if (control->yielded != nullptr) return static_cast<T*>(control->yielded);
    }
    return nullptr;
  }

  Coroutine coroutine_;
};

}  // namespace corosh
