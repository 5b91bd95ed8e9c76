#include "harness/compare/report.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace chancho {
namespace {

constexpr std::string_view kIndent = "    ";

std::string StatusText(const FileComparison& file) {
  std::string text(FileStatusName(file.status));
  if (file.status == FileStatus::kMismatch) {
    text += " (" + std::to_string(file.missing_lines) + " missing, " +
            std::to_string(file.extra_lines) + " extra lines)";
  }
  return text;
}

}  // namespace

std::string TextReport(const FileComparison& file, std::string_view label) {
  std::string text = std::string(label) + ": " + StatusText(file) + "\n";
  for (const std::string& line : file.diff) {
    text += std::string(kIndent) + line + "\n";
  }
  if (file.diff_truncated) text += std::string(kIndent) + "...\n";
  return text;
}

std::string TextReport(const DirComparison& comparison) {
  std::string text;
  size_t matches = 0;
  for (const QueryComparison& q : comparison.files) {
    text += TextReport(q.file, q.client + " " + q.query);
    if (q.file.status == FileStatus::kMatch) ++matches;
  }
  const std::string total = std::to_string(comparison.files.size());
  if (matches == comparison.files.size()) {
    text += "verdict: match (" + total + " files)\n";
  } else {
    text += "verdict: mismatch (" + std::to_string(matches) + " of " + total +
            " files match)\n";
  }
  return text;
}

std::string JsonReport(const DirComparison& comparison) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  const auto string = [&w](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  int64_t counts[4] = {0, 0, 0, 0};
  for (const QueryComparison& q : comparison.files) {
    ++counts[static_cast<int>(q.file.status)];
  }
  w.StartObject();
  w.Key("verdict");
  string(comparison.AllMatch() ? "match" : "mismatch");
  w.Key("results_dir");
  string(comparison.results_dir.string());
  w.Key("known_good_dir");
  string(comparison.known_good_dir.string());
  w.Key("options");
  w.StartObject();
  w.Key("unordered");
  w.Bool(comparison.options.unordered);
  w.Key("float_tolerance");
  if (comparison.options.float_tolerance) {
    w.Double(*comparison.options.float_tolerance);
  } else {
    w.Null();
  }
  w.EndObject();
  w.Key("summary");
  w.StartObject();
  w.Key("files");
  w.Int64(static_cast<int64_t>(comparison.files.size()));
  w.Key("match");
  w.Int64(counts[static_cast<int>(FileStatus::kMatch)]);
  w.Key("mismatch");
  w.Int64(counts[static_cast<int>(FileStatus::kMismatch)]);
  w.Key("missing");
  w.Int64(counts[static_cast<int>(FileStatus::kMissing)]);
  w.Key("known_good_missing");
  w.Int64(counts[static_cast<int>(FileStatus::kKnownGoodMissing)]);
  w.EndObject();
  w.Key("files");
  w.StartArray();
  for (const QueryComparison& q : comparison.files) {
    w.StartObject();
    w.Key("client");
    string(q.client);
    w.Key("query");
    string(q.query);
    w.Key("query_number");
    w.Int64(q.query_number);
    w.Key("status");
    string(FileStatusName(q.file.status));
    w.Key("result");
    string(q.file.result.string());
    w.Key("known_good");
    string(q.file.known_good.string());
    w.Key("missing_lines");
    w.Int64(q.file.missing_lines);
    w.Key("extra_lines");
    w.Int64(q.file.extra_lines);
    w.Key("diff");
    w.StartArray();
    for (const std::string& line : q.file.diff) string(line);
    w.EndArray();
    w.Key("diff_truncated");
    w.Bool(q.file.diff_truncated);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace chancho
