// monitor_session.cpp — one client's side of the protocol (monitor_internal.hpp).
//
// What a client may get wrong, and what it gets back:
//   - not JSON, not a request, an unknown operation or bad fields: an error
//     reply; the connection goes on (the framing is intact);
//   - anything before its hello, or a hello for another protocol version:
//     an error reply, then the connection is closed;
//   - a frame longer than the limit: an error reply and the connection is
//     closed (what follows cannot be told apart from the rest of that frame);
//   - more than max_queued requests waiting: "busy", then closed;
//   - a frame cut off by the end of the stream: nothing to answer, closed.
#include "monitor_internal.hpp"

#include <corosh/inspect_json.hpp>

namespace corosh::detail {

void Replies::send(nlohmann::json message) {
  std::string text = json_text(message);
  if (text.size() > monitor::max_reply_bytes) {
    // No reply should come near the limit (long ones are split into
    // parts); if one does, say so rather than send what a client refuses.
    text = json_text({{"id", id_},
                      {"error", {{"kind", monitor::kind::busy}, {"message", "the reply would be too large"}}}});
  }
  output_ += monitor::frame(text);
}

void Replies::part(nlohmann::json items) { send({{"id", id_}, {"more", true}, {"result", std::move(items)}}); }

void Replies::result(nlohmann::json value) { send({{"id", id_}, {"result", std::move(value)}}); }

Session::~Session() = default;

void Session::refuse(std::optional<std::uint64_t> id, std::string_view kind, const std::string& message) {
  nlohmann::json reply = {{"id", id ? nlohmann::json(*id) : nlohmann::json(nullptr)},
                          {"error", {{"kind", kind}, {"message", message}}}};
  output_ += monitor::frame(json_text(reply));
}

void Session::receive(std::string_view bytes) {
  if (closing_) return;
  input_.feed(bytes);
  try {
    while (!closing_) {
      std::optional<std::string> payload = input_.next();
      if (!payload) break;
      take(*payload);
    }
  } catch (const monitor::ProtocolError& e) {
    refuse(std::nullopt, monitor::kind::bad_request, e.what());
    closing_ = true;
  }
}

void Session::take(std::string_view payload) {
  monitor::Request request;
  try {
    request = monitor::parse_request(payload);
  } catch (const monitor::ProtocolError& e) {
    refuse(e.id(), monitor::kind::bad_request, e.what());
    if (!greeted_) closing_ = true;
    return;
  }
  if (!greeted_) {
    if (request.op != "hello") {
      refuse(request.id, monitor::kind::bad_request, "the first request must be a hello");
      closing_ = true;
      return;
    }
    auto version = request.message.find("protocol");
    if (version == request.message.end() || !version->is_number_unsigned() ||
        version->get<std::uint64_t>() != monitor::protocol_version) {
      refuse(request.id, monitor::kind::version,
             "this program speaks protocol " + std::to_string(monitor::protocol_version) + ", the hello asked for " +
                 (version == request.message.end() ? std::string("none") : json_text(*version)));
      closing_ = true;
      return;
    }
    greeted_ = true;
    Replies(output_, request.id).result(hello_result(shared_));
    return;
  }
  if (request.op == "hello") {
    refuse(request.id, monitor::kind::bad_request, "hello was already said");
    return;
  }
  if (queue_.size() >= max_queued) {
    refuse(request.id, monitor::kind::busy,
           "more than " + std::to_string(max_queued) + " requests waiting for an answer; disconnecting");
    closing_ = true;
    return;
  }
  queue_.push_back(std::move(request));
}

void Session::end_of_input() {
  queue_.clear();
  job_.reset();
  closing_ = true;
}

bool Session::wants_work() const noexcept {
  return !closing_ && (job_ || !queue_.empty()) && unsent().size() < output_high_water;
}

void Session::start(monitor::Request request) {
  try {
    job_ = answer(shared_, holdings_, request);
    job_id_ = request.id;
  } catch (const RequestError& e) {
    refuse(request.id, e.kind(), e.what());
  } catch (const monitor::ProtocolError& e) {
    refuse(request.id, monitor::kind::bad_request, e.what());
  }
}

void Session::work(MonitorClock::time_point until) {
  while (wants_work()) {
    if (!job_) {
      monitor::Request request = std::move(queue_.front());
      queue_.pop_front();
      start(std::move(request));
      continue;
    }
    Replies out(output_, job_id_);
    bool done = false;
    try {
      done = job_->run(out, until);
    } catch (const RequestError& e) {
      refuse(job_id_, e.kind(), e.what());
      done = true;
    }
    if (done) job_.reset();
    if (MonitorClock::now() >= until) return;
  }
}

void Session::sent(std::size_t bytes) {
  sent_ += bytes;
  if (sent_ == output_.size()) {
    output_.clear();
    sent_ = 0;
  } else if (sent_ > output_.size() / 2) {
    output_.erase(0, sent_);
    sent_ = 0;
  }
}

}  // namespace corosh::detail
