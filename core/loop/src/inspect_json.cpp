// inspect_json.cpp — the JSON schema of the inspect snapshots (docs/json.md).
//
// Each object type lists its fields once (fields(v, f) below), for both
// directions. Two rules keep the schema small and stable: optional fields
// are left out while they hold their default, so a listing of 100,000
// coroutines carries only what is known about each, and decoding puts the
// default back; required fields must be there, so a reply missing one is an
// error, never a silent zero. Integers are range-checked on the way in.
#include <corosh/inspect_json.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

namespace corosh {
namespace {

using nlohmann::json;

[[noreturn]] void bad_value(const json& j, std::string_view what) {
  throw json::type_error::create(302, std::string(what) + ": " + j.dump(), &j);
}

template <class A, class B>
void read(const json& j, std::pair<A, B>& value);
template <class T>
void read(const json& j, std::optional<T>& value);

// `j` into `value`. Integers are checked against the target type, which
// nlohmann's own conversion does not do (-1 would become 2^64 - 1, a port
// of 70000 would wrap to 4464).
template <class T>
void read(const json& j, T& value) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (j.is_number_unsigned()) {
      const auto n = j.get<std::uint64_t>();
      if (n > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) bad_value(j, "number out of range");
      value = static_cast<T>(n);
    } else if (j.is_number_integer()) {
      const auto n = j.get<std::int64_t>();
      if (n < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
          (n > 0 && static_cast<std::uint64_t>(n) > static_cast<std::uint64_t>(std::numeric_limits<T>::max())))
        bad_value(j, "number out of range");
      value = static_cast<T>(n);
    } else {
      bad_value(j, "not an integer");
    }
  } else if constexpr (requires { typename T::value_type; } && !std::is_same_v<T, std::string>) {
    if (!j.is_array()) bad_value(j, "not an array");
    value.clear();
    value.reserve(j.size());
    for (const json& element : j) read(element, value.emplace_back());
  } else {
    j.get_to(value);
  }
}

// (id, name) pairs, as [id, "name"].
template <class A, class B>
void read(const json& j, std::pair<A, B>& value) {
  if (!j.is_array() || j.size() != 2) bad_value(j, "not a pair");
  read(j[0], value.first);
  read(j[1], value.second);
}

template <class T>
void read(const json& j, std::optional<T>& value) {
  read(j, value.emplace());
}

// How a field appears: always, or only when it is not its type's default
// (an optional: when it holds a value).
enum Presence { required, optional };

template <class T>
bool is_default(const T& value) {
  if constexpr (requires { value.has_value(); })
    return !value.has_value();
  else
    return value == T{};
}

template <class V, class T>
concept object_of = std::same_as<std::remove_const_t<V>, T>;

// The fields of each object type, in the order they are written.

template <object_of<Register> V, class F>
void fields(V& v, F&& f) {
  f(required, "name", v.name);
  f(required, "value", v.value);
}

template <object_of<CoroutineInfo> V, class F>
void fields(V& v, F&& f) {
  f(required, "id", v.id);
  f(required, "name", v.name);
  f(required, "state", v.state);
  f(optional, "ending", v.ending);
  f(optional, "wait_reason", v.wait_reason);
  f(optional, "loop_owned", v.loop_owned);
  f(optional, "site_file", v.site_file);
  f(optional, "site_function", v.site_function);
  f(optional, "site_line", v.site_line);
  f(optional, "site_address", v.site_address);
  f(optional, "parent", v.parent);
  f(optional, "creator", v.creator);
  f(optional, "switches", v.switches);
  f(optional, "run_ns", v.run_ns);
  f(optional, "longest_run_ns", v.longest_run_ns);
  f(optional, "last_ran_ns", v.last_ran_ns);
  f(optional, "stack_size", v.stack_size);
  f(optional, "stack_in_use", v.stack_in_use);
  f(optional, "stack_touched", v.stack_touched);
  f(optional, "stack_deepest", v.stack_deepest);
  f(optional, "stack_guarded", v.stack_guarded);
  f(optional, "stack_base", v.stack_base);
  f(optional, "fault_signal", v.fault_signal);
  f(optional, "fault_address", v.fault_address);
  f(optional, "fault_pc", v.fault_pc);
  f(optional, "fault_sp", v.fault_sp);
  f(optional, "fault_fp", v.fault_fp);
  f(optional, "context_address", v.context_address);
  f(optional, "registers", v.registers);
}

template <object_of<Frame> V, class F>
void fields(V& v, F&& f) {
  f(required, "pc", v.pc);
  f(required, "fp", v.fp);
  f(required, "return_address", v.return_address);
}

