// timer_heap.cpp — see timer_heap.hpp.
#include "timer_heap.hpp"

namespace corosh::detail {

void TimerHeap::push(TimerNode* node) {
  nodes_.push_back(node);
  node->index = nodes_.size() - 1;
  sift_up(node->index);
}

void TimerHeap::remove(TimerNode* node) noexcept {
  if (!node->queued()) return;
  const std::size_t i = node->index;
  node->index = TimerNode::not_queued;
  TimerNode* last = nodes_.back();
  nodes_.pop_back();
  if (last == node) return;
  place(i, last);
  // The replacement may belong above or below the hole it fills.
  sift_up(i);
  sift_down(last->index);
}

void TimerHeap::sift_up(std::size_t i) noexcept {
  TimerNode* node = nodes_[i];
  while (i > 0) {
    std::size_t parent = (i - 1) / 2;
    if (!before(node, nodes_[parent])) break;
    place(i, nodes_[parent]);
    i = parent;
  }
  place(i, node);
}

void TimerHeap::sift_down(std::size_t i) noexcept {
  TimerNode* node = nodes_[i];
  const std::size_t n = nodes_.size();
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && before(nodes_[child + 1], nodes_[child])) ++child;
    if (!before(nodes_[child], node)) break;
    place(i, nodes_[child]);
    i = child;
  }
  place(i, node);
}

}  // namespace corosh::detail
