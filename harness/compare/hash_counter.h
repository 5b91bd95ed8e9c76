#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace chancho::compare {

// A multiset of 64-bit line hashes: hash -> signed count, in one flat
// open-addressing table (linear probing) of 16-byte slots, kept at most 70%
// full. Memory is about 23-46 bytes per distinct hash, and 1.5 times that
// for a moment while the table doubles. Hash 0 marks an empty slot, so a
// line whose hash is 0 is counted under 1 (one more 2^-64 collision).
//
// Big tables are random-access bound, so the table asks for huge pages
// (fewer TLB misses) and AddEach prefetches the slots of a batch first.
class HashCounter {
 public:
  HashCounter();
  ~HashCounter();
  HashCounter(const HashCounter&) = delete;
  HashCounter& operator=(const HashCounter&) = delete;

  // Adds `delta` to the count of `hash`.
  void Add(uint64_t hash, int64_t delta);
  // Add for every hash of a batch.
  void AddEach(std::span<const uint64_t> hashes, int64_t delta);
  // The count of `hash` (0 when absent).
  int64_t Get(uint64_t hash) const;
  // The number of distinct hashes ever added (including those back to 0).
  size_t size() const { return size_; }

  // Calls f(hash, count) for every hash whose count is not 0.
  template <typename F>
  void ForEachNonZero(F&& f) const {
    for (size_t i = 0; i <= mask_; ++i) {
      if (slots_[i].hash != 0 && slots_[i].count != 0) {
        f(slots_[i].hash, slots_[i].count);
      }
    }
  }

 private:
  struct Slot {
    uint64_t hash;
    int64_t count;
  };
  static uint64_t Key(uint64_t hash) { return hash == 0 ? 1 : hash; }
  static Slot* Allocate(size_t slots);
  static void Free(Slot* slots, size_t count);
  size_t Find(uint64_t key) const;
  void Grow();

  Slot* slots_;  // zeroed, mask_ + 1 of them
  size_t mask_;
  size_t size_ = 0;
};

}  // namespace chancho::compare
