#include "functions.hpp"

#include "output.hpp"
#include "words.hpp"

#include <corosh/unwind.hpp>  // demangle

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace corosh::shell {
namespace {

// "build/libmaze.so" -> "maze".
std::string plugin_name(std::string_view path) {
  std::size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  for (std::string_view suffix : {".so", ".dylib", ".bundle"})
    if (name.size() > suffix.size() && name.ends_with(suffix)) name.remove_suffix(suffix.size());
  if (name.size() > 3 && name.starts_with("lib")) name.remove_prefix(3);
  return std::string(name);
}

// What the dynamic loader said, as one line.
std::string loader_error() {
  const char* text = dlerror();
  std::string line = text ? text : "unknown error";
  std::replace(line.begin(), line.end(), '\n', ' ');
  return line;
}

// The symbol a failed dlopen could not resolve (glibc: "undefined symbol: X",
// macOS: "Symbol not found: X"), demangled, or empty for any other failure.
std::string missing_symbol(const std::string& error) {
  for (std::string_view marker : {"undefined symbol: ", "Symbol not found: "}) {
    std::size_t at = error.find(marker);
    if (at == std::string::npos) continue;
    std::string symbol = error.substr(at + marker.size());
    symbol = symbol.substr(0, symbol.find_first_of(" ,(\t"));
    if (symbol.starts_with("__Z")) symbol.erase(0, 1);  // Mach-O's leading underscore
    return demangle(symbol.c_str());
  }
  return {};
}

// Whether a file starting with these bytes is an ELF or Mach-O object (the
// formats the platforms corosh runs on load libraries in).
bool is_object_file(const unsigned char (&magic)[4]) {
  const std::uint32_t word = std::uint32_t(magic[0]) << 24 | std::uint32_t(magic[1]) << 16 |
                             std::uint32_t(magic[2]) << 8 | magic[3];
  for (std::uint32_t known : {0x7f454c46u /* \x7fELF */, 0xfeedfaceu, 0xfeedfacfu, 0xcefaedfeu, 0xcffaedfeu,
                              0xcafebabeu /* universal */})
    if (word == known) return true;
  return false;
}

// The library being loaded: closed again if a check fails (load() throws)
// before release() hands it over.
struct Opened {
  void* handle;
  ~Opened() {
    if (handle != nullptr) dlclose(handle);
  }
  void* release() { return std::exchange(handle, nullptr); }
};

}  // namespace

Functions::Functions() : own_(spawnable::declared()) {}

std::vector<Functions::Entry> Functions::all() const {
  std::vector<Entry> entries;
  for (const spawnable::Function& f : own_) entries.push_back({&f, nullptr});
  for (const auto& p : plugins_)
    for (const spawnable::Function& f : *p->functions) entries.push_back({&f, p.get()});
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.function->name < b.function->name; });
  return entries;
}

std::optional<Functions::Entry> Functions::find(std::string_view name) const {
  for (const Entry& e : all())
    if (e.function->name == name) return e;
  return std::nullopt;
}

const Plugin* Functions::plugin(std::string_view name) const {
  for (const auto& p : plugins_)
    if (p->name == name || p->path == name) return p.get();
  return nullptr;
}

bool Functions::contains(const Plugin& plugin, std::uintptr_t pc) {
  Dl_info info{};
  return dladdr(reinterpret_cast<const void*>(pc), &info) != 0 && info.dli_fbase == plugin.base;
}

