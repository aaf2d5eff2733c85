#include "local_target.hpp"

#include "output.hpp"

#include <corosh/fault.hpp>

#include <fmt/format.h>

#include <utility>

namespace corosh::shell {

LocalTarget::LocalTarget(Loop& loop, std::function<void(std::string_view)> print) : loop_(loop) {
  set_fault_containment(true);
  // What demos say (a sleeper waking) goes where the shell prints, so it
  // lands in order with the commands' results and not over the prompt.
  spawnable::set_printer(std::move(print));
  // Coroutines the loop resumes (after a sleep, say) can die there too.
  loop_.set_error_handler([this](std::uint64_t id, std::string_view name, std::exception_ptr error) {
    report(inspect::death(id, name, error));
  });
}

LocalTarget::~LocalTarget() {
  shutdown();
  loop_.set_error_handler(nullptr);
  spawnable::set_printer(nullptr);
}

void LocalTarget::shutdown() {
  recorder_.stop();
  for (auto& [port, server] : servers_) server->stop();
  servers_.clear();
  while (!spawned_.empty()) spawned_.erase(std::prev(spawned_.end()));
}

CoroutineView LocalTarget::view(CoroutineInfo info) const {
  CoroutineView v;
  auto it = spawned_.find(info.id);
  v.yours = it != spawned_.end();
  // Not spawned here: the loop's (echo listeners) or one a demo made for
  // itself (pipeline's stages). Only their owner resumes them.
  v.origin = v.yours ? it->second.origin : std::string("by the loop");
  v.info = std::move(info);
  return v;
}

std::vector<CoroutineView> LocalTarget::list() {
  std::vector<CoroutineView> all;
  for (CoroutineInfo& info : inspect::summaries()) all.push_back(view(std::move(info)));
  return all;
}

std::optional<CoroutineView> LocalTarget::find(std::uint64_t id) {
  std::optional<CoroutineInfo> info = inspect::coroutine(id);
  if (!info) return std::nullopt;
  return view(std::move(*info));
}

std::vector<inspect::NamedFrame> LocalTarget::stack(const CoroutineInfo& coroutine, std::size_t max_frames) {
  return inspect::stack(coroutine, max_frames);
}

inspect::StackSet LocalTarget::stacks(std::size_t max_frames) {
  return inspect::stacks(max_frames);
}

Symbol LocalTarget::symbol(std::uintptr_t pc) { return inspect::symbol(pc); }

inspect::ContextMemory LocalTarget::context(const CoroutineInfo& coroutine) { return inspect::context(coroutine); }

RegisterLayout LocalTarget::register_layout() { return inspect::register_layout(); }

inspect::LoopState LocalTarget::loop() { return inspect::loop_state(loop_); }

std::vector<ListenerView> LocalTarget::listeners() { return inspect::listeners(); }

void LocalTarget::trace_start() { recorder_.start(); }

std::size_t LocalTarget::trace_stop() {
  recorder_.stop();
  return recorder_.events().size();
}

TraceRecording LocalTarget::trace_recording() { return inspect::recording(recorder_); }

std::vector<DemoInfo> LocalTarget::demos() {
  std::vector<DemoInfo> all;
  for (const Functions::Entry& e : functions_.all())
    all.push_back({std::string(e.function->name), std::string(e.function->usage), std::string(e.function->description),
                   e.plugin ? e.plugin->name : std::string()});
  return all;
}

std::uint64_t LocalTarget::spawn(const SpawnRequest& request) {
  std::optional<Functions::Entry> entry = functions_.find(request.demo);
  if (!entry) throw CommandError(fmt::format("no demo called '{}' (`demos` lists them)", printable(request.demo)));
  const spawnable::Function& function = *entry->function;
  spawnable::Spec spec{.name = request.name.value_or(std::string(function.name))};
  if (request.stack_size) spec.stack_size = *request.stack_size;
  std::unique_ptr<spawnable::Task> task;
  try {
    task = function.create(request.arguments, spec);
  } catch (const spawnable::BadArguments& e) {
    throw CommandError(fmt::format("{}: {} (usage: spawn {}{}{})", function.name, e.what(), function.name,
                                   function.usage.empty() ? "" : " ", function.usage));
  }
  if (task == nullptr) throw CommandError(fmt::format("{}: its create returned no task", function.name));
  const std::uint64_t id = task->coroutine().id();
  std::string origin(function.name);
  for (const std::string& a : request.arguments) origin += " " + a;
  if (entry->plugin) origin += fmt::format(" (plugin {})", entry->plugin->name);
  spawned_.emplace(id, Spawned{std::move(task), std::move(origin), entry->plugin});
  return id;
}

spawnable::Task& LocalTarget::task(const CoroutineView& coroutine) {
  auto it = spawned_.find(coroutine.info.id);
  if (it == spawned_.end())
    throw CommandError(fmt::format("coroutine {} was not spawned by the shell", coroutine.info.id));
  return *it->second.task;
}

namespace {

// Where `co` is now, after a resume or a cancel.
StepResult where(const Coroutine& co) {
  StepResult r;
  r.state = co.state();
  r.ending = co.ending();
  if (co.state() != State::dead)
    if (std::optional<CoroutineInfo> info = inspect::coroutine(co.id())) r.wait_reason = info->wait_reason;
  return r;
}

}  // namespace

StepResult LocalTarget::step(const CoroutineView& coroutine) {
  spawnable::Task& t = task(coroutine);
  std::optional<std::string> value;
  std::optional<inspect::Death> death;
  try {
    value = t.step();
  } catch (...) {
    death = inspect::death(coroutine.info.id, coroutine.info.name, std::current_exception());
  }
  StepResult r = where(t.coroutine());
  r.yielded = std::move(value);
  r.death = std::move(death);
  return r;
}

StepResult LocalTarget::cancel(const CoroutineView& coroutine) {
  if (!coroutine.yours && loop_.owns(coroutine.info.id)) {
    loop_.cancel(coroutine.info.id);  // unwound and destroyed: nothing left to look at
    StepResult done;
    done.state = State::dead;
    done.ending = Ending::cancelled;
    return done;
  }
  spawnable::Task& t = task(coroutine);
  t.coroutine().cancel();
  return where(t.coroutine());
}

void LocalTarget::forget(const CoroutineView& coroutine) {
  if (coroutine.info.state != State::dead)
    throw CommandError(fmt::format("coroutine {} is not dead", coroutine.info.id));
  if (auto it = spawned_.find(coroutine.info.id); it != spawned_.end()) {
    spawned_.erase(it);  // the task, its handle and the stack with it
    return;
  }
  if (!forget_coroutine(coroutine.info.id))
    throw CommandError(fmt::format("coroutine {} is gone already", coroutine.info.id));
}

// `help listen` names them.
static_assert(demos::default_max_connections == 1024 && demos::default_guard_reserve == 4096);

Endpoint LocalTarget::listen(const ListenRequest& request) {
  const std::uint16_t port = request.port;
  if (port != 0 && servers_.contains(port)) throw CommandError(fmt::format("already listening on port {}", port));
  demos::EchoOptions options{.host = request.host, .port = port, .idle_timeout = request.idle_timeout};
  if (request.max_connections) options.max_connections = *request.max_connections;
  std::unique_ptr<demos::EchoServer> server;
  try {
    server = std::make_unique<demos::EchoServer>(options);
  } catch (const Error& e) {  // a SocketError, or no guarded stack for the acceptor
    throw CommandError(fmt::format("cannot listen on {}:{}: {}", printable(request.host), port, e.what()));
  }
  Endpoint where = server->local();
  servers_.emplace(where.port, std::move(server));
  return where;
}

ListenerView LocalTarget::unlisten(std::uint16_t port) {
  auto it = servers_.find(port);
  if (it == servers_.end()) throw CommandError(fmt::format("not listening on port {}", port));
  ListenerView last = it->second->view();
  it->second->stop();
  servers_.erase(it);
  return last;
}

namespace {

PluginInfo info_of(const Plugin& p) {
  PluginInfo info{p.name, p.path, p.version, {}};
  for (const spawnable::Function& f : *p.functions) info.functions.emplace_back(f.name);
  return info;
}

}  // namespace

PluginInfo LocalTarget::load(const std::string& path) { return info_of(functions_.load(path)); }

std::vector<PluginInfo> LocalTarget::plugins() {
  std::vector<PluginInfo> all;
  for (const auto& p : functions_.plugins()) all.push_back(info_of(*p));
  return all;
}

std::vector<std::string> LocalTarget::running_code_of(const Plugin& plugin) {
  std::vector<std::string> running;
  for (const CoroutineInfo& c : inspect::coroutines()) {
    auto it = spawned_.find(c.id);
    const bool spawned_from_it = it != spawned_.end() && it->second.plugin == &plugin;
    // Spawned from it and dead: unload takes it along.
    if (spawned_from_it && c.state == State::dead) continue;
    // Created by its code (its record points into the plugin: the creation
    // site, the body), or parked in its code (one of another plugin's
    // coroutines calling into it).
    bool runs_it = spawned_from_it || Functions::contains(plugin, c.site_address);
    for (const Frame& f : parked_frames(c.id))
      runs_it = runs_it || Functions::contains(plugin, f.pc - (f.return_address ? 1 : 0));
    if (runs_it)
      running.push_back(fmt::format("{} '{}' ({})", c.id, printable(c.name), to_string(c.state)));
  }
  return running;
}

PluginInfo LocalTarget::unload(const std::string& name) {
  const Plugin* plugin = functions_.plugin(name);
  if (plugin == nullptr) {
    std::string loaded;
    for (const auto& p : functions_.plugins()) loaded += (loaded.empty() ? "" : ", ") + p->name;
    throw CommandError(loaded.empty() ? fmt::format("no plugin called '{}' is loaded", printable(name))
                                      : fmt::format("no plugin called '{}' is loaded (loaded: {})", printable(name),
                                                    loaded));
  }
  if (std::vector<std::string> running = running_code_of(*plugin); !running.empty()) {
    std::string which;
    for (const std::string& r : running) which += (which.empty() ? "" : ", ") + r;
    throw CommandError(fmt::format("plugin '{}' still has coroutine{} {}: {} must end first (`cancel ID` ends "
                                   "one you spawned)",
                                   plugin->name, running.size() == 1 ? "" : "s", which,
                                   running.size() == 1 ? "it" : "they"));
  }
  // Its dead coroutines go with it: their records point into its code.
  for (auto it = spawned_.begin(); it != spawned_.end();)
    it = it->second.plugin == plugin ? spawned_.erase(it) : std::next(it);
  PluginInfo info = info_of(*plugin);
  functions_.unload(plugin->name);
  return info;
}

}  // namespace corosh::shell
