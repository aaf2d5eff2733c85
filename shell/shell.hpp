// shell/shell.hpp — the state of one corosh session and how a line runs.
//
// The shell owns the coroutines it spawns (id -> demo task) and the echo
// listeners it starts; the loop belongs to main. Commands find their target
// through resolve(): an id, a name, or the selected coroutine by default.
#pragma once

#include "output.hpp"
#include "trace_recorder.hpp"

#include <corosh/loop.hpp>
#include <corosh/net.hpp>
#include <corosh/registry.hpp>

#include "catalog.hpp"
#include "echo_server.hpp"

#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace corosh::shell {

// Longest line the shell reads as a command.
inline constexpr std::size_t max_line = 4096;

struct Owned {
  std::unique_ptr<demos::Task> task;
  std::string demo;  // the spawn command's demo and arguments, for `info`
};

class Shell {
 public:
  Shell(Loop& loop, Output& out);
  // Closes the listeners and cancels (unwinds) every coroutine.
  ~Shell();
  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

  // Runs one input line; blank lines and "# comments" do nothing. Any
  // failure becomes exactly one error line.
  void execute(std::string_view line);
  // Answers a line that was longer than max_line (its bytes were dropped).
  void reject_long_line(std::size_t length);

  // `quit`, Ctrl-D, or Ctrl-C outside a command in batch mode.
  bool quitting() const noexcept { return quit_; }
  void request_quit() noexcept { quit_ = true; }
  // Closes listeners and unwinds coroutines (also done by the destructor).
  void shutdown();

  // SIGINT arrived: a running `continue` or `wait` stops at its next check.
  void interrupt() noexcept { interrupted_ = true; }
  // True while a command runs the loop and may be interrupted.
  bool busy() const noexcept { return busy_; }

  Loop& loop;
  Output& out;

  // --- coroutines ---------------------------------------------------------
  std::map<std::uint64_t, Owned> coroutines;
  std::uint64_t selected = 0;

  // The id that `word` names (or the selected coroutine when `word` is
  // null). owned_only: only coroutines the shell spawned (those it may
  // resume or kill); otherwise any live coroutine of the thread.
  std::uint64_t resolve(const std::string* word, bool owned_only) const;
  // The shell's coroutine with that id (resolve() found it).
  Owned& owned(std::uint64_t id) { return coroutines.at(id); }
  // "coroutine 3 'tree_preorder'".
  static std::string label(const CoroutineInfo& info);
  std::string label(std::uint64_t id) const;
  // "suspended", "suspended, waiting for sleep 100 ms", "dead (faulted)".
  static std::string state_text(const CoroutineInfo& info);
  // "coroutine 3 'x': <state>", painted.
  std::string status_line(std::uint64_t id) const;

  // Prints how a coroutine died: a contained fault (signal, address,
  // backtrace at the fault) or an escaped exception (type and message).
  void report_death(std::uint64_t id, std::exception_ptr error);

  // --- running the loop from a command --------------------------------------
  // Marks a command that runs the loop as interruptible; returns to normal
  // when destroyed.
  class Busy {
   public:
    explicit Busy(Shell& shell) : shell_(shell) {
      shell_.busy_ = true;
      shell_.interrupted_ = false;
    }
    ~Busy() { shell_.busy_ = false; }
    bool interrupted() const noexcept { return shell_.interrupted_; }

   private:
    Shell& shell_;
  };

  // --- listeners and tracing -------------------------------------------------
  std::map<std::uint16_t, std::unique_ptr<demos::EchoServer>> servers;
  TraceRecorder trace;

 private:
  bool quit_ = false;
  bool busy_ = false;
  bool interrupted_ = false;
};

}  // namespace corosh::shell
