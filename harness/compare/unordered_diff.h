#pragma once

#include <filesystem>
#include <optional>

#include "harness/compare/compare.h"

namespace chancho::compare {

// Compares two files as multisets of lines (see compare.h for the hashing
// approach and its memory), optionally matching numbers within
// `tolerance`, and fills the counts, example lines and status of `out`.
// The lines before byte `start` are the same in both files and skipped: they
// cancel out.
void DiffUnordered(const std::filesystem::path& known_good,
                   const std::filesystem::path& result,
                   std::optional<double> tolerance, uint64_t start,
                   FileComparison* out);

}  // namespace chancho::compare
