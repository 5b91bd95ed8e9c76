// SIGTERM to the client only, to the server only, and to both: each exits
// with code 0, within 1 s.
#include <gtest/gtest.h>
#include <signal.h>

#include "integration_tests/tp0/tp0_env.h"

namespace chancho::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class Tp0SignalTest : public SystemTestP {
 protected:
  // A client that would loop for minutes, so that SIGTERM finds it busy.
  void SetUp() override {
    SystemTestP::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(StartSystem(Tp0(1, 100000, "50ms")));
  }

  // Waits until the client has had at least one echo.
  void WaitForTraffic() {
    ASSERT_TRUE(WaitForLogLine("client1",
                               "action: receive_message \\| result: success",
                               seconds(10)));
  }
};

TEST_P(Tp0SignalTest, ClientOnly) {
  WaitForTraffic();
  runtime().Kill("client1", SIGTERM);
  EXPECT_TRUE(WaitForExit("client1", seconds(1), 0));
  EXPECT_EQ(runtime().Status("server").state, ReplicaState::kRunning);
}

TEST_P(Tp0SignalTest, ServerOnly) {
  WaitForTraffic();
  runtime().Kill("server", SIGTERM);
  EXPECT_TRUE(WaitForExit("server", seconds(1), 0));
  EXPECT_TRUE(WaitForLogLine("server", "action: close_listener \\| result: success",
                             milliseconds(100)));
}

TEST_P(Tp0SignalTest, Both) {
  WaitForTraffic();
  runtime().Kill("server", SIGTERM);
  runtime().Kill("client1", SIGTERM);
  EXPECT_TRUE(WaitForExit("server", seconds(1), 0));
  EXPECT_TRUE(WaitForExit("client1", seconds(1), 0));
}

INSTANTIATE_TEST_SUITE_P(Runtimes, Tp0SignalTest, AllRuntimes(),
                         RuntimeParamName);

}  // namespace
}  // namespace chancho::testing
