#include "harness/compare/compare.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <regex>
#include <set>
#include <system_error>
#include <utility>

#include "common/user_regex.h"
#include "common/error.h"
#include "harness/compare/file_reader.h"
#include "harness/compare/line_match.h"
#include "harness/compare/ordered_diff.h"
#include "harness/compare/unordered_diff.h"

namespace chancho {
namespace {

namespace fs = std::filesystem;

void CheckOptions(const CompareOptions& options) {
  if (options.float_tolerance && !(std::isfinite(*options.float_tolerance) &&
                                   *options.float_tolerance >= 0)) {
    char value[32];
    std::snprintf(value, sizeof value, "%g", *options.float_tolerance);
    throw Error(std::string("compare: the float tolerance must be a finite "
                            "number >= 0, got ") +
                value);
  }
}

bool Exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

void CheckDirectory(const fs::path& dir, const char* what) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    throw Error(std::string(what) + " '" + dir.string() + "' does not exist");
  }
  if (!fs::is_directory(dir, ec)) {
    throw Error(std::string(what) + " '" + dir.string() +
                "' is not a directory");
  }
}

// Names in natural order: runs of digits compare as numbers, so client2
// comes before client10; ties fall back to plain byte order.
bool NaturalLess(const std::string& x, const std::string& y) {
  size_t i = 0;
  size_t j = 0;
  while (i < x.size() && j < y.size()) {
    if (std::isdigit(static_cast<unsigned char>(x[i])) &&
        std::isdigit(static_cast<unsigned char>(y[j]))) {
      size_t end_i = i;
      size_t end_j = j;
      while (end_i < x.size() &&
             std::isdigit(static_cast<unsigned char>(x[end_i])))
        ++end_i;
      while (end_j < y.size() &&
             std::isdigit(static_cast<unsigned char>(y[end_j])))
        ++end_j;
      // Without leading zeros, the longer run is the larger number.
      std::string_view a(x.data() + i, end_i - i);
      std::string_view b(y.data() + j, end_j - j);
      a.remove_prefix(std::min(a.find_first_not_of('0'), a.size()));
      b.remove_prefix(std::min(b.find_first_not_of('0'), b.size()));
      if (a.size() != b.size()) return a.size() < b.size();
      if (a != b) return a < b;
      i = end_i;
      j = end_j;
    } else {
      if (x[i] != y[j]) return x[i] < y[j];
      ++i;
      ++j;
    }
  }
  if (x.size() - i != y.size() - j) return x.size() - i < y.size() - j;
  return x < y;
}

// N of a file named query<N>.txt (N decimal digits), if it is one.
std::optional<int64_t> QueryNumber(const std::string& name) {
  constexpr std::string_view kPrefix = "query";
  constexpr std::string_view kSuffix = ".txt";
  if (name.size() <= kPrefix.size() + kSuffix.size() ||
      !name.starts_with(kPrefix) || !name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  const std::string digits = name.substr(
      kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  if (digits.size() > 18 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return std::nullopt;
  }
  return std::stoll(digits);
}

struct NaturalOrder {
  bool operator()(const std::string& x, const std::string& y) const {
    return NaturalLess(x, y);
  }
};
// The result files of `dir` (names that CompareOptions::files matches), in
// natural order (query2 before query10).
using ResultFiles = std::set<std::string, NaturalOrder>;

void AddResultFiles(const fs::path& dir, const std::regex& pattern,
                    ResultFiles* files) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    std::error_code ec;
    if (!entry.is_directory(ec) && std::regex_match(name, pattern)) {
      files->insert(name);
    }
  }
}

}  // namespace

std::string_view FileStatusName(FileStatus status) {
  switch (status) {
    case FileStatus::kMatch:
      return "match";
    case FileStatus::kMismatch:
      return "mismatch";
    case FileStatus::kMissing:
      return "missing";
    case FileStatus::kKnownGoodMissing:
      return "known-good missing";
  }
  return "unknown";
}

FileComparison CompareFiles(const fs::path& result, const fs::path& known_good,
                            const CompareOptions& options) {
  CheckOptions(options);
  FileComparison out;
  out.result = result;
  out.known_good = known_good;
  if (!Exists(known_good)) {
    out.status = FileStatus::kKnownGoodMissing;
    return out;
  }
  if (!Exists(result)) {
    out.status = FileStatus::kMissing;
    return out;
  }
  // Equal bytes match in every mode, and equal leading lines are equal in
  // every mode too, so line comparison starts where the bytes differ.
  const compare::Divergence start =
      compare::FindDivergence(known_good, result, kDiffContextLines);
  if (start.identical) return out;
  if (options.unordered) {
    compare::DiffUnordered(known_good, result, options.float_tolerance,
                           start.line_offset, &out);
  } else {
    compare::DiffOrdered(known_good, result,
                         compare::LineMatcher(options.float_tolerance), start,
                         &out);
  }
  return out;
}

bool DirComparison::AllMatch() const {
  return std::all_of(files.begin(), files.end(), [](const QueryComparison& q) {
    return q.file.status == FileStatus::kMatch;
  });
}

DirComparison CompareDirs(const fs::path& results_dir,
                          const fs::path& known_good_dir,
                          const CompareOptions& options) {
  CheckOptions(options);
  CheckDirectory(results_dir, "results directory");
  CheckDirectory(known_good_dir, "known-good directory");
  DirComparison out{results_dir, known_good_dir, options, {}};
  std::regex pattern;
  try {
    pattern = CompileUserRegex(options.files);
  } catch (const std::regex_error& e) {
    throw Error("compare: the file pattern " + options.files +
                " is not a regular expression: " + e.what());
  }
  try {
    std::vector<std::string> clients;
    for (const auto& entry : fs::directory_iterator(results_dir)) {
      if (entry.is_directory()) {
        clients.push_back(entry.path().filename().string());
      }
    }
    if (clients.empty()) {
      throw Error("results directory '" + results_dir.string() +
                  "' has no client directory");
    }
    std::sort(clients.begin(), clients.end(), NaturalLess);
    for (const std::string& client : clients) {
      const fs::path own = known_good_dir / client;
      const fs::path expected_dir =
          fs::is_directory(own) ? own : known_good_dir;
      ResultFiles files;
      AddResultFiles(expected_dir, pattern, &files);
      if (files.empty()) {
        throw Error("known-good directory '" + expected_dir.string() +
                    "' has no file whose name matches " + options.files);
      }
      AddResultFiles(results_dir / client, pattern, &files);
      for (const std::string& name : files) {
        out.files.push_back(QueryComparison{
            client, fs::path(name).stem().string(),
            QueryNumber(name).value_or(0),
            CompareFiles(results_dir / client / name, expected_dir / name,
                         options)});
      }
    }
  } catch (const fs::filesystem_error& e) {
    throw Error("compare: cannot read " + e.path1().string() + ": " +
                e.code().message());
  }
  return out;
}

}  // namespace chancho
