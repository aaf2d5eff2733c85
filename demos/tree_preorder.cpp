// tree_preorder — a recursive tree walk that hands out one key at a time.
//
// The idea: a stackful coroutine can suspend from *inside* a recursion. The
// function `preorder` below is the plain textbook recursion; `out(key)` looks
// like a call, but it suspends the whole chain of nested `preorder` frames
// on the coroutine's own stack and returns the key to whoever asked. Asking
// again resumes the innermost frame exactly where it stopped.
//
// In the shell: `spawn tree_preorder` (a balanced binary search tree of
// 1..15), then `step 4` yields 8 4 2 1 and `stack` shows four nested
// `preorder` frames, one per level of the tree the walk has descended.
// Keep stepping: 3 6 5 7 12 10 9 11 14 13 15. `tree_preorder [N]` on its own
// prints the keys of 1..N in the same order.
#include <corosh/spawnable.hpp>

#include <memory>

namespace {

struct Node {
  int key;
  std::unique_ptr<Node> left, right;
};

// A balanced binary search tree of the keys lo..hi.
std::unique_ptr<Node> build(int lo, int hi) {
  if (lo > hi) return nullptr;
  int mid = lo + (hi - lo) / 2;
  return std::make_unique<Node>(Node{mid, build(lo, mid - 1), build(mid + 1, hi)});
}

// The recursion, untouched except that it hands keys to `out`. noinline: the
// optimizer would otherwise fold levels of the recursion into one frame, and
// `stack` is meant to show one frame per level.
[[gnu::noinline]] void preorder(const Node* node, corosh::Sink<int>& out) {
  if (node == nullptr) return;
  out(node->key);
  preorder(node->left.get(), out);
  preorder(node->right.get(), out);
}

const corosh::spawnable::Declaration declaration{{
    .name = "tree_preorder",
    .usage = "[N]",
    .description = "walks a balanced binary search tree of 1..N (default 15) in preorder, recursively",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 1);
      int n = int(corosh::spawnable::count_argument(args, 0, "N", 15, 1, 1000000));
      std::shared_ptr<const Node> root = build(1, n);
      corosh::Generator<int> keys(corosh::spawnable::options_for(spec), preorder, root.get());
      return std::make_unique<corosh::spawnable::GeneratorTask<int>>(root, std::move(keys));
    }}};

}  // namespace
