#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chancho::compare {

// The first hunk of a unified diff, built from a stream of diff events in
// file order (known-good is the "-" side, the result the "+" side):
//
//   @@ -4,7 +4,6 @@      start,count in each file (",1" omitted; an empty
//    context               side starts at the line before, as in diff -u)
//   -known-good line
//   +result line
//   \ No newline at end of file
//
// It keeps `context` lines before the first change and after the last, and
// merges changes at most 2*context lines apart into the hunk, as diff -u
// does. The hunk stops at `max_lines` body lines (then truncated() is true
// and the header counts only the lines shown). Memory is the hunk itself
// plus a ring of `context` lines; once Done(), events are ignored and cost
// nothing. Lines longer than kMaxShownBytes are cut, with a note.
class HunkBuilder {
 public:
  static constexpr size_t kMaxShownBytes = 400;

  explicit HunkBuilder(int context = 3, int max_lines = 20);

  // Skips `count` equal lines that are not shown (before the first event).
  void SkipCommon(int64_t count);
  // `terminated` is false for a last line without '\n'.
  void Common(std::string_view text, bool terminated = true);
  void Removed(std::string_view text, bool terminated = true);
  void Added(std::string_view text, bool terminated = true);
  // The end of both inputs.
  void Finish();

  // True once further events cannot change the hunk.
  bool Done() const { return state_ == State::kDone; }
  bool truncated() const { return truncated_; }
  // The header and body lines; empty when there was no change.
  std::vector<std::string> Lines() const;

 private:
  enum class State { kBefore, kInHunk, kDone };
  struct Entry {
    char tag;  // ' ', '-' or '+'
    std::string text;
    bool terminated;
  };

  void StartHunk();
  void Change(char tag, std::string_view text, bool terminated);
  // Moves up to `count` pending common lines into the body.
  void CommitPending(size_t count);
  void Append(char tag, std::string_view text, bool terminated);

  const size_t context_;
  const size_t max_lines_;
  State state_ = State::kBefore;
  bool truncated_ = false;
  int64_t next_a_ = 1;  // number of the next known-good line
  int64_t next_b_ = 1;  // number of the next result line
  // Before the hunk: the last `context_` common lines, as a ring.
  std::vector<Entry> ring_;
  size_t ring_next_ = 0;
  size_t ring_size_ = 0;
  // In the hunk.
  int64_t start_a_ = 0;
  int64_t start_b_ = 0;
  int64_t count_a_ = 0;
  int64_t count_b_ = 0;
  std::vector<Entry> body_;
  std::vector<Entry> pending_;  // common lines after the last change
};

// `text` as a diff shows it: cut after kMaxShownBytes with a note.
std::string ShownLine(std::string_view text);

}  // namespace chancho::compare
