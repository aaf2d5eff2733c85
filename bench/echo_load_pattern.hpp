// The bytes echo_load sends: a pseudo-random pattern derived from the
// connection id and the round trip's sequence number.
//
// Because every message differs from every other one (another connection's,
// or this connection's previous or next), an echo that is corrupted, truncated,
// duplicated, delivered to the wrong connection or out of order never compares
// equal to what the client expects — a fixed pattern would let all of those
// through.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

// SplitMix64 (Steele, Lea, Flood 2014): one multiply-xorshift round per word,
// cheap enough that generating the message never shows up in a profile.
inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Writes message (connection, seq) into out[0, size).
inline void fill_pattern(unsigned char* out, size_t size, uint32_t connection, uint64_t seq) {
  const uint64_t key = splitmix64(splitmix64(connection) ^ seq);
  for (size_t i = 0; i < size; i += 8) {
    const uint64_t word = splitmix64(key + i);
    std::memcpy(out + i, &word, size - i < 8 ? size - i : 8);
  }
}
