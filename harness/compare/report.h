#pragma once

#include <string>
#include <string_view>

#include "harness/compare/compare.h"

namespace chancho {

// The text report: one line per client and query, e.g.
//   client1 query3: match
//   client1 query4: mismatch (2 missing, 1 extra lines)
//       @@ -4,6 +4,5 @@
//        ...
//   client2 query1: missing
// with each diff indented by 4 spaces ("    ..." when it was cut short),
// and a last line "verdict: match (N files)" or
// "verdict: mismatch (K of N files match)".
std::string TextReport(const DirComparison& comparison);

// The lines of one file's entry: "<label>: <status>" and its diff.
std::string TextReport(const FileComparison& file, std::string_view label);

// The same as a JSON object:
//   {"verdict": "match"|"mismatch", "results_dir": ..., "known_good_dir": ...,
//    "options": {"unordered": bool, "float_tolerance": number|null},
//    "summary": {"files", "match", "mismatch", "missing",
//                "known_good_missing"},
//    "files": [{"client", "query", "query_number", "status", "result",
//               "known_good", "missing_lines", "extra_lines",
//               "diff": [lines], "diff_truncated"}]}
// where "status" is a FileStatusName.
std::string JsonReport(const DirComparison& comparison);

}  // namespace chancho
