// What a plugin built against another corosh looks like to this one: the
// entry point and the stamp's fixed C layout, with a plugin ABI this corosh
// does not have. Written out by hand, since this tree's header always
// stamps the current ABI.
#include <cstdint>

namespace {

struct Stamp {  // the fixed part of corosh::spawnable::Stamp
  char magic[8];
  std::uint32_t abi;
  const char* version;
  const char* library;
  const void* (*functions)();
};

const Stamp stamp{{'c', 'o', 'r', 'o', 's', 'h', '\0', '\0'}, 999, "9.9.0", "libstdc++", nullptr};

}  // namespace

extern "C" [[gnu::visibility("default")]] const void* corosh_spawnable_module() { return &stamp; }
