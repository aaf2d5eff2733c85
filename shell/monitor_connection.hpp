// shell/monitor_connection.hpp — the shell's end of the attach protocol
// (corosh/monitor_protocol.hpp): one connection to a program's monitor.
//
// call() sends a request and waits for its whole answer, the parts of a
// long one joined. Waiting never hangs: a program that says nothing for
// `patience` (stopped, or its loop stuck) counts as gone, as does one that
// closes the connection or sends what is not the protocol. Each of those
// throws TargetLost, after which the connection is unusable.
#pragma once

#include "target.hpp"

#include <corosh/monitor_protocol.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace corosh::shell {

// An error reply: the program refused the request, for this reason.
class RemoteError : public CommandError {
 public:
  RemoteError(std::string kind, const std::string& message) : CommandError(message), kind_(std::move(kind)) {}
  // One of corosh::monitor::kind.
  const std::string& kind() const noexcept { return kind_; }

 private:
  std::string kind_;
};

class MonitorConnection {
 public:
  // Connects to the monitor at `socket_path` and says hello. Throws
  // CommandError saying why it cannot (no monitor there, another user's
  // process, another protocol version).
  MonitorConnection(const std::string& socket_path, std::chrono::milliseconds patience);
  ~MonitorConnection();
  MonitorConnection(const MonitorConnection&) = delete;
  MonitorConnection& operator=(const MonitorConnection&) = delete;

  // What the monitor said to hello: pid, program, architecture, ...
  const nlohmann::json& hello() const noexcept { return hello_; }
  // The descriptor, for watching it while idle (open until destroyed).
  int fd() const noexcept { return fd_; }

  // The result of `op` with `fields`. Throws RemoteError for an error
  // reply, TargetLost if the program is gone.
  nlohmann::json call(const std::string& op, nlohmann::json fields = nlohmann::json::object());
  // Reads what has arrived without waiting (call it when fd() is readable
  // while no call is running); throws TargetLost at the end of the stream.
  void poll_idle();

 private:
  nlohmann::json answer(std::uint64_t id);
  nlohmann::json next_message(std::uint64_t id);
  void fill(std::chrono::steady_clock::time_point deadline);
  [[noreturn]] void lost(const std::string& why);
  int fd_ = -1;
  std::string path_;
  std::chrono::milliseconds patience_;
  monitor::FrameReader reader_{monitor::max_reply_bytes};
  std::uint64_t next_id_ = 1;
  bool dead_ = false;
  nlohmann::json hello_;
};

}  // namespace corosh::shell
