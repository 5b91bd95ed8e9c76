#include "system/movies/pipeline/client.h"

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
#include "system/movies/pipeline/client_progress.h"
#include "system/movies/pipeline/client_protocol.h"
#include "system/movies/pipeline/fake_handler.h"
#include "system/movies/test_util.h"

namespace chancho::movies {
namespace {

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

constexpr auto kWait = std::chrono::seconds(30);

// A port that was free a moment ago: nothing listens there.
uint16_t FreePort() {
  asio::io_context io;
  tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
  return probe.local_endpoint().port();
}

// A handler script for a session that goes well.
void ServeEverything(HandlerPeer& peer) {
  peer.Greet();
  peer.ReadUpload();
  for (int query = 1; query <= kQueryCount; ++query) {
    peer.SendResult(query, "ok\n");
  }
  peer.Send(FrameType::kDone, "");
  peer.CloseAfterClient();
}

// A ratings.csv of `records` well-formed records, one line each.
std::string RatingsCsv(int records) {
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
std::map<std::string, std::vector<ProgressLine>> ProgressLines(
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
void ExpectSaneProgress(const std::vector<ProgressLine>& lines,
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

TEST_F(ClientTest, UploadsTheFilesInOrderAndWritesTheResults) {
  WriteSmallDataset();
  std::optional<Frame> hello;
  ReceivedUpload upload;
  FakeHandler handler([&](HandlerPeer& peer) {
    hello = peer.Read();
    peer.Send(FrameType::kWelcome, "session-7");
    // Results may come before the upload ends.
    peer.SendResult(2, "AR|100\nES|50\n");
    upload = CollectUpload(peer.ReadUpload());
    for (int query : {5, 1, 3, 4}) {
      peer.SendResult(query, "q" + std::to_string(query) + "|1\n");
    }
    peer.Send(FrameType::kDone, "");
    peer.CloseAfterClient();
  });
  // By name, through the runtime's hosts file.
  WriteFileBytes(dir_.path() / "hosts", "127.0.0.1 client-handler\n");
  ClientOptions options = Options(handler.port());
  options.handler.host = "client-handler";
  options.env = common::MapEnv(
      {{"CHANCHO_HOSTS_FILE", (dir_.path() / "hosts").string()}});

  const ClientSummary summary = RunClient(options, logger_);
  handler.Join();

  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->type, static_cast<uint8_t>(FrameType::kHello));
  EXPECT_EQ(hello->payload, "client-1");
  EXPECT_THAT(upload.problems, ::testing::IsEmpty());
  // Good records go as they stand in the file (quotes that were not needed
  // too), with '\n' line ends; the malformed one is left out.
  EXPECT_EQ(upload.records[0],
            "id,title,overview\n"
            "1,Nueve reinas,\"A con, \"\"quoted\"\"\nmulti-line\"\n"
            "3,Plain,ok\n"
            "4,Four,\"four\"\n");
  EXPECT_EQ(upload.records[1],
            "cast,crew,id\n\"[{'id': 1, 'name': 'R'}]\",[],1\n");
  EXPECT_EQ(upload.records[2],
            "userId,movieId,rating,timestamp\n1,1,4.0,100\n1,3,3.5,200\n");
  EXPECT_EQ(upload.file_end, (std::array<std::string, 3>{"1", "0", "1"}));

  EXPECT_EQ(ReadFileBytes(ResultFile(2)), "AR|100\nES|50\n");
  for (int query : {1, 3, 4, 5}) {
    EXPECT_EQ(ReadFileBytes(ResultFile(query)),
              "q" + std::to_string(query) + "|1\n");
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(ResultFile(1).parent_path()),
                          fs::directory_iterator()),
            5)
      << "no temporary file may be left behind";

  EXPECT_EQ(summary.session, "session-7");
  EXPECT_EQ(summary.uploads[0].records, 3);
  EXPECT_EQ(summary.uploads[0].bad_csv, 1);
  EXPECT_EQ(summary.uploads[2].records, 2);
  EXPECT_EQ(summary.result_lines[1], 2);
  const std::string log = sink_.text();
  EXPECT_THAT(log, HasSubstr("action: upload | result: success | file: "
                             "movies_metadata.csv | records: 3 | batches: 1 | "
                             "bad_csv: 1"));
  EXPECT_THAT(log, HasSubstr("action: upload | result: success | file: "
                             "ratings.csv | records: 2 | batches: 1 | "
                             "bad_csv: 1"));
  EXPECT_THAT(log, HasSubstr("action: result | result: success | query: 2 | "
                             "lines: 2"));
  EXPECT_THAT(log, HasSubstr("action: client | result: success | "
                             "client_id: client-1"));
}

TEST_F(ClientTest, LogsTheProgressOfEachFile) {
  const fs::path data = dir_.path() / "data";
  GenerateDataset(*FindPreset("tiny"), 42, data);
  {
    // Ratings of many frames: every 5% step is crossed by its own frame.
    std::ofstream ratings(data / "ratings.csv", std::ios::app);
    for (int i = 0; i < 20'000; ++i) ratings << i << ",7,3.5,1260759144\n";
  }
  FakeHandler handler(ServeEverything);
  const ClientSummary summary = RunClient(Options(handler.port()), logger_);
  handler.Join();

  const std::string log = sink_.text();
  const auto lines = ProgressLines(log);
  ASSERT_EQ(lines.size(), 3u) << log;
  for (int file = 0; file < kInputFileCount; ++file) {
    const std::string name(kInputFileNames[file]);
    const auto size = static_cast<int64_t>(fs::file_size(data / name));
    ASSERT_TRUE(lines.contains(name)) << name;
    const std::vector<ProgressLine>& of_file = lines.at(name);
    ExpectSaneProgress(of_file, size, name);
    EXPECT_EQ(of_file.front().done, 0) << name;
    EXPECT_EQ(of_file.front().records, 0) << name;
    EXPECT_EQ(of_file.back().records, summary.uploads[file].records) << name;
    // The exact form, fields in this order, and before the upload line.
    const std::string first =
        "action: progress | result: in_progress | file: " + name +
        " | done: 0 | total: " + std::to_string(size) + " | records: 0\n";
    const std::string last =
        "action: progress | result: in_progress | file: " + name +
        " | done: " + std::to_string(size) +
        " | total: " + std::to_string(size) +
        " | records: " + std::to_string(summary.uploads[file].records) + "\n";
    ASSERT_THAT(log, HasSubstr(first));
    ASSERT_THAT(log, HasSubstr(last));
    EXPECT_LT(log.find(first), log.find(last));
    EXPECT_LT(log.find(last),
              log.find("action: upload | result: success | file: " + name));
  }
  const auto ratings_size =
      static_cast<int64_t>(fs::file_size(data / "ratings.csv"));
  ASSERT_GT(ratings_size, 40 * static_cast<int64_t>(kMaxBatchBytes));
  // Start, the 19 steps 5%..95%, the end.
  EXPECT_EQ(lines.at("ratings.csv").size(), 21u);
}

TEST(FileProgressTest, LogsOncePerStepCrossedAndTheWholeFileAtTheEnd) {
  std::ostringstream out;
  common::Logger logger(common::LogLevel::kInfo, out);
  FileProgress progress("ratings.csv", 1000, logger);
  progress.Start(0, 0);
  for (int byte = 1; byte <= 1000; ++byte) progress.Sent(1, byte);
  progress.Finish(1000);
  const auto lines = ProgressLines(out.str())["ratings.csv"];
  ASSERT_EQ(lines.size(), 21u) << out.str();
  for (int step = 0; step < 20; ++step) {
    EXPECT_EQ(lines[step].done, 50 * step);  // exactly at each 5%
  }
  EXPECT_EQ(lines[20].done, 1000);

  // A batch that crosses several steps logs once; the final bytes are
  // Finish's alone.
  std::ostringstream jumps;
  common::Logger jumps_logger(common::LogLevel::kInfo, jumps);
  FileProgress big_steps("credits.csv", 1000, jumps_logger);
  big_steps.Start(0, 0);
  big_steps.Sent(40, 1);   // under 5%: nothing
  big_steps.Sent(300, 2);  // 34%: one line
  big_steps.Sent(660, 3);  // 100%: left to Finish
  big_steps.Finish(3);
  const auto jumped = ProgressLines(jumps.str())["credits.csv"];
  ASSERT_EQ(jumped.size(), 3u) << jumps.str();
  EXPECT_EQ(jumped[1].done, 340);
  EXPECT_EQ(jumped[2].done, 1000);

  // An empty file: its start and its end.
  std::ostringstream empty;
  common::Logger empty_logger(common::LogLevel::kInfo, empty);
  FileProgress none("movies_metadata.csv", 0, empty_logger);
  none.Start(0, 0);
  none.Finish(0);
  EXPECT_EQ(ProgressLines(empty.str())["movies_metadata.csv"].size(), 2u);
}

TEST_F(ClientTest, PacesTheUploadAndCapsItsBatches) {
  WriteSmallDataset();
  // 3 + 1 + 300 records in all.
  const std::string ratings = RatingsCsv(300);
  WriteFileBytes(dir_.path() / "data/ratings.csv", ratings);
  constexpr int64_t kRecords = 3 + 1 + 300;
  constexpr int64_t kRate = 200;  // 20 records a batch, 1.52 s at least
  std::vector<Frame> frames;
  FakeHandler handler([&](HandlerPeer& peer) {
    peer.Greet();
    frames = peer.ReadUpload();
    for (int query = 1; query <= kQueryCount; ++query) {
      peer.SendResult(query, "ok\n");
    }
    peer.Send(FrameType::kDone, "");
    peer.CloseAfterClient();
  });
  ClientOptions options = Options(handler.port());
  options.rows_per_second = kRate;

  const auto start = std::chrono::steady_clock::now();
  const ClientSummary summary = RunClient(options, logger_);
  const std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  handler.Join();

  // A lower bound only: a slow machine may take longer.
  EXPECT_GE(elapsed.count(), static_cast<double>(kRecords) / kRate - 0.01);
  EXPECT_THAT(sink_.text(),
              HasSubstr("action: pacing | result: success | "
                        "rows_per_second: 200 | batch_records: 20\n"));
  // Every ratings frame holds at most 20 records (the header besides).
  int ratings_frames = 0;
  for (const Frame& frame : frames) {
    if (frame.type != static_cast<uint8_t>(FrameType::kData) ||
        frame.payload[0] != static_cast<char>(InputFile::kRatings)) {
      continue;
    }
    const auto lines =
        std::count(frame.payload.begin(), frame.payload.end(), '\n');
    EXPECT_LE(lines, ratings_frames == 0 ? 21 : 20);
    ++ratings_frames;
  }
  EXPECT_EQ(ratings_frames, 15);
  EXPECT_EQ(summary.uploads[2].batches, 15);
  EXPECT_EQ(summary.uploads[2].records, 300);
  // The same bytes as unpaced, only cut finer.
  EXPECT_EQ(CollectUpload(frames).records[2], ratings);
  // Progress lines keep coming: one per 5% step of the 15 frames.
  const auto lines = ProgressLines(sink_.text());
  ASSERT_TRUE(lines.contains("ratings.csv"));
  ExpectSaneProgress(lines.at("ratings.csv"), ratings.size(), "ratings.csv");
  EXPECT_GE(lines.at("ratings.csv").size(), 15u);
}

TEST_F(ClientTest, UnpacedByDefault) {
  WriteSmallDataset();
  FakeHandler handler(ServeEverything);
  RunClient(Options(handler.port()), logger_);
  handler.Join();
  EXPECT_THAT(sink_.text(), Not(HasSubstr("action: pacing")));
}

TEST(RowsPerSecondTest, ParsesANonNegativeIntegerAndRejectsTheRest) {
  EXPECT_EQ(ParseRowsPerSecond(""), 0);
  EXPECT_EQ(ParseRowsPerSecond("0"), 0);
  EXPECT_EQ(ParseRowsPerSecond("250"), 250);
  EXPECT_EQ(ParseRowsPerSecond(" 7 "), 7);
  for (const char* bad :
       {"-1", "abc", "1.5", "10x", "1e3", "99999999999", "+"}) {
    try {
      ParseRowsPerSecond(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()),
                std::string("ROWS_PER_SECOND: '") + bad +
                    "' is not an integer in [0, 1000000000]");
    }
  }
}

TEST_F(ClientTest, RejectsANegativeRate) {
  WriteSmallDataset();
  ClientOptions options = Options(1);
  options.rows_per_second = -5;
  EXPECT_THAT(RunExpectingError(options), HasSubstr("ROWS_PER_SECOND"));
  EXPECT_THAT(sink_.text(), Not(HasSubstr("action: connect")));
}

TEST_F(ClientTest, ReadsResultsWhileStillUploading) {
  // Tiny socket buffers, results of megabytes sent before the handler reads
  // any data, and an upload of many megabytes: a client that only read
  // after uploading would deadlock with the handler and time out.
  const fs::path data = dir_.path() / "data";
  GenerateDataset(*FindPreset("tiny"), 42, data);
  {
    std::ofstream ratings(data / "ratings.csv", std::ios::app);
    for (int i = 0; i < 500'000; ++i) ratings << i << ",7,3.5,1260759144\n";
  }
  const std::string big_result(2 << 20, 'r');
  ReceivedUpload upload;
  FakeHandler handler(
      [&](HandlerPeer& peer) {
        if (!peer.Greet()) return;
        for (int query = 1; query <= kQueryCount; ++query) {
          peer.SendResult(query, big_result);
        }
        upload = CollectUpload(peer.ReadUpload());
        peer.Send(FrameType::kDone, "");
        peer.CloseAfterClient();
      },
      0, /*tiny_buffers=*/true);

  const ClientSummary summary = RunClient(Options(handler.port()), logger_);
  handler.Join();

  EXPECT_THAT(upload.problems, ::testing::IsEmpty());
  for (int file = 0; file < kInputFileCount; ++file) {
    const auto [text, bad] = ExpectedUpload(data / kInputFileNames[file]);
    EXPECT_TRUE(upload.records[file] == text) << kInputFileNames[file];
    EXPECT_EQ(upload.file_end[file], std::to_string(bad));
    EXPECT_EQ(summary.uploads[file].batches, upload.batches[file]);
  }
  EXPECT_GT(upload.batches[2], 1000);
  for (int query = 1; query <= kQueryCount; ++query) {
    EXPECT_TRUE(ReadFileBytes(ResultFile(query)) == big_result);
  }
}

TEST_F(ClientTest, AnErrorFrameFailsWithTheHandlersMessage) {
  const std::string error = ErrorAgainst([](HandlerPeer& peer) {
    peer.Read();
    peer.Send(FrameType::kError, "client id client-1 is already running");
    peer.CloseAfterClient();
  });
  EXPECT_THAT(error, HasSubstr("client id client-1 is already running"));
}

TEST_F(ClientTest, AnErrorFrameDuringTheUploadFailsWithItsMessage) {
  const std::string error = ErrorAgainst([](HandlerPeer& peer) {
    peer.Greet();
    peer.Read();  // the first batch
    peer.Send(FrameType::kError, "broker unavailable");
    peer.CloseAfterClient();
  });
  EXPECT_THAT(error, HasSubstr("broker unavailable"));
}

TEST_F(ClientTest, AHandlerClosingEarlyIsAClearError) {
  const std::string error = ErrorAgainst([](HandlerPeer& peer) {
    peer.Greet();
    peer.ReadUpload();
    peer.SendResult(1, "x\n");
    peer.CloseAfterClient();
  });
  EXPECT_THAT(error, HasSubstr("closed the connection before Done"));
  EXPECT_THAT(error, HasSubstr("1 of 5 results"));
}

TEST_F(ClientTest, AHandlerResettingTheConnectionIsAClearError) {
  // Returning closes the socket with the upload unread: a reset.
  const std::string error =
      ErrorAgainst([](HandlerPeer& peer) { peer.Greet(); });
  EXPECT_THAT(error, HasSubstr("before Done"));
  EXPECT_THAT(error, Not(HasSubstr("within")))
      << "must not wait for the timeout";
}

// The Data payloads the client cuts from `file`, in order.
std::vector<std::string> Batches(const fs::path& path, InputFile file) {
  std::ifstream in(path, std::ios::binary);
  CsvBatcher batcher(in, file);
  std::vector<std::string> out;
  for (std::string payload; batcher.Next(payload);) out.push_back(payload);
  return out;
}

TEST_F(ClientTest, ResumesWhereTheHandlerLeftOffWhenTheConnectionBreaks) {
  WriteSmallDataset();
  // Ratings long enough for several frames.
  const std::string ratings = RatingsCsv(3000);
  WriteFileBytes(dir_.path() / "data/ratings.csv", ratings);
  const auto batches = Batches(dir_.path() / "data/ratings.csv", InputFile::kRatings);
  ASSERT_GE(batches.size(), 3u);

  std::optional<Frame> resume;
  std::vector<Frame> after;
  FakeHandler handler(std::vector<FakeHandler::Script>{
      [](HandlerPeer& peer) {
        peer.Greet();  // Welcome("s")
        peer.SendResult(2, "AR|100\n");
        // Movies and credits, then the first ratings frame; then a crash.
        for (int frames = 0; frames < 5; ++frames) peer.Read();
      },
      [&](HandlerPeer& peer) {
        resume = peer.Read();
        std::string from(1, static_cast<char>(InputFile::kRatings));
        from += "1";  // one ratings frame was taken
        peer.Send(FrameType::kResumeFrom, from);
        peer.SendResult(2, "AR|100\n");  // again, as a resumed handler does
        after = peer.ReadUpload();
        for (int q : {1, 3, 4, 5}) peer.SendResult(q, "q" + std::to_string(q) + "\n");
        peer.Send(FrameType::kDone, "");
        peer.CloseAfterClient();
      }});
  ClientOptions options = Options(handler.port());
  options.reconnect_timeout = std::chrono::seconds(10);
  ASSERT_EQ(RunExpectingError(options), "");
  handler.Join();

  ASSERT_TRUE(resume);
  EXPECT_EQ(resume->type, static_cast<uint8_t>(FrameType::kResume));
  EXPECT_EQ(resume->payload, "s");
  // Exactly the frames the handler had not taken, cut the same way.
  ASSERT_EQ(after.size(), batches.size());  // batches - 1, then FileEnd
  for (std::size_t i = 1; i < batches.size(); ++i) {
    EXPECT_EQ(after[i - 1].payload, batches[i]) << "frame " << i;
  }
  EXPECT_EQ(after.back().type, static_cast<uint8_t>(FrameType::kFileEnd));
  EXPECT_EQ(ReadFileBytes(ResultFile(2)), "AR|100\n");
  EXPECT_EQ(ReadFileBytes(ResultFile(5)), "q5\n");
  EXPECT_TRUE(sink_.WaitFor("action: resume | result: in_progress | session: s",
                            std::chrono::seconds(1)));
  EXPECT_TRUE(sink_.WaitFor("action: resume | result: success | session: s | "
                            "file: ratings.csv | frames_taken: 1",
                            std::chrono::seconds(1)));
  // Progress carries on from the frame the handler has: ratings re-logged
  // from there, never past the file.
  const std::string after_resume =
      sink_.text().substr(sink_.text().find("action: resume | result: success"));
  const auto lines = ProgressLines(after_resume);
  ASSERT_TRUE(lines.contains("ratings.csv"));
  const std::vector<ProgressLine>& resumed = lines.at("ratings.csv");
  EXPECT_EQ(resumed.front().done,
            static_cast<int64_t>(batches[0].size()) - 1);
  ExpectSaneProgress(resumed, static_cast<int64_t>(ratings.size()),
                     "ratings.csv");
}

TEST_F(ClientTest, AResumeTheHandlerRefusesIsAClearError) {
  WriteSmallDataset();
  FakeHandler handler(std::vector<FakeHandler::Script>{
      [](HandlerPeer& peer) { peer.Greet(); },
      [](HandlerPeer& peer) {
        peer.Read();
        peer.Send(FrameType::kError, "no session s to resume");
        peer.CloseAfterClient();
      }});
  ClientOptions options = Options(handler.port());
  options.reconnect_timeout = std::chrono::seconds(10);
  EXPECT_THAT(RunExpectingError(options),
              HasSubstr("client-handler error: no session s to resume"));
}

TEST_F(ClientTest, DoneBeforeAllResultsIsAProtocolError) {
  const std::string error = ErrorAgainst([](HandlerPeer& peer) {
    peer.Greet();
    peer.ReadUpload();
    peer.SendResult(1, "x\n");
    peer.Send(FrameType::kDone, "");
    peer.CloseAfterClient();
  });
  EXPECT_THAT(error, HasSubstr("protocol error: Done too early"));
}

TEST_F(ClientTest, AMissingInputFileFailsBeforeConnecting) {
  WriteSmallDataset();
  fs::remove(dir_.path() / "data/credits.csv");
  ClientOptions options = Options(1);
  EXPECT_EQ(
      RunExpectingError(options),
      "input file not found: " + (dir_.path() / "data/credits.csv").string());
  EXPECT_THAT(sink_.text(), Not(HasSubstr("action: connect")));
}

TEST_F(ClientTest, GivesUpConnectingAfterTheConnectTimeout) {
  WriteSmallDataset();
  const uint16_t port = FreePort();
  ClientOptions options = Options(port);
  options.connect_timeout = std::chrono::milliseconds(500);
  const std::string error = RunExpectingError(options);
  EXPECT_THAT(error, HasSubstr("cannot reach client-handler 127.0.0.1:" +
                               std::to_string(port) + " within 0.5s"));
  EXPECT_THAT(error, HasSubstr("Connection refused"));
}

TEST_F(ClientTest, RetriesUntilTheHandlerListens) {
  WriteSmallDataset();
  const uint16_t port = FreePort();
  auto run = std::async(std::launch::async,
                        [&] { return RunExpectingError(Options(port)); });
  // Listen only once the client has seen the port closed.
  ASSERT_TRUE(sink_.WaitFor("action: connect | result: fail", kWait));
  FakeHandler handler(ServeEverything, port);
  ASSERT_EQ(run.wait_for(kWait + kWait), std::future_status::ready);
  EXPECT_EQ(run.get(), "");
}

TEST_F(ClientTest, ConnectsFromTheReplicaAddress) {
  WriteSmallDataset();
  std::string client_address;
  FakeHandler handler([&](HandlerPeer& peer) {
    client_address = peer.RemoteAddress();
    ServeEverything(peer);
  });
  ClientOptions options = Options(handler.port());
  options.env = common::MapEnv({{"CHANCHO_BIND_IP", "127.0.0.9"}});
  RunClient(options, logger_);
  handler.Join();
  EXPECT_EQ(client_address, "127.0.0.9");
}

TEST_F(ClientTest, RejectsAnInvalidClientId) {
  ClientOptions options = Options(1);
  options.client_id = "../etc";
  EXPECT_THROW(RunClient(options, logger_), std::invalid_argument);
}

}  // namespace
}  // namespace chancho::movies

namespace chancho::movies {
namespace {

TEST(SessionKeyTest, OnlyKeysShapedLikeTheHandlersAreValid) {
  EXPECT_TRUE(IsValidSessionKey("client-1@1796134339862.2"));
  EXPECT_TRUE(IsValidSessionKey("a@1.0"));
  for (const char* bad : {"", "client-1", "@1.2", "client-1@", "client-1@12",
                          "client-1@.2", "client-1@1.", "client-1@1.2x",
                          "bad id@1.2", "client-1@1.2.3",
                          "c@11111111111111111111.111111111111111111111"}) {
    EXPECT_FALSE(IsValidSessionKey(bad)) << bad;
  }
}

}  // namespace
}  // namespace chancho::movies
