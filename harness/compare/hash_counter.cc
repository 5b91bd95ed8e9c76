#include "harness/compare/hash_counter.h"

#include <sys/mman.h>

#include <new>

namespace chancho::compare {
namespace {
constexpr size_t kInitialSlots = 1024;
constexpr size_t kHugePage = size_t{2} << 20;
}  // namespace

// Anonymous mappings come zeroed (every slot empty) and are only backed by
// memory as they are touched.
HashCounter::Slot* HashCounter::Allocate(size_t slots) {
  const size_t bytes = slots * sizeof(Slot);
  void* memory = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) throw std::bad_alloc();
  if (bytes >= kHugePage) ::madvise(memory, bytes, MADV_HUGEPAGE);
  return static_cast<Slot*>(memory);
}

void HashCounter::Free(Slot* slots, size_t count) {
  ::munmap(slots, count * sizeof(Slot));
}

HashCounter::HashCounter()
    : slots_(Allocate(kInitialSlots)), mask_(kInitialSlots - 1) {}

HashCounter::~HashCounter() { Free(slots_, mask_ + 1); }

// The hashes are already well mixed, so their low bits index the table.
size_t HashCounter::Find(uint64_t key) const {
  size_t i = key & mask_;
  while (slots_[i].hash != 0 && slots_[i].hash != key) i = (i + 1) & mask_;
  return i;
}

void HashCounter::Add(uint64_t hash, int64_t delta) {
  const uint64_t key = Key(hash);
  size_t i = Find(key);
  if (slots_[i].hash == 0) {
    if ((size_ + 1) * 10 > (mask_ + 1) * 7) {
      Grow();
      i = Find(key);
    }
    slots_[i].hash = key;
    ++size_;
  }
  slots_[i].count += delta;
}

void HashCounter::AddEach(std::span<const uint64_t> hashes, int64_t delta) {
  for (const uint64_t hash : hashes) {
    __builtin_prefetch(&slots_[Key(hash) & mask_], 1);
  }
  for (const uint64_t hash : hashes) Add(hash, delta);
}

int64_t HashCounter::Get(uint64_t hash) const {
  const Slot& slot = slots_[Find(Key(hash))];
  return slot.hash == 0 ? 0 : slot.count;
}

void HashCounter::Grow() {
  Slot* old = slots_;
  const size_t old_count = mask_ + 1;
  slots_ = Allocate(old_count * 2);
  mask_ = old_count * 2 - 1;
  for (size_t i = 0; i < old_count; ++i) {
    if (old[i].hash != 0) slots_[Find(old[i].hash)] = old[i];
  }
  Free(old, old_count);
}

}  // namespace chancho::compare
