#pragma once

// What the movies client's tests share: a ClientTest fixture that runs the
// client against a scripted fake handler, small datasets, and the checks of
// its progress lines.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "system/movies/datagen.h"
#include "system/movies/pipeline/batcher.h"
#include "system/movies/pipeline/client.h"
#include "system/movies/pipeline/client_progress.h"
#include "system/movies/pipeline/client_protocol.h"
#include "system/movies/pipeline/fake_handler.h"
#include "system/movies/test_util.h"

namespace chancho::movies {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::ip::tcp;
using client_test::CollectUpload;
using client_test::ExpectedUpload;
using client_test::FakeHandler;
using client_test::HandlerPeer;
using client_test::LogSink;
using client_test::ReceivedUpload;
using common::Frame;
using ::testing::HasSubstr;
using ::testing::Not;

inline constexpr auto kWait = std::chrono::seconds(30);

// A port that was free a moment ago: nothing listens there.
inline uint16_t FreePort() {
  asio::io_context io;
  tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
  return probe.local_endpoint().port();
}

// A handler script for a session that goes well.
inline void ServeEverything(HandlerPeer& peer) {
  peer.Greet();
  peer.ReadUpload();
  for (int query = 1; query <= kQueryCount; ++query) {
    peer.SendResult(query, "ok\n");
  }
  peer.Send(FrameType::kDone, "");
  peer.CloseAfterClient();
}

// A ratings.csv of `records` well-formed records, one line each.
inline std::string RatingsCsv(int records) {
  std::string csv = "userId,movieId,rating,timestamp\n";
  for (int i = 0; i < records; ++i) {
    csv += std::to_string(i) + ",1,4.0," + std::to_string(1000 + i) + "\n";
  }
  return csv;
}

// One `progress` line.
struct ProgressLine {
  int64_t done = 0;
  int64_t total = 0;
  int64_t records = 0;
};

// The progress lines in `log`, by file, in order. Any line that starts like
// one but does not have exactly the documented form fails the test.
inline std::map<std::string, std::vector<ProgressLine>> ProgressLines(
    const std::string& log) {
  static const std::regex kLine(
      "action: progress \\| result: in_progress \\| file: ([a-z_]+\\.csv) "
      "\\| done: ([0-9]+) \\| total: ([0-9]+) \\| records: ([0-9]+)$");
  std::map<std::string, std::vector<ProgressLine>> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find("action: progress") == std::string::npos) continue;
    std::smatch match;
    if (!std::regex_search(line, match, kLine)) {
      ADD_FAILURE() << "malformed progress line: " << line;
      continue;
    }
    lines[match[1]].push_back(
        {std::stoll(match[2]), std::stoll(match[3]), std::stoll(match[4])});
  }
  return lines;
}

// What every file's progress lines must satisfy: done only grows and never
// passes total (the file's size), records only grow, at most about 20
// lines, and the last one reports the whole file.
inline void ExpectSaneProgress(const std::vector<ProgressLine>& lines,
                        int64_t file_size, const std::string& file) {
  SCOPED_TRACE(file);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_LE(lines.size(), 22u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].total, file_size) << "line " << i;
    EXPECT_LE(lines[i].done, lines[i].total) << "line " << i;
    if (i > 0) {
      EXPECT_GE(lines[i].done, lines[i - 1].done) << "line " << i;
      EXPECT_GE(lines[i].records, lines[i - 1].records) << "line " << i;
    }
  }
  EXPECT_EQ(lines.back().done, file_size);
}

class ClientTest : public ::testing::Test {
 protected:
  ClientTest()
      : log_stream_(&sink_), logger_(common::LogLevel::kDebug, log_stream_) {}

  ClientOptions Options(uint16_t port) {
    ClientOptions options;
    options.client_id = "client-1";
    options.data_dir = dir_.path() / "data";
    options.results_dir = dir_.path() / "results";
    options.handler = {"127.0.0.1", port};
    options.connect_timeout = std::chrono::seconds(10);
    options.timeout = kWait;
    // One connection per test unless a test resumes on purpose.
    options.reconnect_timeout = std::chrono::milliseconds(0);
    options.env = common::MapEnv({});
    return options;
  }

  void WriteSmallDataset() {
    fs::create_directories(dir_.path() / "data");
    WriteFileBytes(dir_.path() / "data/movies_metadata.csv",
                   "id,title,overview\n"
                   "1,Nueve reinas,\"A con, \"\"quoted\"\"\nmulti-line\"\n"
                   "2,Bad\"quote,x\n"
                   "3,Plain,ok\n"
                   "4,Four,\"four\"\n");
    WriteFileBytes(dir_.path() / "data/credits.csv",
                   "cast,crew,id\r\n\"[{'id': 1, 'name': 'R'}]\",[],1\r\n");
    WriteFileBytes(dir_.path() / "data/ratings.csv",
                   "userId,movieId,rating,timestamp\n"
                   "1,1,4.0,100\n"
                   "1,3,3.5,200\n"
                   "\"unterminated,1\n");
  }

  fs::path ResultFile(int query) {
    return dir_.path() / "results/client-1" /
           ("query" + std::to_string(query) + ".txt");
  }

  // Runs the client on the small dataset against a handler that follows
  // `script`, and returns the client's error, "" if it succeeded.
  std::string ErrorAgainst(FakeHandler::Script script) {
    WriteSmallDataset();
    FakeHandler handler(std::move(script));
    return RunExpectingError(Options(handler.port()));
  }

  // Runs the client and returns its error, "" if it succeeded.
  std::string RunExpectingError(const ClientOptions& options) {
    try {
      RunClient(options, logger_);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }

  TempDir dir_;
  LogSink sink_;
  std::ostream log_stream_;
  common::Logger logger_;
};


}  // namespace chancho::movies
