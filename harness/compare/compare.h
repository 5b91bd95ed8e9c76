#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chancho {

// Compares the result files that clients write with known-good files.
//
// Modes:
//   - exact (default): the same bytes. A mismatch is diffed line by line;
//     a missing final newline is a difference, as in diff.
//   - unordered: lines as a multiset (order and the final newline ignored).
//   - float tolerance E: lines split on '|' are equal when every pair of
//     fields is byte-equal or both are numbers within absolute E. With
//     unordered, the multisets are matched under the same rule.
//
// Memory and time (both files are streamed, never loaded whole):
//   - Every mode first compares the files' bytes in 1 MiB blocks (counting
//     lines as it goes) up to the first differing byte. A match costs just
//     that: one read of each file and 2 MiB of buffers. Identical leading
//     lines are equal in every mode, so line comparison starts at the first
//     line that differs (minus the context lines of the hunk).
//   - Exact and tolerance modes then diff line by line, holding only the
//     lines since the last equal pair. After a difference they look ahead in
//     both files for the nearest pair of equal lines (smallest i + j), in a
//     window that doubles from 64 lines to at most 65,536 lines or 8 MiB per
//     file. Differences wider than that window are counted as all missing
//     and all extra, so the counts can then exceed a minimal diff's.
//   - Unordered mode hashes every line (64-bit, see line_hash.h) and counts
//     the hashes in a flat table: about 23-46 bytes per distinct line, never
//     the line itself. A second pass prints example lines. With a tolerance,
//     the lines whose exact hash does not cancel out are then held in memory
//     and matched within E (grouped by their non-numeric fields, greedily in
//     order of their first number), so memory grows with the lines that
//     differ.
//
// Errors: a file or directory that cannot be read throws chancho::Error.
// Functions are thread-safe (no shared state).

struct CompareOptions {
  bool unordered = false;
  // Absolute tolerance for numeric fields; must be finite and >= 0.
  std::optional<double> float_tolerance;
  // Which files of a client's directory are results (a regular expression
  // over the whole name): any .txt file by default (query1.txt,
  // kv-follower-1.txt); other files (notes, READMEs) are not compared.
  std::string files = R"(.*\.txt)";
};

enum class FileStatus {
  kMatch,
  kMismatch,
  kMissing,           // the result file does not exist
  kKnownGoodMissing,  // the known-good file does not exist
};

// "match", "mismatch", "missing", "known-good missing".
std::string_view FileStatusName(FileStatus status);

// At most this many diff lines are kept per file (plus the hunk header),
// with this many lines of context around changes.
inline constexpr int kMaxDiffLines = 20;
inline constexpr int kDiffContextLines = 3;

struct FileComparison {
  FileStatus status = FileStatus::kMatch;
  std::filesystem::path result;
  std::filesystem::path known_good;
  int64_t missing_lines = 0;  // in known-good and not in the result
  int64_t extra_lines = 0;    // in the result and not in known-good
  // For a mismatch: ordered modes give the first hunk of a unified diff
  // (known-good is "-", the result "+"; see HunkBuilder); unordered mode
  // gives example "-line" (missing) then "+line" (extra) lines, each in file
  // order.
  std::vector<std::string> diff;
  bool diff_truncated = false;  // more differences than `diff` shows
};

FileComparison CompareFiles(const std::filesystem::path& result,
                            const std::filesystem::path& known_good,
                            const CompareOptions& options = {});

struct QueryComparison {
  std::string client;  // the client directory's name
  std::string query;   // the file's stem: "query3"
  int64_t query_number = 0;  // N of query<N>.txt; 0 for another name
  FileComparison file;
};

struct DirComparison {
  std::filesystem::path results_dir;
  std::filesystem::path known_good_dir;
  CompareOptions options;
  // Clients in natural order (client2 before client10), then queries by N.
  std::vector<QueryComparison> files;

  bool AllMatch() const;
};

// Compares every client directory (each subdirectory) of `results_dir` with
// `known_good_dir`: for each client, every result file (a name that
// CompareOptions::files matches: query1.txt, node-2.txt) of known-good and
// of the client's directory, in natural order. A file only the client has
// is reported as known-good missing.
//
// When clients upload different datasets, `known_good_dir` may instead hold
// one directory per client, named like the client's (a symbolic link to a
// known-good directory will do): a client with such a directory is compared
// with it. `known_good_dir` then needs no query file of its own.
//
// Throws chancho::Error when a directory does not exist, `results_dir` has
// no client directory, or a known-good directory a client is compared with
// has no result file.
DirComparison CompareDirs(const std::filesystem::path& results_dir,
                          const std::filesystem::path& known_good_dir,
                          const CompareOptions& options = {});

}  // namespace chancho
