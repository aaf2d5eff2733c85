// timer_heap.hpp — the loop's timers: an intrusive binary min-heap.
//
// Nodes live in their owners (a waiting coroutine's frame, a callback timer)
// and remember their heap index, so cancelling is O(log n) and never leaves
// dead entries behind: a read with a 30 s timeout that completes in 1 ms must
// not leave 30 s of garbage in the heap. Ordering is (deadline, sequence):
// timers due at the same instant fire in the order they were started.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace corosh::detail {

struct TimerNode {
  static constexpr std::size_t not_queued = static_cast<std::size_t>(-1);
  std::int64_t deadline_ns = 0;  // steady clock
  std::uint64_t sequence = 0;    // start order, breaks ties
  std::size_t index = not_queued;
  void* owner = nullptr;         // what embeds this node
  bool for_waiter = false;       // ... a Waiter (else a CallbackTimer)
  bool queued() const noexcept { return index != not_queued; }
};

class TimerHeap {
 public:
  // Queues `node` (not queued yet) with its deadline_ns and sequence set.
  void push(TimerNode* node);
  // Takes `node` out wherever it is; a node that is not queued is ignored.
  void remove(TimerNode* node) noexcept;
  // The earliest node, or null.
  TimerNode* top() const noexcept { return nodes_.empty() ? nullptr : nodes_.front(); }
  std::size_t size() const noexcept { return nodes_.size(); }
  // Every queued node, in heap order (not sorted), for tools.
  const std::vector<TimerNode*>& nodes() const noexcept { return nodes_; }
  // Bytes the heap has allocated.
  std::size_t allocated_bytes() const noexcept { return nodes_.capacity() * sizeof(TimerNode*); }

 private:
  static bool before(const TimerNode* a, const TimerNode* b) noexcept {
    return a->deadline_ns != b->deadline_ns ? a->deadline_ns < b->deadline_ns
                                            : a->sequence < b->sequence;
  }
  void place(std::size_t i, TimerNode* node) noexcept {
    nodes_[i] = node;
    node->index = i;
  }
  void sift_up(std::size_t i) noexcept;
  void sift_down(std::size_t i) noexcept;
  std::vector<TimerNode*> nodes_;
};

}  // namespace corosh::detail
