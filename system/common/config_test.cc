#include "system/common/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/property_tree/ptree.hpp>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace chancho::common {
namespace {

namespace fs = std::filesystem;

// A fresh directory removed at the end of the test, even if it fails.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "chancho-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  fs::path Write(const std::string& name, const std::string& text) const {
    const fs::path file = path_ / name;
    std::ofstream(file) << text;
    return file;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(ReadIniFileTest, ReadsTheDefaultSection) {
  TempDir dir;
  const fs::path file = dir.Write("config.ini",
                                  "[DEFAULT]\n"
                                  "SERVER_PORT = 12345\n"
                                  "SERVER_IP = \n"
                                  "; a comment\n"
                                  "LOGGING_LEVEL = INFO\n");
  const auto ini = ReadIniFile(file.string());
  ASSERT_TRUE(ini.has_value());
  EXPECT_EQ(ini->get<std::string>("DEFAULT.SERVER_PORT"), "12345");
  EXPECT_EQ(IniValue(*ini, "DEFAULT", "SERVER_PORT"), "12345");
  EXPECT_EQ(IniValue(*ini, "default", "server_port"), "12345");
  EXPECT_EQ(IniValue(*ini, "DEFAULT", "SERVER_IP"), "");
  EXPECT_EQ(IniValue(*ini, "DEFAULT", "MISSING"), std::nullopt);
  EXPECT_EQ(IniValue(*ini, "OTHER", "SERVER_PORT"), std::nullopt);
}

TEST(ReadIniFileTest, MissingFileIsNullopt) {
  TempDir dir;
  EXPECT_FALSE(ReadIniFile((dir.path() / "absent.ini").string()).has_value());
}

TEST(ReadIniFileTest, MalformedFileThrowsNamingTheFile) {
  TempDir dir;
  const fs::path file = dir.Write("bad.ini", "[DEFAULT\nSERVER_PORT = 1\n");
  try {
    ReadIniFile(file.string());
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos)
        << e.what();
  }
}

TEST(EnvTest, EnvOrPrefersASetNonEmptyVariable) {
  ::setenv("CHANCHO_CONFIG_TEST_VAR", "value", 1);
  EXPECT_EQ(EnvOr("CHANCHO_CONFIG_TEST_VAR", "fallback"), "value");
  EXPECT_EQ(ProcessEnv()("CHANCHO_CONFIG_TEST_VAR"), "value");
  ::setenv("CHANCHO_CONFIG_TEST_VAR", "", 1);
  EXPECT_EQ(EnvOr("CHANCHO_CONFIG_TEST_VAR", "fallback"), "fallback");
  EXPECT_EQ(ProcessEnv()("CHANCHO_CONFIG_TEST_VAR"), std::nullopt);
  ::unsetenv("CHANCHO_CONFIG_TEST_VAR");
  EXPECT_EQ(EnvOr("CHANCHO_CONFIG_TEST_VAR", "fallback"), "fallback");
}

TEST(ParseIntegerTest, AcceptsIntegersInRange) {
  EXPECT_EQ(ParseInteger("42", "n", 0, 100), 42);
  EXPECT_EQ(ParseInteger(" 7 ", "n", 0, 100), 7);
  EXPECT_EQ(ParseInteger("-3", "n", -5, 5), -3);
  EXPECT_EQ(ParsePort("12345", "SERVER_PORT"), 12345);
  EXPECT_EQ(ParsePort("65535", "SERVER_PORT"), 65535);
}

TEST(ParseIntegerTest, RejectsEverythingElseWithTheName) {
  for (const char* bad :
       {"", " ", "abc", "12a", "1.5", "101", "-1", "99999999999999999999999"}) {
    EXPECT_THROW(ParseInteger(bad, "n", 0, 100), std::invalid_argument) << bad;
  }
  for (const char* bad : {"0", "65536", "port", "-80"}) {
    EXPECT_THROW(ParsePort(bad, "SERVER_PORT"), std::invalid_argument) << bad;
  }
  try {
    ParsePort("abc", "SERVER_PORT");
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "SERVER_PORT: 'abc' is not an integer in [1, 65535]");
  }
}

}  // namespace
}  // namespace chancho::common

namespace chancho::common {
namespace {

TEST(MapEnv, AnswersOnlyItsOwnVariables) {
  const EnvLookup env = MapEnv({{"SERVER_PORT", "23456"}});
  EXPECT_EQ(env("SERVER_PORT"), "23456");
  EXPECT_FALSE(env("PATH").has_value());
}

}  // namespace
}  // namespace chancho::common
