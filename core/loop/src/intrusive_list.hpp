// intrusive_list.hpp — a doubly linked list threaded through its elements.
//
// The loop keeps each waiting coroutine's Waiter in up to three lists at
// once (its fd's waiters, the ready queue, every waiter of the loop). The
// Waiter lives in the waiting coroutine's frame, so the lists must not own or
// allocate anything: each list has its own hook (prev, next, linked) inside
// the element, and unlinking from any of them is O(1) and idempotent.
#pragma once

#include <cstddef>

namespace corosh::detail {

template <class T>
struct ListHook {
  T* prev = nullptr;
  T* next = nullptr;
  bool linked = false;
};

// A list of T linked through the member `hook` of each element.
template <class T, ListHook<T> T::*hook>
class IntrusiveList {
 public:
  IntrusiveList() = default;
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;
  // Elements point at each other, never at the list: moving it is safe (the
  // loop's per-fd table is a vector that grows).
  IntrusiveList(IntrusiveList&& other) noexcept : head_(other.head_), tail_(other.tail_), size_(other.size_) {
    other.head_ = other.tail_ = nullptr;
    other.size_ = 0;
  }

  bool empty() const noexcept { return head_ == nullptr; }
  std::size_t size() const noexcept { return size_; }
  T* front() const noexcept { return head_; }
  // The element after `item`, or null; safe to call before erasing `item`.
  static T* next(const T* item) noexcept { return (item->*hook).next; }
  static bool contains(const T* item) noexcept { return (item->*hook).linked; }

  // Adds `item` (in no list of this hook) at the end; already linked: no-op.
  void push_back(T* item) noexcept {
    ListHook<T>& h = item->*hook;
    if (h.linked) return;
    h.prev = tail_;
    h.next = nullptr;
    if (tail_) (tail_->*hook).next = item; else head_ = item;
    tail_ = item;
    h.linked = true;
    ++size_;
  }

  // Takes `item` out; an item that is not linked is left alone.
  void erase(T* item) noexcept {
    ListHook<T>& h = item->*hook;
    if (!h.linked) return;
    if (h.prev) (h.prev->*hook).next = h.next; else head_ = h.next;
    if (h.next) (h.next->*hook).prev = h.prev; else tail_ = h.prev;
    h = ListHook<T>{};
    --size_;
  }

  // Takes the first element out and returns it, or null.
  T* pop_front() noexcept {
    T* item = head_;
    if (item) erase(item);
    return item;
  }

 private:
  T* head_ = nullptr;
  T* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace corosh::detail
