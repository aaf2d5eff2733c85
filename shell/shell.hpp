// shell/shell.hpp — one corosh session: which coroutine is selected, how a
// line runs, and how coroutines are named in what the shell prints.
//
// Everything about coroutines comes from the Target (target.hpp); the shell
// keeps only the session: which target it looks at (its own process, or a
// program it attached to), the selection, whether a command is running the
// loop (so Ctrl-C can stop it), and whether to quit. The Loop is the
// shell's own, for its input and for commands that let time pass.
#pragma once

#include "output.hpp"
#include "target.hpp"

#include <corosh/loop.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace corosh::shell {

// Longest line the shell reads as a command.
inline constexpr std::size_t max_line = 4096;

class Shell {
 public:
  // Looks at `local` (the shell's own process) until attached elsewhere;
  // reports deaths the target announces on its own.
  Shell(Target& local, Loop& loop, Output& out);
  // Shuts the target's own coroutines and listeners down.
  ~Shell();
  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

  // Runs one input line; blank lines and "# comments" do nothing. Any
  // failure becomes exactly one error line. Returns false if an error line
  // was printed while it ran.
  bool execute(std::string_view line);
  // The same for a command already split into words (`load FILE` from
  // `corosh --load FILE`).
  bool run(const std::vector<std::string>& words);
  // Answers a line that was longer than max_line (its bytes were dropped).
  void reject_long_line(std::size_t length);

  // `quit`, Ctrl-D, or Ctrl-C outside a command in batch mode.
  bool quitting() const noexcept { return quit_; }
  void request_quit() noexcept { quit_ = true; }
  // Closes listeners and unwinds the coroutines the target spawned (also
  // done by the destructor).
  void shutdown();

  // SIGINT arrived: a running `continue` or `wait` stops at its next check.
  void interrupt() noexcept { interrupted_ = true; }
  // True while a command runs the loop and may be interrupted.
  bool busy() const noexcept { return busy_; }

  // What commands look at and drive now.
  Target& target() const noexcept { return *target_; }
  Loop& loop;
  Output& out;

  // --- how commands run -------------------------------------------------------
  // Commands with a JSON form print one JSON document instead of text
  // (corosh --json); a command's own --json does so for that command.
  bool json = false;
  // What the running command prints: its JSON document, or text.
  bool json_output() const noexcept { return json_now_; }
  // `source` stops at the first failing line of its file.
  bool stop_on_error = false;
  // Files being sourced, outermost first (a file may not source itself).
  std::vector<std::string> sourcing;
  // --- attaching ---------------------------------------------------------------
  // Looks at `remote` from now on (its own selection); the local target
  // stays as it is underneath.
  void attach(std::unique_ptr<Target> remote);
  // Back to the shell's own process (its selection restored). False if not attached.
  bool detach();
  bool attached() const noexcept { return remote_ != nullptr; }
  // The remote target went away: says so once, and goes back to the local
  // one as soon as the current command is over.
  void lost(const std::string& why);
  // "corosh> ", or "corosh[pid 4242 (server)]> " while attached.
  std::string prompt() const;

  // --- coroutines -------------------------------------------------------------
  std::uint64_t selected = 0;

  // The coroutine `word` names (an id or a name; the selected coroutine when
  // `word` is null), looked up once. Throws CommandError if there is none.
  CoroutineView resolve(const std::string* word);
  // The same, for commands that drive it: it must be one the shell spawned.
  CoroutineView resolve_yours(const std::string* word);

  // "coroutine 3 'tree_preorder'".
  static std::string label(std::uint64_t id, std::string_view name);
  static std::string label(const CoroutineInfo& info) { return label(info.id, info.name); }
  // "suspended", "suspended, waiting for sleep 100 ms", "dead (faulted)".
  static std::string state_text(State state, Ending ending, std::string_view wait_reason);
  static std::string state_text(const CoroutineInfo& info) {
    return state_text(info.state, info.ending, info.wait_reason);
  }
  // "coroutine 3 'x': <state>", painted.
  std::string status_line(const CoroutineInfo& info) const;
  // The same, for where a step or cancel left it.
  std::string status_line(const CoroutineInfo& who, const StepResult& now) const;

  // Prints how a coroutine died: a contained fault (signal, address,
  // backtrace at the fault) or an escaped exception (type and message).
  void report_death(const inspect::Death& death);

  // --- warnings ------------------------------------------------------------------
  // When the target's warnings are due (`warnings --resume-limit` sets one).
  inspect::WarningLimits warning_limits;
  // The target's warnings now (located: with where each coroutine is
  // parked); those not seen before count as reported from now on.
  std::vector<inspect::Warning> current_warnings(bool locate = true);
  // "coroutine 3 'x' ran 250 ms in one resume ..." and, if it is parked,
  // "  parked in f() at file.cpp:12".
  static std::vector<std::string> warning_lines(const inspect::Warning& warning);
  // At most once a second: prints the warnings that are new since the last
  // look (each once, as long as it holds). Call it between commands.
  void report_new_warnings();

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

 private:
  CoroutineView resolve(const std::string* word, bool yours_only);
  Target& local_;
  Target* target_;
  std::unique_ptr<Target> remote_;
  std::uint64_t local_selected_ = 0;  // the selection to restore on detach
  bool lost_reported_ = false;
  TimerId detach_timer_;
  std::set<std::string> warned_;  // keys of the warnings that held at the last look
  std::chrono::steady_clock::time_point next_warning_check_{};
  bool quit_ = false;
  bool json_now_ = false;
  bool busy_ = false;
  bool interrupted_ = false;
};

}  // namespace corosh::shell
