#include "harness/compare/unordered_diff.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "harness/compare/file_reader.h"
#include "harness/compare/hash_counter.h"
#include "harness/compare/hunk.h"
#include "harness/compare/line_hash.h"
#include "harness/compare/line_match.h"

namespace chancho::compare {
namespace {

// Example lines shown per side.
constexpr int64_t kMaxExamples = kMaxDiffLines / 2;

// Adds `sign` for every line of the file, in batches whose table slots are
// prefetched together.
void CountLines(const std::filesystem::path& path, uint64_t start, int64_t sign,
                HashCounter* counts) {
  constexpr size_t kBatch = 32;
  uint64_t batch[kBatch];
  size_t n = 0;
  LineReader reader(path, start);
  LineView line;
  while (reader.Next(&line)) {
    batch[n++] = HashLine(line.text);
    if (n == kBatch) {
      counts->AddEach({batch, n}, sign);
      n = 0;
    }
  }
  counts->AddEach({batch, n}, sign);
}

// The first `limit` lines of the file whose hash has a count of the same
// sign as `sign`, each instance at most |count| times.
std::vector<std::string> Examples(const std::filesystem::path& path,
                                  uint64_t start, const HashCounter& counts,
                                  int64_t sign, int64_t limit) {
  std::vector<std::string> lines;
  HashCounter shown;
  LineReader reader(path, start);
  LineView line;
  while (static_cast<int64_t>(lines.size()) < limit && reader.Next(&line)) {
    const uint64_t hash = HashLine(line.text);
    if (counts.Get(hash) * sign > shown.Get(hash)) {
      shown.Add(hash, 1);
      lines.push_back((sign > 0 ? "-" : "+") + ShownLine(line.text));
    }
  }
  return lines;
}

// A line left over once exact duplicates cancelled out.
struct Residual {
  std::string text;
  int64_t line_number;
  uint64_t key;  // MaskedNumbersHash
  double first;  // FirstNumber
  bool matched = false;
};

// Every line of the file whose hash has a count of the same sign as `sign`,
// |count| instances of each.
std::vector<Residual> Residuals(const std::filesystem::path& path,
                                uint64_t start, const HashCounter& counts,
                                int64_t sign) {
  HashCounter wanted;
  counts.ForEachNonZero([&](uint64_t hash, int64_t count) {
    if (count * sign > 0) wanted.Add(hash, count * sign);
  });
  std::vector<Residual> residuals;
  LineReader reader(path, start);
  LineView line;
  while (reader.Next(&line)) {
    const uint64_t hash = HashLine(line.text);
    if (wanted.Get(hash) <= 0) continue;
    wanted.Add(hash, -1);
    residuals.push_back(Residual{std::string(line.text), reader.line_number(),
                                 MaskedNumbersHash(line.text),
                                 FirstNumber(line.text)});
  }
  return residuals;
}

// Pairs missing and extra lines equal within `tolerance`. Both are sorted by
// (mask, first number); each missing line takes the first free extra line
// of its mask whose first number is within reach. Optimal when lines have
// one number, greedy otherwise.
void MatchWithin(std::vector<Residual>& missing, std::vector<Residual>& extra,
                 double tolerance) {
  const auto order = [](const Residual& x, const Residual& y) {
    return std::tie(x.key, x.first) < std::tie(y.key, y.first);
  };
  std::sort(missing.begin(), missing.end(), order);
  std::sort(extra.begin(), extra.end(), order);
  size_t low = 0;
  for (Residual& m : missing) {
    while (low < extra.size() && (extra[low].key < m.key ||
                                  (extra[low].key == m.key &&
                                   extra[low].first < m.first - tolerance))) {
      ++low;
    }
    for (size_t k = low; k < extra.size() && extra[k].key == m.key &&
                         extra[k].first <= m.first + tolerance;
         ++k) {
      if (!extra[k].matched &&
          FieldsEqualWithin(m.text, extra[k].text, tolerance)) {
        m.matched = extra[k].matched = true;
        break;
      }
    }
  }
}

// Counts the unmatched lines and appends the first `limit` in file order.
int64_t Unmatched(std::vector<Residual>& residuals, char tag, int64_t limit,
                  std::vector<std::string>* diff) {
  std::erase_if(residuals, [](const Residual& r) { return r.matched; });
  std::sort(residuals.begin(), residuals.end(),
            [](const Residual& x, const Residual& y) {
              return x.line_number < y.line_number;
            });
  for (const Residual& r : residuals) {
    if (limit-- <= 0) break;
    diff->push_back(tag + ShownLine(r.text));
  }
  return static_cast<int64_t>(residuals.size());
}

}  // namespace

void DiffUnordered(const std::filesystem::path& known_good,
                   const std::filesystem::path& result,
                   std::optional<double> tolerance, uint64_t start,
                   FileComparison* out) {
  HashCounter counts;
  CountLines(known_good, start, +1, &counts);
  CountLines(result, start, -1, &counts);
  int64_t missing = 0;
  int64_t extra = 0;
  counts.ForEachNonZero([&](uint64_t, int64_t count) {
    if (count > 0) {
      missing += count;
    } else {
      extra -= count;
    }
  });
  if ((missing > 0 || extra > 0) && tolerance) {
    auto missing_lines = Residuals(known_good, start, counts, +1);
    auto extra_lines = Residuals(result, start, counts, -1);
    MatchWithin(missing_lines, extra_lines, *tolerance);
    missing = Unmatched(missing_lines, '-', kMaxExamples, &out->diff);
    extra = Unmatched(extra_lines, '+', kMaxExamples, &out->diff);
  } else if (missing > 0 || extra > 0) {
    out->diff = Examples(known_good, start, counts, +1,
                         std::min(missing, kMaxExamples));
    for (auto& line :
         Examples(result, start, counts, -1, std::min(extra, kMaxExamples))) {
      out->diff.push_back(std::move(line));
    }
  }
  out->missing_lines = missing;
  out->extra_lines = extra;
  out->diff_truncated = missing > kMaxExamples || extra > kMaxExamples;
  out->status =
      missing == 0 && extra == 0 ? FileStatus::kMatch : FileStatus::kMismatch;
}

}  // namespace chancho::compare
