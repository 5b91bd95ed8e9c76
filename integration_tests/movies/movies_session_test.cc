// Client sessions of the movies client-handler, next to two well-behaved
// clients: a client that disconnects mid-upload has its session aborted in
// every stateful stage; a garbage frame, or data before Hello, gets an
// Error frame and a closed connection; and the two other clients still get
// their known-good results.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "fixtures/system_test.h"
#include "integration_tests/movies/movies_support.h"
#include "system/common/framing.h"
#include "system/movies/pipeline/client_protocol.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

using std::chrono::seconds;
using movies::FrameType;

// A raw connection to the client-handler, speaking frames by hand.
class RawClient {
 public:
  RawClient(const std::string& ip, int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
    connected_ =
        ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() { ::close(fd_); }

  bool connected() const { return connected_; }

  bool Send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  bool SendFrame(FrameType type, std::string_view payload) {
    return Send(common::EncodeFrame(static_cast<std::uint8_t>(type), payload));
  }

  // The next frame, or nullopt when the connection closes or `timeout`
  // passes; `closed()` then says which.
  std::optional<common::Frame> Next(seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto frame = decoder_.Next()) return frame;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        closed_ = true;
        return std::nullopt;
      }
      decoder_.Feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
  }
  bool closed() const { return closed_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  common::FrameDecoder decoder_{movies::kMaxFrameBytes, movies::IsKnownFrameType};
};

std::string FileBytes(const std::filesystem::path& path) {
  std::ostringstream out;
  out << std::ifstream(path, std::ios::binary).rdbuf();
  return out.str();
}

// The first `max` bytes of a CSV file, cut after the last complete line
// (the generated files quote no line ends in their first rows' ids).
std::string Head(const std::filesystem::path& path, std::size_t max) {
  std::string bytes = FileBytes(path).substr(0, max);
  bytes.resize(bytes.rfind('\n') + 1);
  return bytes;
}

class MoviesSessionTest : public SystemTest {
 protected:
  void SetUp() override {
    SystemTest::SetUp();
    ASSERT_TRUE(SharedMoviesData(data_));
  }

  // Expects an Error frame whose message contains `what`, then a close.
  static ::testing::AssertionResult RejectedWith(RawClient& client,
                                                 const std::string& what) {
    auto frame = client.Next(seconds(30));
    if (!frame) return ::testing::AssertionFailure() << "no answer";
    if (frame->type != static_cast<std::uint8_t>(FrameType::kError)) {
      return ::testing::AssertionFailure()
             << "frame type " << int(frame->type) << " instead of Error";
    }
    if (frame->payload.find(what) == std::string::npos ||
        frame->payload.find('\n') != std::string::npos) {
      return ::testing::AssertionFailure()
             << "error '" << frame->payload << "' does not say '" << what << "'";
    }
    if (client.Next(seconds(30)) || !client.closed()) {
      return ::testing::AssertionFailure() << "the connection stayed open";
    }
    return ::testing::AssertionSuccess();
  }

  // Connects as `client_id`, gets a session, and uploads the first rows of
  // client-1's movies with their FileEnd; `session` gets the key.
  ::testing::AssertionResult StartSession(RawClient& client,
                                          const std::string& client_id,
                                          std::string& session) {
    if (!client.connected())
      return ::testing::AssertionFailure() << "no connection";
    client.SendFrame(FrameType::kHello, client_id);
    auto welcome = client.Next(seconds(30));
    if (!welcome ||
        welcome->type != static_cast<std::uint8_t>(FrameType::kWelcome)) {
      return ::testing::AssertionFailure() << "no Welcome";
    }
    session = welcome->payload;
    const std::string movies =
        Head(data_ / "client-1" / "movies_metadata.csv", 7000);
    if (!client.SendFrame(FrameType::kData, std::string(1, '\0') + movies) ||
        !client.SendFrame(FrameType::kFileEnd, std::string(1, '\0') + "0")) {
      return ::testing::AssertionFailure() << "cannot send the movies";
    }
    return ::testing::AssertionSuccess();
  }

  // Every stateful stage the session's data reached drops it: by the abort,
  // or, where all its input had arrived (the movies-only branches), because
  // it was done with the session already.
  void ExpectEveryStageDropped(const std::string& session) {
    const std::string pattern =
        "action: client_(abort|done) \\| result: success \\| client: " +
        session + " ";
    for (const char* stage :
         {"join-movie-ratings", "join-movie-credits", "group-by-country-sum",
          "group-by-overview-average", "group-by-actor-count",
          "group-by-movie-average", "master-group-by-country-sum",
          "master-group-by-overview-average"}) {
      EXPECT_TRUE(WaitForLogLine(stage, pattern, seconds(60))) << stage;
    }
  }

