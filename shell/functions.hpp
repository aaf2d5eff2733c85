// shell/functions.hpp — what `spawn` can start: the functions this program
// declared (the built-in demos, or an embedding program's own) and those of
// the plugins loaded since.
//
// A plugin is a shared library with corosh/spawnable.hpp declarations in it.
// Loading one checks, before any of its functions is reachable, that it is a
// shared library at all, that it carries a corosh stamp, that the stamp
// matches this program's (ABI version, C++ library), that it does not carry
// a runtime of its own, and that none of its names is taken; any failure is
// one CommandError and the library is closed again, leaving the catalog as
// it was.
//
//   Functions functions;                  // this program's own
//   const Plugin& p = functions.load("./maze.so");
//   const Functions::Entry* e = functions.find("maze");   // e->plugin == "maze"
#pragma once

#include <corosh/spawnable.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corosh::shell {

// A loaded plugin.
struct Plugin {
  std::string name;   // the file name without directories and suffix: "maze"
  std::string path;   // as given to load
  std::string version;  // the corosh version it was built against
  void* handle = nullptr;
  const void* base = nullptr;  // where it is mapped (dladdr's dli_fbase)
  const std::vector<spawnable::Function>* functions = nullptr;
};

class Functions {
 public:
  // A function and where it comes from.
  struct Entry {
    const spawnable::Function* function;
    const Plugin* plugin;  // null: declared by this program
  };

  // This program's own declarations.
  Functions();
  // Leaves the plugins still loaded mapped: coroutines their code started on
  // the loop may outlive the shell (the loop ends them when it goes).
  ~Functions() = default;
  Functions(const Functions&) = delete;
  Functions& operator=(const Functions&) = delete;

  // Every function, sorted by name.
  std::vector<Entry> all() const;
  // The function called `name`, or null.
  std::optional<Entry> find(std::string_view name) const;

  // Opens the plugin at `path` and adds its functions; throws CommandError.
  const Plugin& load(const std::string& path);
  // The plugin called `name`, or null.
  const Plugin* plugin(std::string_view name) const;
  const std::vector<std::unique_ptr<Plugin>>& plugins() const noexcept { return plugins_; }
  // Whether code address `pc` lies in `plugin`.
  static bool contains(const Plugin& plugin, std::uintptr_t pc);
  // Closes the plugin called `name` (the caller has made sure nothing of it
  // is still running).
  void unload(std::string_view name);

 private:
  const std::vector<spawnable::Function>& own_;
  std::vector<std::unique_ptr<Plugin>> plugins_;
};

}  // namespace corosh::shell
