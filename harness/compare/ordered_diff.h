#pragma once

#include <filesystem>

#include "harness/compare/compare.h"
#include "harness/compare/file_reader.h"
#include "harness/compare/line_match.h"

namespace chancho::compare {

// Diffs two files line by line in order (exact or tolerance mode; see
// compare.h for the streaming approach and its memory bound), starting at
// the context lines before `start` (where the files' bytes differ), and
// fills the counts, diff and status of `out`.
void DiffOrdered(const std::filesystem::path& known_good,
                 const std::filesystem::path& result,
                 const LineMatcher& matcher, const Divergence& start,
                 FileComparison* out);

}  // namespace chancho::compare
