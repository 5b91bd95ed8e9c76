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

// What the record of scenario movies-partition must show, on any runtime.
inline void ExpectThePartitionOfMoviesPartition(const Record& record) {
  const auto& faults = record.doc["faults"];
  ASSERT_EQ(faults.Size(), 1u);
  EXPECT_STREQ(faults[0]["kind"].GetString(), "link");
  EXPECT_STREQ(faults[0]["target"].GetString(), "filter-argentina-2");
  EXPECT_EQ(record.doc["plan"][0]["link"], "partition for=5000");
  // The cut comes at the clock's zero, before the filter got its share of
  // any client's movies, so no client can finish until it is back.
  // Only the partitioned replica's link was proxied, and the partition
  // really cut it: its open connection was reset and its attempts to come
  // back were refused until the heal, after which traffic flowed again.
  const auto& links = record.doc["links"];
  ASSERT_EQ(links.Size(), 1u);
  const auto& link = links[0];
  EXPECT_STREQ(link["replica"].GetString(), "filter-argentina-2");
  EXPECT_STREQ(link["upstream"].GetString(), "rabbitmq");
  EXPECT_GE(link["connections_reset"].GetUint64(), 1u) << record.text;
  EXPECT_GE(link["connections_refused"].GetUint64(), 1u) << record.text;
  // Refused connections are not counted as accepted: one more than those
  // reset is a connection made after the heal.
  EXPECT_GT(link["connections_accepted"].GetUint64(),
            link["connections_reset"].GetUint64())
      << record.text;
}

// A shipped scenario's path, quoted for a command line.
inline std::string ScenarioArg(const std::string& name) {
  return "'" +
         (SourceDir() / "integration_tests" / "scenarios" / (name + ".json"))
             .string() +
         "'";
}

}  // namespace chancho::testing
