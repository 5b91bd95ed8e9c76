#include "system/common/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/system/system_error.hpp>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace chancho::common {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

TEST(LogLevelTest, ParsesNamesCaseInsensitively) {
  EXPECT_EQ(ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("Info"), LogLevel::kInfo);
  EXPECT_EQ(ParseLogLevel("WARNING"), LogLevel::kWarning);
  EXPECT_EQ(ParseLogLevel("warn"), LogLevel::kWarning);
  EXPECT_EQ(ParseLogLevel("eRRor"), LogLevel::kError);
  EXPECT_EQ(ParseLogLevel("critical"), LogLevel::kCritical);
}

TEST(LogLevelTest, UnknownNamesGiveInfo) {
  EXPECT_EQ(ParseLogLevel(""), LogLevel::kInfo);
  EXPECT_EQ(ParseLogLevel("verbose"), LogLevel::kInfo);
  EXPECT_EQ(LogLevelName(ParseLogLevel("nonsense")), "INFO");
}

TEST(ExceptionMessageTest, DropsBoostSourceLocations) {
  const boost::system::system_error error(
      boost::system::errc::make_error_code(boost::system::errc::address_in_use),
      "bind");
  EXPECT_EQ(ExceptionMessage(error), "Address already in use");
  EXPECT_EQ(ExceptionMessage(std::runtime_error("plain")), "plain");
}

TEST(LoggerTest, WritesPythonStylePrefix) {
  std::ostringstream out;
  Logger logger(LogLevel::kDebug, out);
  logger.Info("config", "success", {{"server_port", "12345"}});
  logger.Warning("w", "fail");
  logger.Critical("c", "fail");
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 3u);
  const std::string stamp = R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} )";
  EXPECT_TRUE(std::regex_match(
      lines[0], std::regex(stamp + "INFO     action: config \\| result: "
                                   "success \\| server_port: 12345")))
      << lines[0];
  EXPECT_TRUE(std::regex_match(
      lines[1], std::regex(stamp + "WARNING  action: w \\| result: fail")))
      << lines[1];
  EXPECT_TRUE(std::regex_match(
      lines[2], std::regex(stamp + "CRITICAL action: c \\| result: fail")))
      << lines[2];
}

TEST(LoggerTest, DropsLinesBelowThreshold) {
  std::ostringstream out;
  Logger logger(LogLevel::kWarning, out);
  logger.Debug("d", "success");
  logger.Info("i", "success");
  logger.Error("e", "fail");
  ASSERT_EQ(Lines(out.str()).size(), 1u);
  EXPECT_EQ(ParseLogLine(out.str())->action, "e");

  logger.SetLevel(ParseLogLevel("debug"));
  logger.Debug("d", "success");
  EXPECT_EQ(Lines(out.str()).size(), 2u);
}

TEST(LoggerTest, ConcurrentLinesNeverInterleave) {
  std::ostringstream out;
  Logger logger(LogLevel::kInfo, out);
  constexpr int kThreads = 4;
  constexpr int kLinesPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&logger, t] {
      for (int i = 0; i < kLinesPerThread; ++i) {
        logger.Info("work", "success",
                    {{"thread", std::to_string(t)},
                     {"payload", std::string(100, 'a' + t)}});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLinesPerThread));
  for (const std::string& line : lines) {
    const auto event = ParseLogLine(line);
    ASSERT_TRUE(event.has_value()) << line;
    const int t = std::stoi(*event->Get("thread"));
    EXPECT_EQ(event->Get("payload"), std::string(100, 'a' + t));
  }
}

}  // namespace
}  // namespace chancho::common
