// CompareDirs, the text and JSON reports, and the errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "common/error.h"
#include "harness/compare/compare.h"
#include "harness/compare/compare_test_util.h"
#include "harness/compare/report.h"

namespace chancho::testing {
namespace {

using ::testing::HasSubstr;

// The message of the chancho::Error that `f` throws, or "no error".
template <typename F>
std::string message(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

class CompareDirsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_ / "kg/query1.txt", "a\nb\n");
    WriteFile(dir_ / "kg/query2.txt", "x\n");
    WriteFile(dir_ / "kg/query10.txt", "z\n");
    WriteFile(dir_ / "kg/notes.md", "not a query\n");
  }
  void WriteClient(const std::string& client) {
    WriteFile(dir_ / "results" / client / "query1.txt", "a\nb\n");
    WriteFile(dir_ / "results" / client / "query2.txt", "x\n");
    WriteFile(dir_ / "results" / client / "query10.txt", "z\n");
  }
  std::filesystem::path results() const { return dir_ / "results"; }
  std::filesystem::path known_good() const { return dir_ / "kg"; }

  TempDir dir_;
};

TEST_F(CompareDirsTest, TwoClientsThatMatch) {
  WriteClient("client1");
  WriteClient("client2");
  const auto c = CompareDirs(results(), known_good());
  EXPECT_TRUE(c.AllMatch());
  EXPECT_EQ(TextReport(c),
            "client1 query1: match\n"
            "client1 query2: match\n"
            "client1 query10: match\n"
            "client2 query1: match\n"
            "client2 query2: match\n"
            "client2 query10: match\n"
            "verdict: match (6 files)\n");
}

// Clients with different datasets: known-good holds one directory per
// client, and each client is held to its own.
TEST_F(CompareDirsTest, PerClientKnownGoodDirectories) {
  WriteFile(dir_ / "per-client/client1/query1.txt", "a\n");
  WriteFile(dir_ / "per-client/client2/query1.txt", "b\n");
  WriteFile(results() / "client1/query1.txt", "a\n");
  WriteFile(results() / "client2/query1.txt", "a\n");
  const auto c = CompareDirs(results(), dir_ / "per-client");
  ASSERT_EQ(c.files.size(), 2u);
  EXPECT_EQ(c.files[0].file.status, FileStatus::kMatch);
  EXPECT_EQ(c.files[1].file.status, FileStatus::kMismatch);
  EXPECT_EQ(c.files[1].file.known_good,
            dir_ / "per-client" / "client2" / "query1.txt");
  // A client without a directory of its own falls back to the top level,
  // which has no query file here.
  WriteFile(results() / "client3/query1.txt", "a\n");
  EXPECT_EQ(message([&] { CompareDirs(results(), dir_ / "per-client"); }),
            "known-good directory '" + (dir_ / "per-client").string() +
                "' has no file whose name matches .*\\.txt");
}

TEST_F(CompareDirsTest, OneClientMismatches) {
  WriteClient("client1");
  WriteClient("client2");
  WriteFile(results() / "client2/query1.txt", "a\nc\n");
  const auto c = CompareDirs(results(), known_good());
  EXPECT_FALSE(c.AllMatch());
  ASSERT_EQ(c.files.size(), 6u);
  EXPECT_EQ(c.files[3].client, "client2");
  EXPECT_EQ(c.files[3].query, "query1");
  EXPECT_EQ(c.files[3].file.status, FileStatus::kMismatch);
  EXPECT_EQ(c.files[3].file.result, results() / "client2/query1.txt");
  EXPECT_EQ(c.files[3].file.known_good, known_good() / "query1.txt");
  EXPECT_EQ(TextReport(c),
            "client1 query1: match\n"
            "client1 query2: match\n"
            "client1 query10: match\n"
            "client2 query1: mismatch (1 missing, 1 extra lines)\n"
            "    @@ -1,2 +1,2 @@\n"
            "     a\n"
            "    -b\n"
            "    +c\n"
            "client2 query2: match\n"
            "client2 query10: match\n"
            "verdict: mismatch (5 of 6 files match)\n");
}

TEST_F(CompareDirsTest, MissingFilesAndNaturalOrder) {
  WriteClient("client1");
  WriteClient("client10");
  WriteClient("client2");
  std::filesystem::remove(results() / "client2/query2.txt");
  WriteFile(results() / "client2/query11.txt", "w\n");
  WriteFile(results() / "README", "a file, not a client\n");
  const auto c = CompareDirs(results(), known_good());
  EXPECT_EQ(TextReport(c),
            "client1 query1: match\n"
            "client1 query2: match\n"
            "client1 query10: match\n"
            "client2 query1: match\n"
            "client2 query2: missing\n"
            "client2 query10: match\n"
            "client2 query11: known-good missing\n"
            "client10 query1: match\n"
            "client10 query2: match\n"
            "client10 query10: match\n"
            "verdict: mismatch (8 of 10 files match)\n");
}

