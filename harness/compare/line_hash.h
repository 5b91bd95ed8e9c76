#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace chancho::compare {

// A fast 64-bit hash of a line's bytes (xxhash-like rounds over 8-byte words
// and a murmur3 finaliser). Not cryptographic: the multiset comparison treats
// lines with equal hashes as equal, and with 64 bits the chance of a
// collision among n distinct lines is about n^2 / 2^65 (1e-7 for 2M lines).
inline uint64_t HashLine(std::string_view line, uint64_t seed = 0) {
  constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
  constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;
  constexpr uint64_t kPrime3 = 0x165667B19E3779F9ULL;
  auto round = [&](uint64_t h, uint64_t word) {
    h ^= word * kPrime2;
    h = (h << 31) | (h >> 33);
    return h * kPrime1;
  };
  const char* p = line.data();
  size_t n = line.size();
  uint64_t h = seed ^ kPrime3 ^ (n * kPrime1);
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    h = round(h, word);
  }
  if (n > 0) {
    uint64_t word = 0;
    std::memcpy(&word, p, n);
    h = round(h, word);
  }
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace chancho::compare
