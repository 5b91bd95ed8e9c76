#include "harness/runtime/control/control.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "common/error.h"
#include "harness/runtime/control/control_commands.h"
#include "harness/runtime/control/link_json.h"

namespace chancho {
namespace {

using std::chrono::seconds;

std::string UniqueName(const char* what) {
  return std::string("chancho-test/") + what + "/" + std::to_string(::getpid());
}

TEST(Control, RequestReachesTheHandlerAndTheAnswerComesBack) {
  ControlServer server(UniqueName("echo"), [](const std::string& request) {
    if (request == "fail") throw Error("it failed");
    return "got " + request;
  });
  EXPECT_EQ(ControlRequest(server.name(), "hello world", seconds(5)),
            "got hello world");
  try {
    ControlRequest(server.name(), "fail", seconds(5));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "it failed");
  }
}

TEST(Control, AnOversizedRequestIsOneLineAndTheServerGoesOn) {
  ControlServer server(UniqueName("big"), [](const std::string& request) {
    return "got " + request.substr(0, 3);
  });
  try {
    ControlRequest(server.name(), std::string(10000, 'x'), seconds(5));
    FAIL() << "a 10000-byte request was served";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("request longer than 4096 bytes"));
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
  EXPECT_EQ(ControlRequest(server.name(), "ps", seconds(5)), "got ps");
}

TEST(Control, NameInUseAndNobodyListeningAreErrors) {
  ControlServer server(UniqueName("taken"), [](const std::string&) {
    return std::string();
  });
  EXPECT_THROW(ControlServer(server.name(),
                             [](const std::string&) { return std::string(); }),
               Error);
  EXPECT_THROW(ControlRequest(UniqueName("nobody"), "ps", seconds(1)), Error);
}

TEST(Control, Signals) {
  EXPECT_EQ(ParseSignal("KILL"), 9);
  EXPECT_EQ(ParseSignal("sigterm"), 15);
  EXPECT_EQ(ParseSignal("9"), 9);
  EXPECT_THROW(ParseSignal("BOOM"), Error);
  EXPECT_THROW(ParseSignal("99"), Error);
  EXPECT_EQ(SignalName(15), "SIGTERM");
}

TEST(Control, StatusJsonRoundTrips) {
  ReplicaStatus s;
  s.name = "server";
  s.service = "server";
  s.role = "server";
  s.address = "127.1.2.3";
  s.state = ReplicaState::kExited;
  s.starts = 3;
  s.restarts = 2;
  s.exit_code = 0;
  const auto back = StatusesFromJson(StatusesToJson({s}));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].name, "server");
  EXPECT_EQ(back[0].state, ReplicaState::kExited);
  EXPECT_EQ(back[0].restarts, 2);
  EXPECT_EQ(back[0].exit_code, 0);
  EXPECT_FALSE(back[0].term_signal);
  EXPECT_THAT(FormatStatusTable(back), ::testing::HasSubstr("code 0"));
}

TEST(Control, DeeplyNestedAnswersAreRefusedOnOneLine) {
  const std::string deep(100000, '[');
  const auto error_of = [](const auto& parse) {
    try {
      parse();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error_of([&] { StatusesFromJson(deep); }),
            "control socket status list: offset 128: nesting too deep (more "
            "than 128 levels)");
  EXPECT_EQ(error_of([&] { LinksFromJson(deep); }),
            "control socket link list: offset 128: nesting too deep (more "
            "than 128 levels)");
  EXPECT_EQ(error_of([&] { LinkOutcomeFromJson(deep); }),
            "control socket link fault outcome: offset 128: nesting too deep "
            "(more than 128 levels)");
  EXPECT_EQ(error_of([] { StatusesFromJson("[{]"); }),
            "control socket status list: invalid JSON at offset 2: Missing a "
            "name for object member.");
}

}  // namespace
}  // namespace chancho
