#include "harness/compare/hunk.h"

namespace chancho::compare {
namespace {

// "start,count" as diff -u prints it.
std::string Range(int64_t start, int64_t count) {
  if (count == 1) return std::to_string(start);
  return std::to_string(count == 0 ? start - 1 : start) + "," +
         std::to_string(count);
}

}  // namespace

std::string ShownLine(std::string_view text) {
  if (text.size() <= HunkBuilder::kMaxShownBytes) return std::string(text);
  return std::string(text.substr(0, HunkBuilder::kMaxShownBytes)) + " [... " +
         std::to_string(text.size() - HunkBuilder::kMaxShownBytes) +
         " more bytes]";
}

HunkBuilder::HunkBuilder(int context, int max_lines)
    : context_(context > 0 ? context : 0),
      max_lines_(max_lines > 1 ? max_lines : 1),
      ring_(context_) {}

void HunkBuilder::Common(std::string_view text, bool terminated) {
  switch (state_) {
    case State::kBefore:
      ++next_a_;
      ++next_b_;
      if (context_ == 0) return;
      // Reuses the ring's strings, so a long run of equal lines does not
      // allocate.
      ring_[ring_next_].text.assign(text);
      ring_[ring_next_].terminated = terminated;
      ring_next_ = (ring_next_ + 1) % context_;
      if (ring_size_ < context_) ++ring_size_;
      return;
    case State::kInHunk:
      if (pending_.size() == 2 * context_) {
        // The next change, if any, is too far away to share this hunk.
        CommitPending(context_);
        state_ = State::kDone;
        return;
      }
      pending_.push_back(Entry{' ', std::string(text), terminated});
      return;
    case State::kDone:
      return;
  }
}

void HunkBuilder::SkipCommon(int64_t count) {
  next_a_ += count;
  next_b_ += count;
}

void HunkBuilder::Removed(std::string_view text, bool terminated) {
  Change('-', text, terminated);
}

void HunkBuilder::Added(std::string_view text, bool terminated) {
  Change('+', text, terminated);
}

void HunkBuilder::Finish() {
  if (state_ == State::kInHunk) CommitPending(context_);
  state_ = State::kDone;
}

void HunkBuilder::StartHunk() {
  state_ = State::kInHunk;
  start_a_ = next_a_ - static_cast<int64_t>(ring_size_);
  start_b_ = next_b_ - static_cast<int64_t>(ring_size_);
  // The ring's oldest line is ring_next_ once the ring is full, 0 before.
  const size_t oldest = ring_size_ == context_ ? ring_next_ : 0;
  for (size_t i = 0; i < ring_size_; ++i) {
    const Entry& entry = ring_[(oldest + i) % context_];
    Append(' ', entry.text, entry.terminated);
  }
  ring_.clear();
}

void HunkBuilder::Change(char tag, std::string_view text, bool terminated) {
  if (state_ == State::kDone) return;
  if (state_ == State::kBefore) StartHunk();
  CommitPending(pending_.size());
  if (state_ == State::kDone) return;
  Append(tag, text, terminated);
}

void HunkBuilder::CommitPending(size_t count) {
  for (size_t i = 0; i < count && i < pending_.size(); ++i) {
    if (state_ == State::kDone) break;
    Append(' ', pending_[i].text, pending_[i].terminated);
  }
  pending_.clear();
}

void HunkBuilder::Append(char tag, std::string_view text, bool terminated) {
  if (body_.size() == max_lines_) {
    truncated_ = true;
    state_ = State::kDone;
    return;
  }
  if (tag != '+') ++count_a_;
  if (tag != '-') ++count_b_;
  body_.push_back(Entry{tag, ShownLine(text), terminated});
}

std::vector<std::string> HunkBuilder::Lines() const {
  std::vector<std::string> lines;
  if (body_.empty()) return lines;
  lines.push_back("@@ -" + Range(start_a_, count_a_) + " +" +
                  Range(start_b_, count_b_) + " @@");
  for (const Entry& entry : body_) {
    lines.push_back(entry.tag + entry.text);
    if (!entry.terminated) lines.push_back("\\ No newline at end of file");
  }
  return lines;
}

}  // namespace chancho::compare
