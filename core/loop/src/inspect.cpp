// inspect.cpp — snapshots for tools (inspect.hpp), taken from the registry,
// the unwinder and the loop of the calling thread.
#include <corosh/inspect.hpp>

#include <corosh/error.hpp>
#include <corosh/register.hpp>

#include <cxxabi.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <typeinfo>
#include <utility>

namespace corosh::inspect {

namespace {

// What only the loop knows about a coroutine.
CoroutineInfo with_loop(CoroutineInfo info) {
  if (const Loop* loop = Loop::current_or_null()) info.loop_owned = loop->owns(info.id);
  return info;
}

// This thread's ListenerReports, oldest first.
thread_local std::vector<const ListenerReport*> reports;

}  // namespace

std::vector<CoroutineInfo> coroutines(Snapshot what) {
  std::vector<CoroutineInfo> all = live_coroutines(what);
  for (CoroutineInfo& c : all) c = with_loop(std::move(c));
  return all;
}

std::optional<CoroutineInfo> coroutine(std::uint64_t id) {
  std::optional<CoroutineInfo> info = find_coroutine(id);
  if (info) info = with_loop(std::move(*info));
  return info;
}

CoroutineInfo summary(CoroutineInfo info) {
  info.registers.clear();
  info.stack_touched = 0;
  return info;
}

bool Listing::next(std::vector<CoroutineInfo>& out, std::chrono::steady_clock::time_point until) {
  // Reading the clock costs more than a quick snapshot: look every 32.
  for (;;) {
    for (int i = 0; i < 32; ++i) {
      std::optional<CoroutineInfo> c = walk_.next(Snapshot::quick);
      if (!c) return true;
      out.push_back(summary(with_loop(std::move(*c))));
    }
    if (std::chrono::steady_clock::now() >= until) return false;
  }
}

std::vector<CoroutineInfo> summaries() {
  std::vector<CoroutineInfo> all = live_coroutines(Snapshot::quick);
  for (CoroutineInfo& c : all) c = summary(with_loop(std::move(c)));
  return all;
}

std::vector<Frame> frames(const CoroutineInfo& c, std::size_t max_frames) {
  const bool faulted = c.state == State::dead && c.ending == Ending::faulted;
  return faulted ? fault_frames(c.id, max_frames) : parked_frames(c.id, max_frames);
}

NamedFrame named(const Frame& frame) { return {frame, symbolize(frame)}; }

namespace {

bool walkable(const CoroutineInfo& c) {
  return c.state == State::created || c.state == State::suspended || c.state == State::normal ||
         (c.state == State::dead && c.ending == Ending::faulted);
}

}  // namespace

std::vector<NamedFrame> stack(const CoroutineInfo& c, std::size_t max_frames) {
  std::vector<NamedFrame> all;
  for (const Frame& f : frames(c, max_frames)) all.push_back(named(f));
  return all;
}

std::vector<NamedFrame> StackSet::named(const Stack& stack) const {
  std::vector<NamedFrame> all;
  all.reserve(stack.frames.size());
  for (std::size_t i = 0; i < stack.frames.size(); ++i) all.push_back({stack.frames[i], symbols[stack.symbols[i]]});
  return all;
}

void StackSet::add(std::uint64_t id, const std::vector<NamedFrame>& frames) {
  Stack s{id, {}, {}};
  for (const NamedFrame& f : frames) {
    s.frames.push_back(f.frame);
    s.symbols.push_back(std::uint32_t(symbols.size()));
    symbols.push_back(f.symbol);
  }
  stacks.push_back(std::move(s));
}

StackSet stacks(std::size_t max_frames) {
  StackSet set;
  // Keyed by the address looked up: a return address names its call.
  std::unordered_map<std::uintptr_t, std::uint32_t> index;
  for (const CoroutineInfo& c : coroutines(Snapshot::quick)) {  // no mincore: only the state matters here
    if (!walkable(c)) continue;
    StackSet::Stack s{c.id, frames(c, max_frames), {}};
    s.symbols.reserve(s.frames.size());
    for (const Frame& f : s.frames) {
      const std::uintptr_t key = f.return_address && f.pc != 0 ? f.pc - 1 : f.pc;
      auto [at, fresh] = index.try_emplace(key, std::uint32_t(set.symbols.size()));
      if (fresh) set.symbols.push_back(symbolize(f));
      s.symbols.push_back(at->second);
    }
    set.stacks.push_back(std::move(s));
  }
  return set;
}

namespace {

// The runtime's own frames on a parked stack: the switch, yield and the
// loop's and sockets' waits, the generator's hand-over, the entry trampoline.
bool runtime_frame(std::string_view function) {
  static constexpr std::string_view prefixes[] = {
      "corosh::detail::", "corosh::(anonymous namespace)::", "corosh::yield", "corosh::Loop::",
      "corosh::Socket::", "corosh::Listener::",            "corosh::Sink<",  "corosh::Generator<",
      "corosh::Coroutine::", "corosh::connect(",            "corosh::listen(", "corosh_trampoline",
      "corosh_switch"};
  for (std::string_view p : prefixes)
    if (function.starts_with(p)) return true;
  return false;
}

}  // namespace

Symbol parked_at(const std::vector<NamedFrame>& frames) {
  for (const NamedFrame& f : frames) {
    for (const Symbol& call : f.symbol.inlined)
      if (!runtime_frame(call.function)) return call;
    if (!runtime_frame(f.symbol.function)) {
      Symbol outer = f.symbol;
      outer.inlined.clear();
      return outer;
    }
  }
  return {};
}

Symbol symbol(std::uintptr_t pc, bool return_address) {
  return symbolize(Frame{.pc = pc, .return_address = return_address});
}

ContextMemory context(const CoroutineInfo& c) {
  ContextMemory memory;
  memory.address = c.context_address;
  // Saved registers exist only while it is not running (created, suspended
  // or normal); the registry fills `registers` exactly then.
  if (c.context_address == 0 || c.registers.empty()) return memory;
  // The block is ordinary memory inside the coroutine's control record, on
  // this thread: copied slot for slot as the switch wrote it.
  const auto* block = reinterpret_cast<const std::uint8_t*>(c.context_address);
  memory.bytes.assign(block, block + saved_context_size());
  return memory;
}

LoopState loop_state(const Loop& loop) {
  const LoopStats s = loop.stats();
  return {std::string(s.backend), s.registered_fds, s.timers, s.waiting, s.spawned, s.iterations, s.polls};
}

RegisterLayout register_layout() {
  RegisterLayout layout{std::string(architecture()), std::string(resume_register()), saved_context_size(), {}};
  for (const RegisterSlot& slot : saved_register_slots())
    layout.slots.push_back({std::string(slot.name), slot.offset, slot.size, std::string(slot.role)});
  return layout;
}

TraceRecording recording(const SwitchRecorder& recorder) {
  // The names as the recorder saw them: a coroutine that has died since
  // keeps its name in the recording.
  TraceRecording r{recorder.events(), recorder.dropped(), recorder.started_ns(), {}};
  for (const auto& [id, name] : recorder.names()) r.names.emplace_back(id, name);
  return r;
}

ListenerReport::ListenerReport(std::function<ListenerView()> describe) : describe_(std::move(describe)) {
  reports.push_back(this);
}

ListenerReport::~ListenerReport() { std::erase(reports, this); }

std::vector<ListenerView> listeners() {
  std::vector<ListenerView> all;
  for (const ListenerReport* r : reports) all.push_back(r->describe_());
  std::stable_sort(all.begin(), all.end(),
                   [](const ListenerView& a, const ListenerView& b) { return a.local.port < b.local.port; });
  return all;
}

Death death(std::uint64_t id, std::string_view name, std::exception_ptr error) {
  Death d;
  d.id = id;
  d.name = std::string(name);
  try {
    std::rethrow_exception(error);
  } catch (const Fault& f) {
    d.faulted = true;
    d.signal = f.signal();
    d.address = f.address();
  } catch (...) {
    std::type_info* type = abi::__cxa_current_exception_type();
    d.exception_type = type ? demangle(type->name()) : "unknown exception";
    try {
      throw;
    } catch (const std::exception& e) {
      d.message = e.what();
    } catch (...) {
    }
  }
  return d;
}

}  // namespace corosh::inspect
