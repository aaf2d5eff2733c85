// monitor_connection.cpp — see monitor_connection.hpp.
//
// The shell waits with poll() on this one descriptor rather than through
// its loop: a call may come from inside a loop callback (Tab completion runs
// in the terminal's reader), where the loop cannot be run again.
#include "monitor_connection.hpp"

#include <corosh/monitor.hpp>
#include <corosh/version.hpp>

#include <fmt/format.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace corosh::shell {

namespace {

// "pid 4242 (server)", from a hello.
std::string who(const nlohmann::json& hello) {
  const auto pid = hello.find("pid");
  const auto program = hello.find("program");
  return fmt::format("pid {} ({})", pid != hello.end() && pid->is_number_integer() ? pid->get<long long>() : 0,
                     program != hello.end() && program->is_string() ? program->get<std::string>() : "?");
}

}  // namespace

MonitorConnection::MonitorConnection(const std::string& socket_path, std::chrono::milliseconds patience)
    : path_(socket_path), patience_(patience) {
  try {
    fd_ = connect_to_monitor(socket_path);
  } catch (const Error& e) {
    throw CommandError(e.what());
  }
  try {
    hello_ = call("hello", {{"protocol", monitor::protocol_version}, {"client", "corosh " COROSH_VERSION_STRING}});
  } catch (const RemoteError& e) {
    ::close(fd_);
    throw CommandError(fmt::format("the program refused this shell: {}", e.what()));
  } catch (const TargetLost& e) {
    ::close(fd_);
    throw CommandError(e.what());
  }
  if (!hello_.is_object() || !hello_.contains("pid") || !hello_["pid"].is_number_integer()) {
    ::close(fd_);
    throw CommandError(fmt::format("{} answered hello with something else", socket_path));
  }
}

MonitorConnection::~MonitorConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void MonitorConnection::lost(const std::string& why) {
  // The descriptor stays open until the connection is destroyed: whoever
  // watches it on a loop must stop before it is closed.
  dead_ = true;
  throw TargetLost(hello_.is_object() ? fmt::format("{} went away ({})", who(hello_), why) : why);
}

void MonitorConnection::fill(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      lost(fmt::format("no answer for {} s: stopped, or its loop is stuck", patience_.count() / 1000.0));
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) lost(std::string("poll: ") + std::strerror(errno));
    if (ready == 0) continue;
    char buffer[65536];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) {
      reader_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
      return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    lost(n == 0 ? "connection closed" : std::string(std::strerror(errno)));
  }
}

nlohmann::json MonitorConnection::next_message(std::uint64_t id) {
  for (;;) {
    std::optional<std::string> payload;
    try {
      payload = reader_.next();
    } catch (const monitor::ProtocolError& e) {
      lost(e.what());
    }
    if (!payload) {
      fill(std::chrono::steady_clock::now() + patience_);
      continue;
    }
    nlohmann::json message = nlohmann::json::parse(*payload, nullptr, false);
    if (!message.is_object()) lost("it sent something that is not the protocol");
    // A reply to an earlier request this shell gave up on, or a message
    // with no id (a refusal of the connection itself).
    const auto it = message.find("id");
    if (it == message.end() || it->is_null()) {
      if (message.contains("error")) {
        const nlohmann::json& e = message["error"];
        throw RemoteError(e.value("kind", std::string()), e.value("message", std::string("refused")));
      }
      continue;
    }
    if (*it != id) continue;
    return message;
  }
}

nlohmann::json MonitorConnection::call(const std::string& op, nlohmann::json fields) {
  if (dead_) throw TargetLost(fmt::format("{} is gone", who(hello_)));
  const std::uint64_t id = next_id_++;
  fields["id"] = id;
  fields["op"] = op;
  const std::string out = monitor::frame(fields.dump());
  for (std::size_t sent = 0; sent < out.size();) {
    const ssize_t n = ::send(fd_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    // Closed on us: it may have said why first (a refusal), read that.
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  try {
    return answer(id);
  } catch (const nlohmann::json::exception& e) {
    lost(fmt::format("it sent a reply that is not the protocol: {}", e.what()));
  }
}

nlohmann::json MonitorConnection::answer(std::uint64_t id) {
  nlohmann::json joined;
  for (;;) {
    nlohmann::json message = next_message(id);
    if (const auto e = message.find("error"); e != message.end()) {
      if (!e->is_object()) lost("it sent an error that is not the protocol");
      throw RemoteError(e->value("kind", std::string()), e->value("message", std::string("refused")));
    }
    const auto result = message.find("result");
    if (result == message.end()) lost("it sent a reply without a result");
    const bool more = message.value("more", false);
    if (!more && joined.is_null()) return std::move(*result);
    if (!result->is_array()) lost("it sent a part that is not a list");
    if (joined.is_null()) joined = nlohmann::json::array();
    for (nlohmann::json& item : *result) joined.push_back(std::move(item));
    if (!more) return joined;
  }
}

void MonitorConnection::poll_idle() {
  if (dead_) return;
  char buffer[65536];
  const ssize_t n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
  if (n > 0) {
    reader_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    return;
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  lost(n == 0 ? "connection closed" : std::string(std::strerror(errno)));
}

}  // namespace corosh::shell
