#include "system/movies/mq/dedup_tracker.h"

#include <charconv>
#include <stdexcept>

namespace chancho::movies::mq {
namespace {

bool Contains(const std::map<std::uint64_t, std::uint64_t>& intervals,
              std::uint64_t value) {
  auto it = intervals.upper_bound(value);
  if (it == intervals.begin()) return false;
  --it;
  return value <= it->second;
}

// Serialised form, one (client, producer) per line:
//   <len>:<client> <len>:<producer> <count> <first>-<last> ...\n
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}
  bool done() const { return pos_ == text_.size(); }

  std::uint64_t Number() {
    std::uint64_t value = 0;
    const char* begin = text_.data() + pos_;
    const char* end = text_.data() + text_.size();
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr == begin) Fail("expected a number");
    pos_ += ptr - begin;
    return value;
  }
  void Expect(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) {
      Fail(std::string("expected '") + c + "'");
    }
    ++pos_;
  }
  std::string Name() {
    const std::uint64_t len = Number();
    Expect(':');
    if (len > text_.size() - pos_) Fail("name runs past the end");
    std::string name(text_.substr(pos_, len));
    pos_ += len;
    return name;
  }
  [[noreturn]] void Fail(const std::string& what) const {
    throw std::runtime_error("dedup state: " + what + " at byte " +
                             std::to_string(pos_));
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

bool DedupTracker::Seen(std::string_view client, std::string_view producer,
                        std::uint64_t sequence) const {
  const auto c = seen_.find(client);
  if (c == seen_.end()) return false;
  const auto p = c->second.find(producer);
  return p != c->second.end() && Contains(p->second, sequence);
}

bool DedupTracker::Mark(std::string_view client, std::string_view producer,
                        std::uint64_t sequence) {
  auto c = seen_.find(client);
  if (c == seen_.end()) c = seen_.try_emplace(std::string(client)).first;
  auto p = c->second.find(producer);
  if (p == c->second.end()) {
    p = c->second.try_emplace(std::string(producer)).first;
  }
  Intervals& intervals = p->second;
  if (Contains(intervals, sequence)) return false;
  // Joins the interval ending at sequence - 1 and the one starting at
  // sequence + 1, when they exist.
  auto next = intervals.upper_bound(sequence);
  std::uint64_t first = sequence;
  std::uint64_t last = sequence;
  if (next != intervals.begin()) {
    auto prev = std::prev(next);
    if (sequence > 0 && prev->second == sequence - 1) {
      first = prev->first;
      intervals.erase(prev);
    }
  }
  if (next != intervals.end() && sequence < UINT64_MAX &&
      next->first == sequence + 1) {
    last = next->second;
    intervals.erase(next);
  }
  intervals[first] = last;
  return true;
}

void DedupTracker::ForgetClient(std::string_view client) {
  if (auto it = seen_.find(client); it != seen_.end()) seen_.erase(it);
}

std::size_t DedupTracker::IntervalCount() const {
  std::size_t n = 0;
  for (const auto& [client, producers] : seen_) {
    for (const auto& [producer, intervals] : producers) n += intervals.size();
  }
  return n;
}

std::string DedupTracker::Serialize() const {
  std::string out;
  for (const auto& [client, producers] : seen_) {
    for (const auto& [producer, intervals] : producers) {
      out += std::to_string(client.size()) + ":" + client + " " +
             std::to_string(producer.size()) + ":" + producer + " " +
             std::to_string(intervals.size());
      for (const auto& [first, last] : intervals) {
        out += " " + std::to_string(first) + "-" + std::to_string(last);
      }
      out += "\n";
    }
  }
  return out;
}

DedupTracker DedupTracker::Parse(std::string_view text) {
  DedupTracker tracker;
  Parser in(text);
  while (!in.done()) {
    std::string client = in.Name();
    in.Expect(' ');
    std::string producer = in.Name();
    in.Expect(' ');
    const std::uint64_t count = in.Number();
    Intervals intervals;
    std::uint64_t previous_last = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
      in.Expect(' ');
      const std::uint64_t first = in.Number();
      in.Expect('-');
      const std::uint64_t last = in.Number();
      if (last < first || (i > 0 && first <= previous_last + 1)) {
        in.Fail("intervals out of order or overlapping");
      }
      intervals[first] = last;
      previous_last = last;
    }
    in.Expect('\n');
    tracker.seen_[client][producer] = std::move(intervals);
  }
  return tracker;
}

}  // namespace chancho::movies::mq
