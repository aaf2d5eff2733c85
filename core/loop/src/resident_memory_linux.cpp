// resident_memory_linux.cpp — the resident set from /proc/self/statm.
#include "resident_memory.hpp"

#include <unistd.h>

#include <cstdio>

namespace corosh::detail {

std::size_t resident_bytes() noexcept {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  long pages = 0, resident = 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return resident > 0 ? std::size_t(resident) * std::size_t(::sysconf(_SC_PAGESIZE)) : 0;
}

}  // namespace corosh::detail
