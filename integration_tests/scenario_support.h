#pragma once

// Reading what `chancho run` printed and wrote: the record's path, the
// record itself, and whether the run survived its faults.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
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

// When each client first exited, from the record's state changes (ms
// since the plan's start); a client that never exited is missing.
inline std::map<std::string, long long> ClientExits(const Record& record) {
  std::map<std::string, long long> exits;
  for (const auto& c : record.doc["clients"].GetArray()) {
    const std::string name = c["name"].GetString();
    for (const auto& change : record.doc["state_changes"].GetArray()) {
      if (name == change["replica"].GetString() &&
          std::string(change["state"].GetString()) == "exited") {
        exits.emplace(name, change["at_ms"].GetInt64());
        break;
      }
    }
  }
  return exits;
}

// Every fault that took effect was applied while the clients were still
// working: before the last client finished, and the first of them before
// any client finished (`every_client`: each of them before any client
// finished). Each was placed by a trigger, which the record names.
inline ::testing::AssertionResult LandedMidWork(const Record& record,
                                                bool every_client) {
  const auto exits = ClientExits(record);
  if (exits.size() != record.doc["clients"].Size()) {
    return ::testing::AssertionFailure() << "a client never exited\n" << record.text;
  }
  long long first = std::numeric_limits<long long>::max();
  long long last = 0;
  for (const auto& [name, at] : exits) {
    first = std::min(first, at);
    last = std::max(last, at);
  }
  long long earliest = std::numeric_limits<long long>::max();
  int effective = 0;
  for (const auto& f : record.doc["faults"].GetArray()) {
    if (!f["took_effect"].GetBool()) continue;
    ++effective;
    const long long at = f["actual_ms"].GetInt64();
    earliest = std::min(earliest, at);
    if (std::string(f["trigger"].GetString()) == "clock") {
      return ::testing::AssertionFailure()
             << f["event"].GetString() << " was placed by the clock, not a trigger";
    }
    if (at >= (every_client ? first : last)) {
      return ::testing::AssertionFailure()
             << f["kind"].GetString() << " of " << f["target"].GetString()
             << " at " << at << " ms, but the clients were done at " << first
             << ".." << last << " ms";
    }
  }
  if (effective == 0) return ::testing::AssertionFailure() << "no fault took effect";
  if (earliest >= first) {
    return ::testing::AssertionFailure()
           << "the first fault landed at " << earliest
           << " ms, after a client was done at " << first << " ms";
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
  // The cut comes with client-1's first progress line, before the filter
  // got its share of the movies, so no client can finish until it is back.
  EXPECT_STREQ(record.doc["plan"][0]["on"]["log"].GetString(), "action: progress");
  EXPECT_TRUE(LandedMidWork(record, true));
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
