// corosh/monitor.hpp — letting `corosh --attach` into a running program.
//
// A Monitor is one more source on a program's own Loop: it serves a private
// Unix-domain socket, and a corosh shell that attaches to it sees the
// program's coroutines, stacks, loop and listeners with the same commands
// and the same output as its own (docs/attach.md). No extra thread, no TCP.
//
//   corosh::Loop loop;
//   corosh::Monitor monitor(loop);             // $XDG_RUNTIME_DIR/corosh/<pid>.sock
//   corosh::Monitor quiet(loop, {.allow_driving = false});   // inspection only
//
// Or with no code change at all: any program whose Loop is created with
// COROSH_MONITOR=1 in its environment starts one (COROSH_MONITOR=inspect:
// inspection only).
//
// Private by construction: the socket lives in a directory only this user
// can enter ($XDG_RUNTIME_DIR/corosh, else /tmp/corosh-<uid>, mode 0700; one
// owned by someone else, or open to others, is refused), and every
// connection's peer credentials are checked: only this user and root are
// served; anyone else is turned away and that is logged once. The socket is
// removed when the monitor ends or the program exits.
//
// Answering never stalls the program: long answers (10,000 coroutines, a
// deep stack) are made a slice at a time, and while the program has work of
// its own the monitor takes at most a few percent of the loop's time.
#pragma once

#include <corosh/loop.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace corosh {

struct MonitorOptions {
  // Where to listen. Empty: <pid>.sock in monitor_directory(). Its
  // directory must be owned by this user and closed to everyone else.
  std::string socket_path;
  // Whether clients may drive coroutines (hold, step, release, cancel), or
  // only look.
  bool allow_driving = true;
  // Where the monitor's few messages go (a refused peer, a failure); by
  // default one line each on stderr.
  std::function<void(std::string_view line)> log;
};

class Monitor {
 public:
  // Starts serving on `loop`. Throws corosh::Error if the socket cannot be
  // made safely (a directory that is not private, a path too long).
  explicit Monitor(Loop& loop, MonitorOptions options = {});
  // Disconnects every client (releasing what each held) and removes the socket.
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // The socket it listens on.
  const std::string& socket_path() const noexcept;
  // Clients attached right now.
  std::size_t clients() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The directory monitors put their sockets in: $XDG_RUNTIME_DIR/corosh if
// XDG_RUNTIME_DIR names a directory, else /tmp/corosh-<uid>. Not created.
std::string monitor_directory();
// The sockets in it, oldest process first (pid order): what `corosh
// --attach` lists. Sockets left by a process that is gone are removed; a
// directory that is not private is not looked into.
std::vector<std::string> monitor_sockets();
// Where the first monitor of process `pid` listens (in monitor_directory()).
std::string monitor_socket_of(long pid);
// Connects to the monitor at `socket_path` and makes sure the process behind
// it runs as this user or as root. Returns the connected descriptor
// (blocking, close-on-exec); throws corosh::Error saying why not.
int connect_to_monitor(const std::string& socket_path);

}  // namespace corosh
