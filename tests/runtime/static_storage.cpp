// static_storage.cpp — coroutines with static storage duration (issue: one
// built before main() failed to map "a 0 KiB coroutine stack"; one destroyed
// after main() returned crashed, the thread's runtime already gone).
//
// Not a Catch2 test: what is under test happens before and after main().
// A forked child leaves its static coroutines behind when it exits: one
// created, one suspended, one finished. The parent checks that the child
// exited 0, that the early coroutine worked, and that the one that could
// not be unwound was reported on stderr.
#include <corosh/coroutine.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int early_runs = 0;
// Constructed before main(), possibly before the runtime's own statics.
corosh::Coroutine early({.name = "early"}, [] {
  ++early_runs;
  corosh::yield();
  ++early_runs;
});
corosh::Coroutine never_run({.name = "never_run"}, [] {});
corosh::Coroutine finished({.name = "finished"}, [] {});

int child() {
  early.resume();  // suspended inside: destroyed after main() returns
  finished.resume();
  if (early_runs != 1 || early.state() != corosh::State::suspended || !finished.done()) return 3;
  std::puts("child done");
  return 0;  // the three statics are destroyed after this
}

}  // namespace

int main() {
  int out[2], err[2];
  if (::pipe(out) != 0 || ::pipe(err) != 0) return 2;
  std::fflush(stdout);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::close(out[0]);
    ::close(err[0]);
    std::exit(child());  // runs the thread's and then the static destructors
  }
  ::close(out[1]);
  ::close(err[1]);
  const auto slurp = [](int fd) {
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, std::size_t(n));
    return text;
  };
  const std::string said = slurp(out[0]), complained = slurp(err[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  int failures = 0;
  const auto check = [&](bool ok, const char* what) {
    if (!ok) {
      std::printf("FAIL %s\n", what);
      ++failures;
    }
  };
  check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child exits 0 (no crash after main)");
  check(said == "child done\n", "the coroutine built before main ran");
  check(complained.find("coroutine 1 'early' destroyed after its thread's runtime shut down") != std::string::npos,
        "the suspended static coroutine is reported");
  check(complained.find("never_run") == std::string::npos && complained.find("finished") == std::string::npos,
        "a created or finished one goes quietly");
  if (failures) std::printf("child stdout: %s\nchild stderr: %s\n", said.c_str(), complained.c_str());
  std::puts(failures ? "static storage: FAILED" : "static storage: ok");
  return failures ? 1 : 0;
}
