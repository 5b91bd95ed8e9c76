// `chancho compare` as a user runs it: exit codes, reports and one-line
// errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "harness/compare/compare_test_util.h"

namespace chancho::testing {
namespace {

using ::testing::HasSubstr;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CompareCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin_dir = std::getenv("CHANCHO_BIN_DIR");
    ASSERT_NE(bin_dir, nullptr) << "CHANCHO_BIN_DIR is not set (run ctest)";
    chancho_ = std::filesystem::path(bin_dir) / "chancho";
    ASSERT_TRUE(std::filesystem::exists(chancho_)) << chancho_;
    WriteFile(dir_ / "kg/query1.txt", "a\nb\n");
    WriteFile(dir_ / "kg/query2.txt", "AR|1.5\n");
    WriteFile(dir_ / "results/client1/query1.txt", "b\na\n");
    WriteFile(dir_ / "results/client1/query2.txt", "AR|1.5000001\n");
  }

  // Runs `chancho ARGS` in the test directory.
  CliRun Chancho(const std::string& args) {
    const auto out = dir_ / "out.txt";
    const auto err = dir_ / "err.txt";
    const std::string line = "cd '" + dir_.path().string() + "' && '" +
                             chancho_.string() + "' " + args + " >'" +
                             out.string() + "' 2>'" + err.string() + "'";
    const int status = std::system(line.c_str());
    return CliRun{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out),
                  ReadFile(err)};
  }

  TempDir dir_;
  std::filesystem::path chancho_;
};

TEST_F(CompareCliTest, ExitsZeroOnlyWhenEverythingMatches) {
  CliRun r = Chancho("compare results kg");
  EXPECT_EQ(r.exit_code, 1);
  // Swapped lines: a is removed before b and added after it, as diff -u
  // shows it.
  EXPECT_THAT(r.out, HasSubstr("client1 query1: mismatch (1 missing, 1 extra "
                               "lines)\n    @@ -1,2 +1,2 @@\n    -a\n     b\n"
                               "    +a\n"));
  EXPECT_THAT(r.out, HasSubstr("verdict: mismatch (0 of 2 files match)\n"));
  EXPECT_EQ(r.err, "");

  r = Chancho("compare results kg --unordered");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("client1 query1: match\n"));

  r = Chancho("compare results kg --unordered --float-tolerance 0.001");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "client1 query1: match\n"
            "client1 query2: match\n"
            "verdict: match (2 files)\n");
}

TEST_F(CompareCliTest, MissingResultFileFails) {
  std::filesystem::remove(dir_ / "results/client1/query2.txt");
  const CliRun r = Chancho("compare results kg --unordered");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("client1 query2: missing\n"));
}

TEST_F(CompareCliTest, Json) {
  const CliRun r = Chancho("compare results kg --unordered --json");
  EXPECT_EQ(r.exit_code, 1);
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  ASSERT_FALSE(doc.HasParseError()) << r.out;
  EXPECT_STREQ(doc["verdict"].GetString(), "mismatch");
  EXPECT_EQ(doc["files"].Size(), 2u);
  EXPECT_STREQ(doc["files"][1]["status"].GetString(), "mismatch");
}

TEST_F(CompareCliTest, ErrorsAreOneLine) {
  CliRun r = Chancho("compare nope kg");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err, "chancho: error: results directory 'nope' does not exist\n");
  EXPECT_EQ(r.out, "");

  std::filesystem::create_directories(dir_ / "empty");
  r = Chancho("compare empty kg");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err,
            "chancho: error: results directory 'empty' has no client "
            "directory\n");

  r = Chancho("compare results kg --float-tolerance -1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("float tolerance"));
}

}  // namespace
}  // namespace chancho::testing
