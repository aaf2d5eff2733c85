// child_process.hpp — runs a piece of a test in a forked child, for cases
// that end the process on purpose (a crash, an abort, a stopped process):
// the test runner must survive them and look at how the child ended.
#pragma once

#include "catch.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

namespace corosh_test {

struct ChildResult {
  int status = 0;
  std::string stderr_text;
  bool signalled(int sig) const { return WIFSIGNALED(status) && WTERMSIG(status) == sig; }
  bool exited(int code) const { return WIFEXITED(status) && WEXITSTATUS(status) == code; }
};

// Runs `body` in a child process (which exits 0 when `body` returns) and
// collects how it ended and what it wrote to stderr.
inline ChildResult run_in_child(const std::function<void()>& body) {
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    body();
    _exit(0);
  }
  close(pipe_fds[1]);
  ChildResult result;
  char buffer[1024];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0) result.stderr_text.append(buffer, size_t(n));
  close(pipe_fds[0]);
  waitpid(pid, &result.status, 0);
  return result;
}

}  // namespace corosh_test
