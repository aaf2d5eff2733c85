// resident_memory.hpp — how much of the process is in RAM, the one number
// `mem` needs from the operating system: resident_memory_linux.cpp reads
// /proc, resident_memory_mach.cpp asks the Mach kernel (macOS).
#pragma once

#include <cstddef>

namespace corosh::detail {

// The process's resident set in bytes, or 0 if it cannot be read.
std::size_t resident_bytes() noexcept;

}  // namespace corosh::detail