template <object_of<Symbol> V, class F>
void fields(V& v, F&& f) {
  f(required, "function", v.function);
  f(optional, "file", v.file);
  f(optional, "line", v.line);
  f(optional, "module", v.module);
  f(optional, "inlined", v.inlined);
}

template <object_of<Endpoint> V, class F>
void fields(V& v, F&& f) {
  f(required, "host", v.host);
  f(required, "port", v.port);
}

template <object_of<inspect::NamedFrame> V, class F>
void fields(V& v, F&& f) {
  f(required, "frame", v.frame);
  f(required, "symbol", v.symbol);
}

template <object_of<inspect::LoopState> V, class F>
void fields(V& v, F&& f) {
  f(required, "backend", v.backend);
  f(required, "registered_fds", v.registered_fds);
  f(required, "timers", v.timers);
  f(required, "waiting", v.waiting);
  f(required, "spawned", v.spawned);
  f(required, "iterations", v.iterations);
  f(required, "polls", v.polls);
}

template <object_of<inspect::FdWaiter> V, class F>
void fields(V& v, F&& f) {
  f(required, "coroutine", v.coroutine);
  f(optional, "name", v.name);
  f(required, "interest", v.interest);
  f(required, "timeout_in_ns", v.timeout_in_ns);
}

template <object_of<inspect::FdView> V, class F>
void fields(V& v, F&& f) {
  f(required, "fd", v.fd);
  f(required, "kind", v.kind);
  f(optional, "local", v.local);
  f(optional, "peer", v.peer);
  f(optional, "registered", v.registered);
  f(optional, "always_ready", v.always_ready);
  f(optional, "waiters", v.waiters);
  f(optional, "watch", v.watch);
  f(optional, "watch_kind", v.watch_kind);
  f(optional, "watch_interest", v.watch_interest);
  f(optional, "callback", v.callback);
  f(optional, "listening", v.listening);
  f(optional, "accepted", v.accepted);
  f(optional, "dropped", v.dropped);
}

template <object_of<inspect::TimerView> V, class F>
void fields(V& v, F&& f) {
  f(required, "due_in_ns", v.due_in_ns);
  f(optional, "repeat_ns", v.repeat_ns);
  f(optional, "timer", v.timer);
  f(optional, "callback", v.callback);
  f(optional, "coroutine", v.coroutine);
  f(optional, "name", v.name);
  f(optional, "waiting_for", v.waiting_for);
}

template <object_of<StackClass> V, class F>
void fields(V& v, F&& f) {
  f(required, "size", v.size);
  f(required, "live", v.live);
  f(required, "pooled", v.pooled);
  f(required, "guarded", v.guarded);
  f(required, "reserved", v.reserved);
  f(required, "touched", v.touched);
}

template <object_of<inspect::MemoryView> V, class F>
void fields(V& v, F&& f) {
  f(required, "stacks", v.stacks);
  f(required, "stacks_mapped", v.stacks_mapped);
  f(required, "stacks_guarded", v.stacks_guarded);
  f(required, "guard_limit", v.guard_limit);
  f(required, "control_records", v.control_records);
  f(required, "control_record_bytes", v.control_record_bytes);
  f(required, "loop_bytes", v.loop_bytes);
  f(required, "resident_bytes", v.resident_bytes);
}

template <object_of<inspect::Warning> V, class F>
void fields(V& v, F&& f) {
  f(required, "kind", v.kind);
  f(optional, "coroutine", v.coroutine);
  f(optional, "name", v.name);
  f(required, "message", v.message);
  f(optional, "parked_at", v.parked_at);
  f(required, "fd", v.fd);  // -1 when the warning is not about a descriptor
}

template <object_of<inspect::WarningLimits> V, class F>
void fields(V& v, F&& f) {
  f(required, "long_resume_ns", v.long_resume_ns);
  f(required, "stack_use", v.stack_use);
  f(required, "locate", v.locate);
}

template <object_of<inspect::Death> V, class F>
void fields(V& v, F&& f) {
  f(required, "id", v.id);
  f(optional, "name", v.name);
  f(optional, "faulted", v.faulted);
  f(optional, "signal", v.signal);
  f(optional, "address", v.address);
  f(optional, "exception_type", v.exception_type);
  f(optional, "message", v.message);
}

template <object_of<inspect::StepResult> V, class F>
void fields(V& v, F&& f) {
  f(required, "state", v.state);
  f(required, "ending", v.ending);
  f(optional, "yielded", v.yielded);
  f(optional, "wait_reason", v.wait_reason);
  f(optional, "death", v.death);
}

