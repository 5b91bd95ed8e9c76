#pragma once

// Reading what `chancho run` printed and wrote: the record's path, the
// record itself, and whether the run survived its faults.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "integration_tests/cli_support.h"

namespace chancho::testing {

namespace fs = std::filesystem;

struct Record {
  rapidjson::Document doc;
  std::string text;
};

inline ::testing::AssertionResult LoadRecordFile(const fs::path& path, Record& r) {
  std::ifstream in(path);
  if (!in) return ::testing::AssertionFailure() << "no record at " << path;
  std::ostringstream text;
  text << in.rdbuf();
  r.text = text.str();
  r.doc.Parse(r.text.c_str());
  if (r.doc.HasParseError() || !r.doc.IsObject()) {
    return ::testing::AssertionFailure() << path << " is not JSON";
  }
  return ::testing::AssertionSuccess();
}

// The "record: PATH" of chancho run's last line.
inline fs::path RecordPath(const std::string& out) {
  const auto at = out.rfind("| record: ");
  if (at == std::string::npos) return {};
  std::string path = out.substr(at + 10);
  path.erase(path.find_last_not_of("\n") + 1);
  return path;
}

// The run matched, every client exited 0, and at least `effective`
// faults took effect.
inline ::testing::AssertionResult Survived(const CommandResult& r, Record& record,
                                           int effective) {
  if (r.exit_code != 0) {
    return ::testing::AssertionFailure() << "exit " << r.exit_code << "\n" << r.out << r.err;
  }
  auto loaded = LoadRecordFile(RecordPath(r.out), record);
  if (!loaded) return loaded;
  const auto& d = record.doc;
  if (std::string(d["verdict"].GetString()) != "match") {
    return ::testing::AssertionFailure() << "verdict " << d["verdict"].GetString();
  }
  for (const auto& c : d["clients"].GetArray()) {
    if (!c["exit_code"].IsInt() || c["exit_code"].GetInt() != 0) {
      return ::testing::AssertionFailure() << c["name"].GetString() << " failed";
    }
  }
  int took = 0;
  for (const auto& f : d["faults"].GetArray()) took += f["took_effect"].GetBool();
  if (took < effective) {
    return ::testing::AssertionFailure()
           << "only " << took << " faults took effect, expected " << effective
           << "\n" << r.out;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace chancho::testing
