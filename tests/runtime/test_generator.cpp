// test_generator.cpp — Generator<T>: recursive producers, range-for, early exit.
#include "catch.hpp"

#include <corosh/generator.hpp>

#include <memory>
#include <numeric>
#include <string>
#include <vector>

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

void inorder(const Node* n, corosh::Sink<int>& out) {
  if (!n) return;
  inorder(n->left.get(), out);
  out(n->key);
  inorder(n->right.get(), out);
}

void preorder(const Node* n, corosh::Sink<int>& out) {
  if (!n) return;
  out(n->key);
  preorder(n->left.get(), out);
  preorder(n->right.get(), out);
}

}  // namespace

TEST_CASE("a recursive generator walks a 65,535-node tree in order", "[core]") {
  auto root = build(1, 65535);
  corosh::Generator<int> keys(inorder, root.get());
  int expected = 1;
  std::size_t count = 0;
  bool sorted = true;
  for (int key : keys) {
    sorted = sorted && key == expected++;
    ++count;
  }
  CHECK(sorted);
  CHECK(count == 65535);
  CHECK(keys.coroutine().ending() == corosh::Ending::returned);
}

TEST_CASE("preorder of 1..15 yields the teaching sequence", "[core]") {
  auto root = build(1, 15);
  corosh::Generator<int> keys({.name = "tree_preorder"}, preorder, root.get());
  std::vector<int> seen;
  while (auto k = keys.next()) seen.push_back(*k);
  CHECK(seen == std::vector<int>{8, 4, 2, 1, 3, 6, 5, 7, 12, 10, 9, 11, 14, 13, 15});
  CHECK_FALSE(keys.next().has_value());
}

TEST_CASE("an infinite generator stopped early is unwound", "[core]") {
  bool cleaned_up = false;
  {
    corosh::Generator<std::uint64_t> fib([&](corosh::Sink<std::uint64_t>& out) {
      struct Cleanup {
        bool* flag;
        ~Cleanup() { *flag = true; }
      } cleanup{&cleaned_up};
      std::uint64_t a = 0, b = 1;
      for (;;) {
        out(a);
        b = a + b;
        a = b - a;
      }
    });
    std::vector<std::uint64_t> first;
    for (std::uint64_t v : fib) {
      if (first.size() == 10) break;
      first.push_back(v);
    }
    CHECK(first == std::vector<std::uint64_t>{0, 1, 1, 2, 3, 5, 8, 13, 21, 34});
    CHECK_FALSE(cleaned_up);
  }
  CHECK(cleaned_up);
}

TEST_CASE("values are handed over without copies, and move-only types work", "[core]") {
  corosh::Generator<std::unique_ptr<std::string>> words([](auto& out) {
    out(std::make_unique<std::string>("alpha"));
    out(std::make_unique<std::string>("beta"));
  });
  std::vector<std::string> got;
  for (auto& w : words) got.push_back(*w);
  CHECK(got == std::vector<std::string>{"alpha", "beta"});
}

TEST_CASE("an exception in the producer reaches the consumer", "[core]") {
  corosh::Generator<int> g([](corosh::Sink<int>& out) {
    out(1);
    throw std::runtime_error("producer broke");
  });
  CHECK(g.next() == 1);
  CHECK_THROWS_WITH(g.next(), "producer broke");
}

TEST_CASE("generators nest: one producer consumes another", "[core]") {
  auto root = build(1, 7);
  corosh::Generator<int> doubled([&](corosh::Sink<int>& out) {
    corosh::Generator<int> inner(inorder, root.get());
    for (int k : inner) out(k * 2);
  });
  std::vector<int> got;
  for (int v : doubled) got.push_back(v);
  CHECK(got == std::vector<int>{2, 4, 6, 8, 10, 12, 14});
}

TEST_CASE("a Sink used outside its generator is an error", "[core]") {
  corosh::Sink<int> stray;
  CHECK_THROWS_AS(stray(1), corosh::Error);
}
