// The movies client's progress lines and its pacing (ROWS_PER_SECOND).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "system/movies/pipeline/client_test_fixture.h"

namespace chancho::movies {
namespace {

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

}  // namespace
}  // namespace chancho::movies