const Plugin& Functions::load(const std::string& path) {
  const std::string shown = printable(path, 200);
  auto plugin = std::make_unique<Plugin>();
  plugin->name = plugin_name(path);
  plugin->path = path;
  if (plugin->name.empty() || !reject_binary(plugin->name).empty() || plugin->name.find(' ') != std::string::npos)
    throw CommandError(fmt::format("'{}' does not name a plugin file (FILE.so)", shown));
  if (const Plugin* other = this->plugin(plugin->name))
    throw CommandError(fmt::format("a plugin called '{}' is already loaded from {} (`unload {}` first)",
                                   other->name, printable(other->path, 200), other->name));
  // Read access first: dlopen's message for a missing file is about its
  // search path, and a path without a slash would be searched for there.
  // A plugin is a file you name, so it is opened as a path, never searched.
  if (int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC); fd < 0) {
    throw CommandError(fmt::format("cannot open {}: {}", shown, std::strerror(errno)));
  } else {
    unsigned char magic[4] = {};
    const bool known = ::read(fd, magic, sizeof magic) == sizeof magic && is_object_file(magic);
    ::close(fd);
    if (!known) throw CommandError(fmt::format("{} is not a shared library (neither ELF nor Mach-O)", shown));
  }
  const std::string opened_path = path.find('/') == std::string::npos ? "./" + path : path;

  dlerror();
  Opened library{dlopen(opened_path.c_str(), RTLD_NOW | RTLD_LOCAL)};
  if (library.handle == nullptr) {
    const std::string error = loader_error();
    if (std::string symbol = missing_symbol(error); !symbol.empty())
      throw CommandError(fmt::format(
          "{} needs {}, which this program does not have: it was built against another corosh (rebuild it), or "
          "this program does not export its runtime ({})",
          shown, symbol, error));
    // The runtime's thread-locals are initial-exec (fast to reach from the
    // switch); a library with such thread-locals of its own cannot be
    // dlopen'ed once the loader's spare static TLS is too small for them.
    if (error.find("static TLS") != std::string::npos)
      throw CommandError(fmt::format("cannot load {}: its thread-locals do not fit ({}); a plugin that links a "
                                     "corosh runtime of its own does that: link it with corosh::plugin, not "
                                     "corosh::core",
                                     shown, error));
    throw CommandError(fmt::format("cannot load {}: {}", shown, error));
  }

  using EntryPoint = const void* (*)();
  auto entry = reinterpret_cast<EntryPoint>(dlsym(library.handle, "corosh_spawnable_module"));
  if (entry == nullptr)
    throw CommandError(fmt::format("{} declares no corosh functions (it has no corosh/spawnable.hpp declarations)",
                                   shown));
  const auto* stamp = static_cast<const spawnable::Stamp*>(entry());
  const spawnable::Stamp& mine = spawnable::detail::module_stamp;
  if (stamp == nullptr || std::memcmp(stamp->magic, mine.magic, sizeof mine.magic) != 0)
    throw CommandError(fmt::format("{} has a corosh entry point but no corosh stamp: not a corosh plugin", shown));
  if (stamp->abi != mine.abi || std::strcmp(stamp->library, mine.library) != 0)
    throw CommandError(fmt::format("{} was built against corosh {} (plugin ABI {}, {}); this is corosh {} (plugin "
                                   "ABI {}, {}): rebuild it against this corosh",
                                   shown, printable(stamp->version), stamp->abi, printable(stamp->library),
                                   mine.version, mine.abi, mine.library));
  // The debuggers' way into the registry (core/runtime/src/registry.cpp):
  // one per runtime, so a plugin that defines its own carries a second one.
  if (void* registry = dlsym(library.handle, "corosh_registry_threads");
      registry != nullptr && registry != dlsym(RTLD_DEFAULT, "corosh_registry_threads"))
    throw CommandError(fmt::format("{} carries a corosh runtime of its own, whose coroutines this shell would not "
                                   "see: link it with corosh::plugin, not corosh::core",
                                   shown));
  plugin->version = stamp->version;
  plugin->functions = &stamp->functions();
  if (plugin->functions->empty())
    throw CommandError(fmt::format("{} declares no corosh functions", shown));
  for (std::size_t i = 0; i < plugin->functions->size(); ++i) {
    const spawnable::Function& f = (*plugin->functions)[i];
    if (f.name.empty() || !reject_binary(f.name).empty() || f.name.find(' ') != std::string_view::npos ||
        is_number(f.name) || !f.create)
      throw CommandError(fmt::format("{} declares a function the shell cannot spawn: '{}' (a name is a word, "
                                     "with a letter in it, and a function has a create)",
                                     shown, printable(f.name)));
    for (std::size_t j = 0; j < i; ++j)
      if ((*plugin->functions)[j].name == f.name)
        throw CommandError(fmt::format("{} declares '{}' twice", shown, f.name));
    if (std::optional<Entry> taken = find(f.name))
      throw CommandError(fmt::format("{} declares '{}', which {} already declares", shown, f.name,
                                     taken->plugin ? fmt::format("plugin '{}'", taken->plugin->name)
                                                   : std::string("this program")));
  }
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(entry), &info) == 0)
    throw CommandError(fmt::format("{}: cannot tell where it was loaded", shown));
  plugin->base = info.dli_fbase;
  plugin->handle = library.release();
  plugins_.push_back(std::move(plugin));
  return *plugins_.back();
}

void Functions::unload(std::string_view name) {
  auto it = std::find_if(plugins_.begin(), plugins_.end(),
                         [&](const auto& p) { return p->name == name || p->path == name; });
  if (it == plugins_.end()) return;
  void* handle = (*it)->handle;
  plugins_.erase(it);
  dlclose(handle);
}

}  // namespace corosh::shell
