// corosh/unwind.hpp — walking and naming the frames of a parked coroutine.
//
// A suspended coroutine's call stack is intact in memory; its saved frame
// pointer heads a chain of frame records that ends at the zeroed record the
// runtime put at the bottom of every coroutine stack. Walking that chain gives
// the return addresses; symbolizing them gives names and source lines:
//
//   for (const corosh::Frame& f : corosh::parked_frames(id)) {
//     corosh::Symbol s = corosh::symbolize(f);
//     std::printf("%s at %s:%d\n", s.function.c_str(), s.file.c_str(), s.line);
//   }
//
// Symbolization uses elfutils' libdw on Linux (DWARF line tables, demangled
// names) and dladdr elsewhere (names only). Its cache is per process and
// guarded by a lock: symbolize() may be called from any thread, but walking a
// coroutine's frames is only allowed on the thread that owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace corosh {

struct Frame {
  std::uintptr_t pc = 0;          // code address (frame 0: where it resumes)
  std::uintptr_t fp = 0;          // frame pointer of this frame (0 if unknown)
  bool return_address = false;    // pc follows a call: look up pc - 1
  friend bool operator==(const Frame&, const Frame&) = default;
};

struct Symbol {
  std::string function;           // demangled; "0x..." when unknown
  std::string file;               // source file name (no directories); empty if unknown
  int line = 0;                   // 0 if unknown; the line in `function` itself
  std::string module;             // executable or shared library file name
  // Calls the compiler inlined at this address, innermost first, each with
  // the line inside that inlined function (libdw only). `function`, `file`
  // and `line` above name the outermost, real function and the line in it.
  std::vector<Symbol> inlined;
  friend bool operator==(const Symbol&, const Symbol&) = default;
};

// Frames of a parked coroutine of this thread (created, suspended or normal),
// innermost first, from its saved registers. Stops at the zeroed frame
// record, at a frame pointer outside the coroutine's stack, or at
// max_frames. Empty if there is no such parked coroutine.
std::vector<Frame> parked_frames(std::uint64_t id, std::size_t max_frames = 256);

// Frames of a coroutine that died of a contained fault, from the registers
// at the fault (its stack is abandoned but still mapped while its handle
// lives). Empty if there is no such faulted coroutine.
std::vector<Frame> fault_frames(std::uint64_t id, std::size_t max_frames = 256);

// Names a frame's code address (never fails: unknown parts stay empty/0).
Symbol symbolize(const Frame& frame);

// Drops the cached debug information and the descriptors it keeps open; the
// next symbolize() loads it again.
void forget_symbols() noexcept;

// A C++ symbol or type name demangled ("_ZN3foo3barEv" -> "foo::bar()"),
// or the name itself when it is not a mangled one.
std::string demangle(const char* name);

}  // namespace corosh
