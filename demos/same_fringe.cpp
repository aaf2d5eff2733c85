// same_fringe — do two trees have the same leaves, in the same order?
//
// The classic problem that needs coroutines. The fringe of a tree is its
// leaves read left to right; trees of different shapes can share one:
//
//   A = ((1 2) (3 (4 5)))      B = (1 (2 (3 (4 5))))      C = ((1 2) (4 3 5))
//       fringe 1 2 3 4 5           fringe 1 2 3 4 5           fringe 1 2 4 3 5
//
// Comparing them needs two recursive walks advancing in lockstep. With plain
// functions one walk must finish (copying its leaves into a list) before the
// other starts. Here each walk is a generator running the ordinary recursion
// on its own stack, and the comparer pulls one leaf from each in turn, so it
// stops at the first difference: the rest of C is never visited, and the
// unfinished walker is destroyed while suspended, unwinding its stack.
//
// In the shell: `spawn same_fringe`, `step` (one leaf pair a step), `list`
// (the comparer and its two walkers, leaves_A and leaves_B, each with its
// own stack), `stack leaves_B` (B leans right: one frame deeper per leaf),
// then `continue`. The second comparison, A against C, stops at leaf 3.
#include <corosh/spawnable.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

// A leaf holds a value; an inner node holds children (any number).
struct Tree {
  int leaf = 0;
  std::vector<Tree> children;
};

Tree leaf(int v) { return Tree{v, {}}; }
Tree node(std::vector<Tree> children) { return Tree{0, std::move(children)}; }

// The textbook recursion; `out(...)` suspends the whole walk mid-tree.
[[gnu::noinline]] void leaves(const Tree* tree, corosh::Sink<int>& out) {
  if (tree->children.empty()) return out(tree->leaf);
  for (const Tree& child : tree->children) leaves(&child, out);
}

struct Forest {
  Tree a = node({node({leaf(1), leaf(2)}), node({leaf(3), node({leaf(4), leaf(5)})})});
  Tree b = node({leaf(1), node({leaf(2), node({leaf(3), node({leaf(4), leaf(5)})})})});
  Tree c = node({node({leaf(1), leaf(2)}), node({leaf(4), leaf(3), leaf(5)})});
};

// Compares the fringes of `x` and `y` leaf by leaf, reporting each pair.
void compare(const Tree& x, char xn, const Tree& y, char yn, corosh::Sink<std::string>& out) {
  const std::string title = std::string(1, xn) + " vs " + yn + ": ";
  const std::string xname = std::string("leaves_") + xn, yname = std::string("leaves_") + yn;
  corosh::Generator<int> left({.name = xname, .stack_size = 64 * 1024}, leaves, &x);
  corosh::Generator<int> right({.name = yname, .stack_size = 64 * 1024}, leaves, &y);
  // Each return below destroys both walkers; one still suspended in the
  // middle of its tree is unwound there and then.
  for (int n = 1;; ++n) {
    std::optional<int> l = left.next(), r = right.next();
    if (!l && !r) return out(title + "same fringe (" + std::to_string(n - 1) + " leaves)");
    if (l != r) {
      auto show = [](const std::optional<int>& v) { return v ? std::to_string(*v) : std::string("nothing"); };
      return out(title + "different: leaf " + std::to_string(n) + " is " + show(l) + " in " + xn + ", " +
                 show(r) + " in " + yn);
    }
    out(title + "leaf " + std::to_string(n) + " is " + std::to_string(*l) + " in both");
  }
}

void same_fringe(std::shared_ptr<const Forest> forest, corosh::Sink<std::string>& out) {
  compare(forest->a, 'A', forest->b, 'B', out);
  compare(forest->a, 'A', forest->c, 'C', out);
}

const corosh::spawnable::Declaration declaration{{
    .name = "same_fringe",
    .usage = "",
    .description = "compares the leaves of two trees in lockstep, one generator per tree",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 0);
      auto forest = std::make_shared<const Forest>();
      return std::make_unique<corosh::spawnable::GeneratorTask<std::string>>(
          forest, corosh::Generator<std::string>(corosh::spawnable::options_for(spec), same_fringe, forest));
    }}};

}  // namespace
