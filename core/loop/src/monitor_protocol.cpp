// monitor_protocol.cpp — frames and requests (corosh/monitor_protocol.hpp).
#include <corosh/monitor_protocol.hpp>

namespace corosh::monitor {

std::string frame(std::string_view payload) {
  const auto n = static_cast<std::uint32_t>(payload.size());
  std::string out;
  out.reserve(4 + payload.size());
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
  out.append(payload);
  return out;
}

void FrameReader::feed(std::string_view bytes) {
  // Drop what was handed out before growing, so the buffer holds at most
  // one frame plus what arrived with it.
  if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<std::string> FrameReader::next() {
  if (pending() < 4) return std::nullopt;
  std::uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n = n << 8 | static_cast<unsigned char>(buffer_[start_ + i]);
  if (n > limit_)
    throw ProtocolError("a frame of " + std::to_string(n) + " bytes; the limit is " + std::to_string(limit_));
  if (pending() < 4 + std::size_t(n)) return std::nullopt;
  std::string payload = buffer_.substr(start_ + 4, n);
  start_ += 4 + n;
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  return payload;
}

Request parse_request(std::string_view payload) {
  nlohmann::json message = nlohmann::json::parse(payload, nullptr, false);
  if (message.is_discarded()) throw ProtocolError("not JSON text");
  if (!message.is_object()) throw ProtocolError("a request is a JSON object");
  auto id = message.find("id");
  if (id == message.end() || !id->is_number_unsigned()) throw ProtocolError("a request needs an unsigned \"id\"");
  Request r;
  r.id = id->get<std::uint64_t>();
  auto op = message.find("op");
  if (op == message.end() || !op->is_string()) throw ProtocolError("a request needs a string \"op\"", r.id);
  r.op = op->get<std::string>();
  r.message = std::move(message);
  return r;
}

std::uint64_t unsigned_field(const Request& request, const char* key, std::uint64_t max,
                             std::optional<std::uint64_t> fallback) {
  auto it = request.message.find(key);
  if (it == request.message.end()) {
    if (fallback) return *fallback;
    throw ProtocolError(request.op + " needs \"" + key + "\"", request.id);
  }
  if (!it->is_number_unsigned() || it->get<std::uint64_t>() > max)
    throw ProtocolError(std::string("\"") + key + "\" must be a whole number from 0 to " + std::to_string(max),
                        request.id);
  return it->get<std::uint64_t>();
}

}  // namespace corosh::monitor