template <object_of<inspect::ConnectionView> V, class F>
void fields(V& v, F&& f) {
  f(required, "id", v.id);
  f(required, "peer", v.peer);
  f(required, "state", v.state);
  f(required, "bytes_in", v.bytes_in);
  f(required, "bytes_out", v.bytes_out);
  f(required, "buffered", v.buffered);
  f(required, "coroutine", v.coroutine);
}

template <object_of<inspect::ListenerView> V, class F>
void fields(V& v, F&& f) {
  f(required, "local", v.local);
  f(required, "kind", v.kind);
  f(required, "accepted", v.accepted);
  f(required, "active", v.active);
  f(required, "bytes_in", v.bytes_in);
  f(required, "bytes_out", v.bytes_out);
  f(optional, "refused", v.refused);
  f(optional, "resets", v.resets);
  f(optional, "errors", v.errors);
  f(required, "connections", v.connections);
  f(optional, "max_connections", v.max_connections);
  f(optional, "idle_timeout_ns", v.idle_timeout_ns);
  f(optional, "over_limit", v.over_limit);
  f(optional, "no_guard", v.no_guard);
  f(optional, "idle_closed", v.idle_closed);
}

template <object_of<inspect::RegisterLayout::Slot> V, class F>
void fields(V& v, F&& f) {
  f(required, "name", v.name);
  f(required, "offset", v.offset);
  f(required, "size", v.size);
  f(required, "role", v.role);
}

template <object_of<inspect::RegisterLayout> V, class F>
void fields(V& v, F&& f) {
  f(required, "architecture", v.architecture);
  f(required, "resume_register", v.resume_register);
  f(required, "size", v.size);
  f(required, "slots", v.slots);
}

template <object_of<inspect::TraceRecording> V, class F>
void fields(V& v, F&& f) {
  f(required, "events", v.events);
  f(required, "dropped", v.dropped);
  f(required, "started_ns", v.started_ns);
  f(required, "names", v.names);
}

constexpr char hex_digits[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Writes an object type through its field list.
template <class T>
json write_object(const T& v) {
  json j = json::object();
  fields(v, [&j](Presence presence, const char* key, const auto& field) {
    if (presence == optional && is_default(field)) return;
    if constexpr (requires { field.has_value(); })
      j[key] = *field;
    else
      j[key] = field;
  });
  return j;
}

// Reads an object type through its field list: required fields must be
// there, optional ones keep their default when absent.
template <class T>
void read_object(const json& j, T& v) {
  if (!j.is_object()) bad_value(j, "not an object");
  v = T{};
  fields(v, [&j](Presence presence, const char* key, auto& field) {
    if (auto it = j.find(key); it != j.end())
      read(*it, field);
    else if (presence == required)
      read(j.at(key), field);  // throws: the field is missing
  });
}

// An enum as one of `names`, in the enum's order.
template <class E, std::size_t N>
void enum_from(const json& j, E& v, const std::array<std::string_view, N>& names, std::string_view what) {
  if (!j.is_string()) bad_value(j, what);
  const std::string& text = j.get_ref<const std::string&>();
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == text) {
      v = static_cast<E>(i);
      return;
    }
  bad_value(j, what);
}

constexpr std::array<std::string_view, 5> state_names{"created", "suspended", "running", "normal", "dead"};
constexpr std::array<std::string_view, 5> ending_names{"none", "returned", "threw", "cancelled", "faulted"};
constexpr std::array<std::string_view, 3> creator_names{"thread", "coroutine", "loop"};
constexpr std::array<std::string_view, 3> switch_kinds{"resume", "yield", "finish"};

}  // namespace

void to_json(json& j, State v) { j = to_string(v); }
void from_json(const json& j, State& v) { enum_from(j, v, state_names, "not a coroutine state"); }
void to_json(json& j, Ending v) { j = to_string(v); }
void from_json(const json& j, Ending& v) { enum_from(j, v, ending_names, "not how a coroutine ends"); }
void to_json(json& j, Creator v) { j = to_string(v); }
void from_json(const json& j, Creator& v) { enum_from(j, v, creator_names, "not who creates a coroutine"); }

void to_json(json& j, const Register& v) { j = write_object(v); }
void from_json(const json& j, Register& v) { read_object(j, v); }
void to_json(json& j, const CoroutineInfo& v) { j = write_object(v); }
void from_json(const json& j, CoroutineInfo& v) { read_object(j, v); }
void to_json(json& j, const Frame& v) { j = write_object(v); }
void from_json(const json& j, Frame& v) { read_object(j, v); }
void to_json(json& j, const Symbol& v) { j = write_object(v); }
void from_json(const json& j, Symbol& v) { read_object(j, v); }
void to_json(json& j, const Endpoint& v) { j = write_object(v); }
void from_json(const json& j, Endpoint& v) { read_object(j, v); }
void to_json(json& j, const StackClass& v) { j = write_object(v); }
void from_json(const json& j, StackClass& v) { read_object(j, v); }

