#pragma once

#include <cstdint>
#include <iterator>
#include <random>

namespace chancho::movies {

// A seeded random source whose every draw is specified bit for bit, so the
// same seed gives the same data on any platform and standard library.
// std::mt19937_64's output is fixed by the standard, but the std::
// distributions are not, so the draws below use integer arithmetic only.
// Not thread-safe.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}

  uint64_t Next() { return engine_(); }

  // Uniform in [0, n) for n > 0 (multiply-shift: the bias, below 2^-40 for
  // the sizes used here, does not matter for test data).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>(
        (static_cast<unsigned __int128>(engine_()) * n) >> 64);
  }

  // Uniform in [low, high]; requires low <= high.
  int64_t Between(int64_t low, int64_t high) {
    return low +
           static_cast<int64_t>(Below(static_cast<uint64_t>(high - low) + 1));
  }

  // True with probability percent / 100.
  bool Percent(int percent) {
    return Below(100) < static_cast<uint64_t>(percent);
  }

  // In [0, n), small values much likelier: P(k) is about ln(n / k) / n.
  uint64_t Skewed(uint64_t n) { return Below(1 + Below(n)); }

  // A uniformly chosen element of a non-empty array, vector or span.
  template <typename Container>
  const auto& Pick(const Container& items) {
    return items[Below(std::size(items))];
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace chancho::movies
