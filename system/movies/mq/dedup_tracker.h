#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace chancho::movies::mq {

// Remembers which messages a service has processed, per (client, producer),
// so that a message re-sent after a crash is recognised and dropped.
//
// Sequences of one (client, producer) are kept as disjoint closed intervals,
// so a producer numbering its messages 0, 1, 2, ... costs one interval
// whatever the count, and gaps (a filter that keeps the sequence of its
// input) cost one interval per run. Not thread-safe.
class DedupTracker {
 public:
  // True if the message was already marked processed.
  bool Seen(std::string_view client, std::string_view producer,
            std::uint64_t sequence) const;
  // Marks the message processed; true if it was new, false for a duplicate.
  bool Mark(std::string_view client, std::string_view producer,
            std::uint64_t sequence);
  // Drops everything remembered of `client` (its query is over).
  void ForgetClient(std::string_view client);

  // Number of intervals held, a measure of the memory used.
  std::size_t IntervalCount() const;
  bool operator==(const DedupTracker&) const = default;

  // A text form for the StateStore. Names are length-prefixed, so any bytes
  // are allowed in them. Parse throws std::runtime_error (one line) on
  // malformed input.
  std::string Serialize() const;
  static DedupTracker Parse(std::string_view text);

 private:
  using Intervals = std::map<std::uint64_t, std::uint64_t>;  // first -> last
  // client -> producer -> intervals.
  std::map<std::string, std::map<std::string, Intervals, std::less<>>,
           std::less<>>
      seen_;
};

}  // namespace chancho::movies::mq