void to_json(json& j, const SwitchEvent& v) {
  j = json::array({switch_kinds[v.kind], v.from, v.to, v.time_ns});
}

void from_json(const json& j, SwitchEvent& v) {
  if (!j.is_array() || j.size() != 4) bad_value(j, "a switch event is [kind, from, to, time_ns]");
  enum_from(j[0], v.kind, switch_kinds, "not a kind of switch");
  read(j[1], v.from);
  read(j[2], v.to);
  read(j[3], v.time_ns);
}

std::string json_text(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace corosh

namespace corosh::inspect {

using nlohmann::json;

void to_json(json& j, const NamedFrame& v) { j = write_object(v); }
void from_json(const json& j, NamedFrame& v) { read_object(j, v); }
void to_json(json& j, const LoopState& v) { j = write_object(v); }
void from_json(const json& j, LoopState& v) { read_object(j, v); }
void to_json(json& j, const Death& v) { j = write_object(v); }
void from_json(const json& j, Death& v) { read_object(j, v); }
void to_json(json& j, const StepResult& v) { j = write_object(v); }
void from_json(const json& j, StepResult& v) { read_object(j, v); }
void to_json(json& j, const ConnectionView& v) { j = write_object(v); }
void from_json(const json& j, ConnectionView& v) { read_object(j, v); }
void to_json(json& j, const ListenerView& v) { j = write_object(v); }
void from_json(const json& j, ListenerView& v) { read_object(j, v); }
void to_json(json& j, const RegisterLayout::Slot& v) { j = write_object(v); }
void from_json(const json& j, RegisterLayout::Slot& v) { read_object(j, v); }
void to_json(json& j, const TraceRecording& v) { j = write_object(v); }
void from_json(const json& j, TraceRecording& v) { read_object(j, v); }
void to_json(json& j, const FdWaiter& v) { j = write_object(v); }
void from_json(const json& j, FdWaiter& v) { read_object(j, v); }
void to_json(json& j, const FdView& v) { j = write_object(v); }
void from_json(const json& j, FdView& v) { read_object(j, v); }
void to_json(json& j, const TimerView& v) { j = write_object(v); }
void from_json(const json& j, TimerView& v) { read_object(j, v); }
void to_json(json& j, const MemoryView& v) { j = write_object(v); }
void from_json(const json& j, MemoryView& v) { read_object(j, v); }
void to_json(json& j, const Warning& v) { j = write_object(v); }
void from_json(const json& j, Warning& v) { read_object(j, v); }
void to_json(json& j, const WarningLimits& v) { j = write_object(v); }
void from_json(const json& j, WarningLimits& v) { read_object(j, v); }

void to_json(json& j, const RegisterLayout& v) { j = write_object(v); }
void from_json(const json& j, RegisterLayout& v) {
  read_object(j, v);
  // A slot outside the block would send a reader past the bytes it has.
  for (const RegisterLayout::Slot& s : v.slots)
    if (s.size == 0 || s.size > 8 || s.offset > v.size || s.size > v.size - s.offset)
      throw json::type_error::create(302, "register layout: slot '" + s.name + "' lies outside the block", &j);
}

void to_json(json& j, const ContextMemory& v) {
  std::string hex;
  hex.reserve(v.bytes.size() * 2);
  for (std::uint8_t b : v.bytes) {
    hex += hex_digits[b >> 4];
    hex += hex_digits[b & 15];
  }
  j = json{{"address", v.address}, {"bytes", std::move(hex)}};
}

void from_json(const json& j, ContextMemory& v) {
  if (!j.is_object() || !j.contains("bytes") || !j.at("bytes").is_string())
    throw json::type_error::create(302, "context memory: no \"bytes\" string", &j);
  read(j.at("address"), v.address);
  const std::string& hex = j.at("bytes").get_ref<const std::string&>();
  if (hex.size() % 2 != 0) throw json::type_error::create(302, "context bytes: odd number of hex digits", &j);
  v.bytes.clear();
  v.bytes.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_value(hex[i]), low = hex_value(hex[i + 1]);
    if (high < 0 || low < 0) throw json::type_error::create(302, "context bytes: not hex digits", &j);
    v.bytes.push_back(static_cast<std::uint8_t>(high << 4 | low));
  }
}

}  // namespace corosh::inspect