  std::filesystem::path data_;
};

TEST_F(MoviesSessionTest, BadClientsAreRejectedOrAbortedOthersUnaffected) {
  Spec spec = MoviesSpec(1, data_);
  for (auto& service : spec.services) {
    if (service.role == "client") service.replicas = 2;
  }
  ASSERT_TRUE(StartSystem(spec));
  const std::string ip = runtime().Status("client-handler").address;

  // A garbage frame: a length far above the limit.
  RawClient garbage(ip, 12345);
  ASSERT_TRUE(garbage.connected());
  ASSERT_TRUE(garbage.Send(std::string("\xff\xff\xff\xff\x03", 5)));
  EXPECT_TRUE(RejectedWith(garbage, "exceeds the limit"));

  // Data before Hello.
  RawClient early(ip, 12345);
  ASSERT_TRUE(early.connected());
  ASSERT_TRUE(early.SendFrame(FrameType::kData, std::string(1, '\0') + "id\n"));
  EXPECT_TRUE(RejectedWith(early, "before Hello"));

  // A client that uploads its movies and part of its credits, then leaves.
  std::string session;
  {
    RawClient quitter(ip, 12345);
    ASSERT_TRUE(StartSession(quitter, "quitter", session));
    ASSERT_TRUE(quitter.SendFrame(
        FrameType::kData,
        std::string(1, '\1') + Head(data_ / "client-1" / "credits.csv", 7000)));
  }
  ExpectEveryStageDropped(session);
  EXPECT_TRUE(WaitForLogLine("client-handler",
                             "action: client_(abort|done) \\| result: "
                             "success \\| client: " +
                                 session + " ",
                             seconds(60)));

  for (const char* client : {"client-1", "client-2"}) {
    ASSERT_TRUE(WaitForExit(client, seconds(240), 0)) << client;
  }
  for (const auto& client : MoviesClients()) {
    if (client.name == "client-3") continue;
    for (int q = 1; q <= 5; ++q) {
      const std::string file = "query" + std::to_string(q) + ".txt";
      EXPECT_EQ(FileBytes(runtime().run_dir() / "results" / client.name / file),
                FileBytes(SourceDir() / "known-good-results" / "movies" /
                          client.dataset / file))
          << client.name << " " << file;
    }
  }
}

TEST_F(MoviesSessionTest,
       ASessionWhoseClientNeverReturnsIsAbortedAfterTheWindow) {
  Spec spec = MoviesSpec(1, data_);
  // One raw client, and no health-checker to revive the handler: the test
  // does.
  std::erase_if(spec.services, [](const ServiceSpec& s) {
    return s.role == "client" || s.role == "health-checker";
  });
  for (auto& service : spec.services) {
    if (service.name == "client-handler") {
      service.environment["SESSION_RESUME_WINDOW"] = "2s";
    }
  }
  ASSERT_TRUE(StartSystem(spec));
  const std::string ip = runtime().Status("client-handler").address;
  const auto sessions =
      runtime().run_dir() / "storage" / "client-handler" / "sessions";

  // A client uploads its movies; the handler crashes under it, and the
  // client goes away for good.
  std::string session;
  {
    RawClient vanishing(ip, 12345);
    ASSERT_TRUE(StartSession(vanishing, "vanishing", session));
    ASSERT_TRUE(WaitForLogLine("client-handler",
                               "action: read_file \\| result: success \\| "
                               "session: " +
                                   session + " ",
                               seconds(60)));
    runtime().Kill("client-handler", SIGKILL);
    ASSERT_TRUE(WaitForExit("client-handler", seconds(30)));
  }
  ASSERT_TRUE(std::filesystem::exists(sessions / session))
      << "the crash should have left the session on disk";

  // The next handler keeps it for the window, then aborts and removes it.
  const auto restarted = std::chrono::steady_clock::now();
  runtime().Start("client-handler");
  ASSERT_TRUE(WaitForHealthy("client-handler", seconds(60)));
  EXPECT_TRUE(WaitForLogLine("client-handler",
                             "action: session_expired \\| result: success \\| "
                             "session: " +
                                 session + " ",
                             seconds(60)));
  EXPECT_GE(std::chrono::steady_clock::now() - restarted, seconds(2))
      << "expired before its window";
  EXPECT_FALSE(std::filesystem::exists(sessions / session));
  ExpectEveryStageDropped(session);
  // Too late to resume.
  RawClient late(ip, 12345);
  ASSERT_TRUE(late.connected());
  ASSERT_TRUE(late.SendFrame(FrameType::kResume, session));
  EXPECT_TRUE(RejectedWith(late, "no session"));
}

}  // namespace
}  // namespace chancho::testing
