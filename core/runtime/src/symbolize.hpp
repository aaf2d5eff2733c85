// symbolize.hpp — the symbolization seam: one backend per file
// (symbolize_libdw.cpp on Linux, symbolize_dladdr.cpp elsewhere).
#pragma once

#include <corosh/unwind.hpp>

#include <cstdint>

namespace corosh::detail {

// Fills in what the backend knows about the code at `address` (already
// adjusted into the calling instruction for return addresses); leaves the
// rest empty. Thread-safe.
void symbolize_address(std::uintptr_t address, Symbol& symbol);

// Releases the backend's cached state, if it has any.
void forget_symbol_cache() noexcept;

}  // namespace corosh::detail
