// Prints the first three Fibonacci numbers from a generator, through the
// installed headers and library.
#include <corosh/generator.hpp>

#include <cstdio>

int main() {
  corosh::Generator<int> fib([](corosh::Sink<int>& out) {
    for (int a = 0, b = 1;; b = a + b, a = b - a) out(a);
  });
  int printed = 0;
  for (int v : fib) {
    std::printf("%d\n", v);
    if (++printed == 5) break;
  }
  return 0;
}
