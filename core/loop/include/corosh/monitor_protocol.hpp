// corosh/monitor_protocol.hpp — the wire format between a Monitor and the
// shells that attach to it (docs/attach.md has the whole protocol).
//
// A connection carries frames both ways: four bytes of length (big-endian),
// then that many bytes of JSON text. Requests are small and capped at
// max_request_bytes; a reply frame is capped at max_reply_bytes, and long
// answers (a listing, a deep stack, a trace) come as several frames.
//
//   client:  {"id": 1, "op": "hello", "protocol": 1, "client": "corosh 0.1.0"}
//   monitor: {"id": 1, "result": {"protocol": 1, "pid": 4242, "program": "server", ...}}
//   client:  {"id": 2, "op": "list"}
//   monitor: {"id": 2, "more": true, "result": [...]}   (a part: more follow)
//   monitor: {"id": 2, "result": [...]}                  (the last part)
//   client:  {"id": 3, "op": "stack", "coroutine": 99}
//   monitor: {"id": 3, "error": {"kind": "not_found", "message": "no coroutine 99"}}
//
// Both ends use these pieces: frame() to send, FrameReader to receive,
// parse_request() on the monitor's side.
#pragma once

#include <corosh/error.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace corosh::monitor {

// The protocol version this build speaks; a hello with another is refused.
inline constexpr int protocol_version = 1;
// The longest request a monitor reads, and the longest reply frame a client
// accepts (longer answers are split into parts well below it).
inline constexpr std::size_t max_request_bytes = 64 * 1024;
inline constexpr std::size_t max_reply_bytes = 16 * 1024 * 1024;
// The deepest stack a "stack" request may ask for: as deep as the shell
// walks locally (a runaway recursion's whole stack, for folding), sent in
// parts like any long answer.
inline constexpr std::size_t max_stack_frames = 65536;

// Why a reply is an error, as its "kind" says.
namespace kind {
inline constexpr std::string_view bad_request = "bad_request";    // not a request this monitor understands
inline constexpr std::string_view version = "version";            // the hello asked for another protocol
inline constexpr std::string_view not_found = "not_found";        // no such coroutine
inline constexpr std::string_view refused = "refused";            // cannot be done to that coroutine (why: message)
inline constexpr std::string_view inspect_only = "inspect_only";  // the program allows inspection only
inline constexpr std::string_view busy = "busy";                  // too many clients or requests in flight
}  // namespace kind

// A message that breaks the protocol. id() is the request's id when it
// could be read, so the error reply can name it.
class ProtocolError : public Error {
 public:
  explicit ProtocolError(const std::string& message, std::optional<std::uint64_t> id = std::nullopt)
      : Error(message), id_(id) {}
  // The request it is about, if known.
  std::optional<std::uint64_t> id() const noexcept { return id_; }

 private:
  std::optional<std::uint64_t> id_;
};

// `payload` as one frame: its length in four big-endian bytes, then itself.
std::string frame(std::string_view payload);

// Cuts a byte stream into frame payloads, refusing a frame longer than
// `limit` before any of it is stored.
class FrameReader {
 public:
  explicit FrameReader(std::size_t limit) : limit_(limit) {}
  // Appends bytes as they arrive.
  void feed(std::string_view bytes);
  // The next complete payload, if one has arrived. Throws ProtocolError for
  // a frame that announces more than the limit: the stream cannot be
  // followed after it.
  std::optional<std::string> next();
  // Bytes of a frame not yet complete (the stream was cut if it ends now).
  std::size_t pending() const noexcept { return buffer_.size() - start_; }

 private:
  std::string buffer_;
  std::size_t start_ = 0;
  std::size_t limit_;
};

// A request as the monitor reads it: its id, its operation, and the whole
// message for the operation's own fields.
struct Request {
  std::uint64_t id = 0;
  std::string op;
  nlohmann::json message;
};

// Parses one request frame. Throws ProtocolError for anything that is not
// a JSON object with an unsigned "id" and a string "op".
Request parse_request(std::string_view payload);

// The unsigned integer field `key` of `request`, at most `max`; `fallback`
// if absent. Throws ProtocolError naming the field otherwise.
std::uint64_t unsigned_field(const Request& request, const char* key, std::uint64_t max,
                             std::optional<std::uint64_t> fallback = std::nullopt);

}  // namespace corosh::monitor
