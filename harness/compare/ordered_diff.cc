#include "harness/compare/ordered_diff.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/compare/file_reader.h"
#include "harness/compare/hunk.h"

namespace chancho::compare {
namespace {

constexpr size_t kInitialWindow = 64;
constexpr size_t kMaxWindow = size_t{1} << 16;
constexpr size_t kMaxWindowBytes = size_t{8} << 20;

struct Line {
  std::string text;
  bool terminated = true;
  uint64_t key = 0;

  LineView view() const { return LineView{text, terminated}; }
};

// A file's lines with a look-ahead buffer. Equal stretches go straight from
// the reader's buffer; only the lines of a window after a difference are
// copied.
class LineSource {
 public:
  LineSource(const std::filesystem::path& path, const Divergence& start,
             const LineMatcher& matcher)
      : reader_(path, start.context_offset, start.context_line),
        matcher_(matcher) {}

  // The next line; valid until the next call to any method.
  bool Next(LineView* line) {
    if (!ahead_.empty()) {
      current_ = std::move(ahead_.front());
      ahead_.pop_front();
      bytes_ -= current_.text.size();
      *line = current_.view();
      return true;
    }
    if (eof_) return false;
    if (reader_.Next(line)) return true;
    eof_ = true;
    return false;
  }

  // Puts `line` (just returned by Next) back in front.
  void Unread(const LineView& line) {
    ahead_.push_front(
        Line{std::string(line.text), line.terminated, matcher_.Key(line)});
    bytes_ += line.text.size();
  }

  // Reads ahead until `count` lines are buffered, the buffer holds
  // kMaxWindowBytes, or the file ends; returns the lines buffered.
  size_t Fill(size_t count) {
    LineView line;
    while (ahead_.size() < count && bytes_ < kMaxWindowBytes && !eof_) {
      if (!reader_.Next(&line)) {
        eof_ = true;
        break;
      }
      ahead_.push_back(
          Line{std::string(line.text), line.terminated, matcher_.Key(line)});
      bytes_ += line.text.size();
    }
    return std::min(count, ahead_.size());
  }

  const Line& Ahead(size_t i) const { return ahead_[i]; }
  void Drop(size_t count) {
    for (size_t i = 0; i < count; ++i) {
      bytes_ -= ahead_.front().text.size();
      ahead_.pop_front();
    }
  }

 private:
  LineReader reader_;
  const LineMatcher& matcher_;
  std::deque<Line> ahead_;
  size_t bytes_ = 0;
  bool eof_ = false;
  Line current_;
};

class OrderedDiff {
 public:
  OrderedDiff(const std::filesystem::path& known_good,
              const std::filesystem::path& result, const LineMatcher& matcher,
              const Divergence& start)
      : matcher_(matcher),
        a_(known_good, start, matcher),
        b_(result, start, matcher),
        show_newlines_(!matcher.tolerant()) {
    hunk_.SkipCommon(start.context_line - 1);
  }

  void Run(FileComparison* out) {
    LineView a;
    LineView b;
    for (;;) {
      const bool has_a = a_.Next(&a);
      const bool has_b = b_.Next(&b);
      if (!has_a && !has_b) break;
      if (has_a && has_b && matcher_.Equal(a, b)) {
        if (!hunk_.Done()) hunk_.Common(a.text, Terminated(a));
        continue;
      }
      if (has_a) a_.Unread(a);
      if (has_b) b_.Unread(b);
      Resync();
    }
    hunk_.Finish();
    out->missing_lines = missing_;
    out->extra_lines = extra_;
    out->diff = hunk_.Lines();
    out->diff_truncated =
        hunk_.truncated() || missing_ + extra_ > CountChanges(out->diff);
  }

 private:
  bool Terminated(const LineView& line) const {
    return line.terminated || !show_newlines_;
  }

  static int64_t CountChanges(const std::vector<std::string>& diff) {
    return std::count_if(diff.begin(), diff.end(), [](const std::string& l) {
      return l[0] == '-' || l[0] == '+';
    });
  }

  // The fronts of the look-ahead buffers differ: finds the nearest equal
  // pair (i, j) and reports the lines before it as removed and added.
  void Resync() {
    for (size_t window = kInitialWindow;; window *= 2) {
      const size_t n_a = a_.Fill(window);
      const size_t n_b = b_.Fill(window);
      const bool can_grow =
          window < kMaxWindow && (n_a == window || n_b == window);
      if (n_a == 0 || n_b == 0) return Emit(n_a, n_b);
      const auto sync = FindSync(n_a, n_b);
      // A pair with i + j < window is the nearest overall; a farther one
      // might lose to a pair beyond the window.
      if (sync && (sync->first + sync->second < window || !can_grow)) {
        return Emit(sync->first, sync->second);
      }
      if (!can_grow) return Emit(n_a, n_b);
    }
  }

  // The equal pair with the smallest i + j, then the largest i: like diff,
  // removed lines come before added ones.
  std::optional<std::pair<size_t, size_t>> FindSync(size_t n_a, size_t n_b) {
    index_.clear();
    for (size_t j = 0; j < n_b; ++j) index_.emplace_back(b_.Ahead(j).key, j);
    std::sort(index_.begin(), index_.end());
    std::optional<std::pair<size_t, size_t>> best;
    size_t best_sum = n_a + n_b;  // more than any pair
    for (size_t i = 0; i < n_a && i <= best_sum; ++i) {
      const Line& line = a_.Ahead(i);
      auto it = std::lower_bound(index_.begin(), index_.end(),
                                 std::make_pair(line.key, size_t{0}));
      for (; it != index_.end() && it->first == line.key; ++it) {
        const size_t j = it->second;
        // An equal sum found later has a larger i.
        if (i + j > best_sum) break;
        if (matcher_.Equal(line.view(), b_.Ahead(j).view())) {
          best = {i, j};
          best_sum = i + j;
          break;
        }
      }
    }
    return best;
  }

  void Emit(size_t removed, size_t added) {
    for (size_t i = 0; i < removed && !hunk_.Done(); ++i) {
      const Line& line = a_.Ahead(i);
      hunk_.Removed(line.text, Terminated(line.view()));
    }
    for (size_t j = 0; j < added && !hunk_.Done(); ++j) {
      const Line& line = b_.Ahead(j);
      hunk_.Added(line.text, Terminated(line.view()));
    }
    missing_ += static_cast<int64_t>(removed);
    extra_ += static_cast<int64_t>(added);
    a_.Drop(removed);
    b_.Drop(added);
  }

  const LineMatcher& matcher_;
  LineSource a_;  // known-good
  LineSource b_;  // result
  const bool show_newlines_;
  HunkBuilder hunk_{kDiffContextLines, kMaxDiffLines};
  int64_t missing_ = 0;
  int64_t extra_ = 0;
  std::vector<std::pair<uint64_t, size_t>> index_;
};

}  // namespace

void DiffOrdered(const std::filesystem::path& known_good,
                 const std::filesystem::path& result,
                 const LineMatcher& matcher, const Divergence& start,
                 FileComparison* out) {
  OrderedDiff(known_good, result, matcher, start).Run(out);
  out->status = out->missing_lines == 0 && out->extra_lines == 0
                    ? FileStatus::kMatch
                    : FileStatus::kMismatch;
}

}  // namespace chancho::compare
