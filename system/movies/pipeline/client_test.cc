// The movies client: uploads, results, errors, resumes and connections.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "system/movies/pipeline/client_test_fixture.h"

namespace chancho::movies {
namespace {

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
