// tree_preorder — a recursive tree walk that hands out one key at a time.
//
// The idea: a stackful coroutine can suspend from *inside* a recursion. The
// function `preorder` below is the plain textbook recursion; `out(key)` looks
// like a call, but it suspends the whole chain of nested `preorder` frames
// on the coroutine's own stack and returns the key to whoever asked. Asking
// again resumes the innermost frame exactly where it stopped.
//
// Try it: `tree_preorder [N]` prints the keys of a balanced binary search tree
// of 1..N (default 15) in preorder: 8 4 2 1 3 6 5 7 12 10 9 11 14 13 15.
// Each line also shows how deep the walk was, measured from the saved stack
// pointer of the suspended coroutine: the stack grows as the walk descends.
#include <corosh/generator.hpp>
#include <corosh/registry.hpp>

#include <cstdio>
#include <cstdlib>
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

// The recursion, untouched except that it hands keys to `out`.
void preorder(const Node* node, corosh::Sink<int>& out) {
  if (node == nullptr) return;
  out(node->key);
  preorder(node->left.get(), out);
  preorder(node->right.get(), out);
}

}  // namespace

int main(int argc, char** argv) {
  long n = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 15;
  if (n < 1 || n > 1000000) {
    std::fprintf(stderr, "usage: tree_preorder [N]   (1 <= N <= 1000000, default 15)\n");
    return 2;
  }
  auto root = build(1, int(n));
  corosh::Generator<int> keys({.name = "tree_preorder"}, preorder, root.get());
  for (int key : keys) {
    corosh::CoroutineInfo info = corosh::describe(keys.coroutine());
    std::printf("%-6d (stack in use: %zu bytes)\n", key, info.stack_in_use);
  }
  return 0;
}
