// monitor_internal.hpp — the pieces behind corosh::Monitor, one per file:
//   monitor.cpp            the listening socket, the clients' sockets, pacing
//   monitor_session.cpp    one client's protocol: frames in, requests queued, replies out
//   monitor_requests.cpp   what each request does (list, stack, hold, ...)
//   monitor_directory.cpp  the private socket directory and socket paths
//   monitor_platform_*.cpp peer credentials and the program's name
//
// A Session knows nothing of sockets: bytes go in with receive(), replies
// come out of unsent(), and work() answers a slice at a time. The monitor
// moves the bytes and decides when a slice may run; the fuzz target
// (tests/fuzz/fuzz_monitor_request.cpp) drives a Session directly.
#pragma once

#include <corosh/loop.hpp>
#include <corosh/monitor_protocol.hpp>
#include <corosh/trace.hpp>

#include <sys/un.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace corosh::detail {

using MonitorClock = std::chrono::steady_clock;

// --- the socket directory (monitor_directory.cpp) --------------------------------

// Throws corosh::Error unless `dir` is a real directory of this user that
// nobody else may enter.
void check_private_directory(const std::string& dir);
// Creates `dir` (mode 0700) if it is missing, then checks it as above.
void make_private_directory(const std::string& dir);
// The directory part of a path ("." for a bare name).
std::string directory_of(const std::string& path);
// A Unix-socket address; throws corosh::Error if the path does not fit.
sockaddr_un socket_address(const std::string& path);
// A socket path in `dir` that no other monitor of this process uses:
// <pid>.sock, then <pid>.2.sock, ... It is removed at exit unless released.
std::string claim_socket_path(const std::string& dir);
// The same for a path the program chose; throws if a monitor of this
// process already uses it.
void claim_socket_path_as_given(const std::string& path);
// Removes the socket file and gives the path back.
void release_socket_path(const std::string& path) noexcept;

// --- what the sessions of one monitor share ----------------------------------------

struct MonitorShared {
  Loop& loop;
  bool allow_driving = true;
  MonitorClock::time_point started = MonitorClock::now();
};

// What one client holds in the program, given back when it goes.
struct ClientHoldings {
  std::set<std::uint64_t> held;  // coroutines it holds
  // Its recording of the program's switches (`trace on` attached): one
  // per client, so two shells tracing at once do not stop each other's,
  // and a client that goes takes its recording (and its cost) with it.
  std::unique_ptr<SwitchRecorder> recorder;
};

// A request refused with an error reply of this kind (monitor::kind).
class RequestError : public Error {
 public:
  RequestError(std::string_view kind, const std::string& message) : Error(message), kind_(kind) {}
  std::string_view kind() const noexcept { return kind_; }

 private:
  std::string_view kind_;
};

// Writes the replies to one request into a session's output.
class Replies {
 public:
  Replies(std::string& output, std::uint64_t id) : output_(output), id_(id) {}
  // A part of an array result; more parts (and a result) follow.
  void part(nlohmann::json items);
  // The (last part of the) result.
  void result(nlohmann::json value);

 private:
  void send(nlohmann::json message);
  std::string& output_;
  std::uint64_t id_;
};

// One request being answered, possibly over several slices.
class Job {
 public:
  virtual ~Job() = default;
  // Works until `until`, writing replies to `out`; true once the result is written.
  virtual bool run(Replies& out, MonitorClock::time_point until) = 0;
};

// Starts answering `request` (any operation but hello). Throws
// RequestError or monitor::ProtocolError to refuse it.
std::unique_ptr<Job> answer(MonitorShared& shared, ClientHoldings& holdings, const monitor::Request& request);

// What a hello is answered with.
nlohmann::json hello_result(const MonitorShared& shared);

// One client's side of the protocol.
class Session {
 public:
  explicit Session(MonitorShared& shared) : shared_(shared) {}
  // Gives back what the client held (its holds, its trace).
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Bytes from the client.
  void receive(std::string_view bytes);
  // The client closed its end: whatever it asked for is dropped.
  void end_of_input();
  // Answers queued requests until `until`.
  void work(MonitorClock::time_point until);
  // True if work() has something to do now (not while the client leaves
  // much output unread: a client that never reads holds a bounded amount).
  bool wants_work() const noexcept;
  // Output not yet sent, and how much of it went out.
  std::string_view unsent() const noexcept { return std::string_view(output_).substr(sent_); }
  void sent(std::size_t bytes);
  // True once the connection should close (after the unsent output).
  bool closing() const noexcept { return closing_; }

  // Requests queued beyond the one being answered before the client is cut off.
  static constexpr std::size_t max_queued = 16;
  // Unsent output beyond which no more is made until the client reads.
  static constexpr std::size_t output_high_water = 1 << 20;

 private:
  void take(std::string_view payload);
  void start(monitor::Request request);
  void refuse(std::optional<std::uint64_t> id, std::string_view kind, const std::string& message);
  MonitorShared& shared_;
  ClientHoldings holdings_;
  monitor::FrameReader input_{monitor::max_request_bytes};
  std::deque<monitor::Request> queue_;
  std::unique_ptr<Job> job_;
  std::uint64_t job_id_ = 0;
  std::string output_;
  std::size_t sent_ = 0;
  bool greeted_ = false;
  bool closing_ = false;
};

}  // namespace corosh::detail
