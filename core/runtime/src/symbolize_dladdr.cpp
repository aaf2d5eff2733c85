// symbolize_dladdr.cpp — names from the dynamic linker (macOS and other
// systems without libdw): no source lines.
//
// Traps:
//  - dladdr only sees exported (dynamic) symbols: functions with internal
//    linkage, and everything in an executable linked without -rdynamic
//    (-export_dynamic), come back nameless or as the nearest exported symbol
//    before them. An address past the found symbol's size cannot be checked
//    (dladdr does not report sizes), so names are best effort.
//  - macOS symbols carry a leading underscore in the object file, but dladdr
//    already returns them without it.
#include "symbolize.hpp"

#include <dlfcn.h>

#include <cstring>

namespace corosh::detail {

void symbolize_address(std::uintptr_t address, Symbol& symbol) {
  Dl_info info;
  std::memset(&info, 0, sizeof info);
  if (dladdr(reinterpret_cast<void*>(address), &info) == 0) return;
  if (info.dli_fname != nullptr) {
    const char* slash = std::strrchr(info.dli_fname, '/');
    symbol.module = slash ? slash + 1 : info.dli_fname;
  }
  if (info.dli_sname != nullptr) symbol.function = demangle(info.dli_sname);
}

void forget_symbol_cache() noexcept {}

}  // namespace corosh::detail