TEST_F(CompareDirsTest, JsonReport) {
  WriteClient("client1");
  WriteClient("client2");
  WriteFile(results() / "client2/query1.txt", "a\nc\n");
  std::filesystem::remove(results() / "client2/query2.txt");
  const auto c = CompareDirs(results(), known_good(), Options(true));
  rapidjson::Document doc;
  doc.Parse(JsonReport(c).c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_STREQ(doc["verdict"].GetString(), "mismatch");
  EXPECT_EQ(doc["results_dir"].GetString(), results().string());
  EXPECT_EQ(doc["known_good_dir"].GetString(), known_good().string());
  EXPECT_TRUE(doc["options"]["unordered"].GetBool());
  EXPECT_TRUE(doc["options"]["float_tolerance"].IsNull());
  const auto& summary = doc["summary"];
  EXPECT_EQ(summary["files"].GetInt(), 6);
  EXPECT_EQ(summary["match"].GetInt(), 4);
  EXPECT_EQ(summary["mismatch"].GetInt(), 1);
  EXPECT_EQ(summary["missing"].GetInt(), 1);
  EXPECT_EQ(summary["known_good_missing"].GetInt(), 0);
  const auto& files = doc["files"];
  ASSERT_EQ(files.Size(), 6u);
  const auto& mismatch = files[3];
  EXPECT_STREQ(mismatch["client"].GetString(), "client2");
  EXPECT_STREQ(mismatch["query"].GetString(), "query1");
  EXPECT_EQ(mismatch["query_number"].GetInt(), 1);
  EXPECT_STREQ(mismatch["status"].GetString(), "mismatch");
  EXPECT_EQ(mismatch["result"].GetString(),
            (results() / "client2/query1.txt").string());
  EXPECT_EQ(mismatch["missing_lines"].GetInt(), 1);
  EXPECT_EQ(mismatch["extra_lines"].GetInt(), 1);
  ASSERT_EQ(mismatch["diff"].Size(), 2u);
  EXPECT_STREQ(mismatch["diff"][0].GetString(), "-b");
  EXPECT_STREQ(mismatch["diff"][1].GetString(), "+c");
  EXPECT_FALSE(mismatch["diff_truncated"].GetBool());
  EXPECT_STREQ(files[4]["status"].GetString(), "missing");
  EXPECT_STREQ(files[5]["status"].GetString(), "match");
  EXPECT_EQ(files[5]["query_number"].GetInt(), 10);
}

TEST_F(CompareDirsTest, Errors) {
  EXPECT_EQ(
      message([&] { CompareDirs(dir_ / "nope", known_good()); }),
      "results directory '" + (dir_ / "nope").string() + "' does not exist");
  std::filesystem::create_directories(results());
  EXPECT_EQ(
      message([&] { CompareDirs(results(), dir_ / "nope"); }),
      "known-good directory '" + (dir_ / "nope").string() + "' does not exist");
  EXPECT_EQ(
      message([&] { CompareDirs(results(), known_good()); }),
      "results directory '" + results().string() + "' has no client directory");
  EXPECT_EQ(
      message([&] { CompareDirs(known_good() / "notes.md", known_good()); }),
      "results directory '" + (known_good() / "notes.md").string() +
          "' is not a directory");
  WriteClient("client1");
  std::filesystem::create_directories(dir_ / "empty");
  EXPECT_EQ(message([&] { CompareDirs(results(), dir_ / "empty"); }),
            "known-good directory '" + (dir_ / "empty").string() +
                "' has no file whose name matches .*\\.txt");
  EXPECT_THAT(message([&] {
                CompareDirs(results(), known_good(), Options(false, -1));
              }),
              HasSubstr("float tolerance"));
}

}  // namespace
}  // namespace chancho::testing

namespace chancho::testing {
namespace {

// Result files go by any name the pattern allows, in natural order.
TEST(CompareDirsFilesTest, AnyTxtNameAndAnotherPattern) {
  TempDir dir;
  WriteFile(dir / "kg/node-10.txt", "b\n");
  WriteFile(dir / "kg/node-2.txt", "a\n");
  WriteFile(dir / "kg/summary.csv", "x\n");
  WriteFile(dir / "results/c/node-10.txt", "b\n");
  WriteFile(dir / "results/c/node-2.txt", "wrong\n");
  WriteFile(dir / "results/c/summary.csv", "x\n");
  const auto txt = CompareDirs(dir / "results", dir / "kg");
  ASSERT_EQ(txt.files.size(), 2u);
  EXPECT_EQ(txt.files[0].query, "node-2");
  EXPECT_EQ(txt.files[0].file.status, FileStatus::kMismatch);
  EXPECT_EQ(txt.files[1].query, "node-10");
  EXPECT_EQ(txt.files[1].query_number, 0);
  EXPECT_EQ(txt.files[1].file.status, FileStatus::kMatch);
  CompareOptions csv;
  csv.files = R"(.*\.csv)";
  const auto only_csv = CompareDirs(dir / "results", dir / "kg", csv);
  ASSERT_EQ(only_csv.files.size(), 1u);
  EXPECT_TRUE(only_csv.AllMatch());
  csv.files = "(";
  EXPECT_THROW(CompareDirs(dir / "results", dir / "kg", csv), Error);
}

}  // namespace
}  // namespace chancho::testing
