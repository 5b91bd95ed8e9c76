// The same operations on ProcessRuntime and DockerRuntime, with the tp0
// system, and the same observable behaviour: states after kill, stop, pause
// and start; exit codes (a SIGKILL is term_signal 9 on both); logs; probe
// results; readiness kinds; errors for operations that cannot take effect.
//
// The Docker instances need an engine (ci/start-docker.sh) and the images
// (ci/build-images.sh BUILD_DIR). Without them they are skipped with the
// reason, unless CI=true, where that is a failure.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <thread>

#include "common/subprocess.h"
#include "fixtures/docker_support.h"
#include "fixtures/system_test.h"
#include "harness/probes/echo_probe.h"
#include "harness/proxy/link_fault_text.h"
#include "harness/runtime/docker/docker_leftovers.h"
#include "harness/runtime/docker/docker_runtime.h"
#include "harness/runtime/process/process_runtime.h"
#include "test_support/tp0_spec.h"
#include "integration_tests/tp0/tp0_env.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

using Kind = RuntimeKind;

constexpr int kPort = 12345;
constexpr char kReceived[] = "action: receive_message \\| result: success";

class RuntimeConformanceTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    std::optional<std::string> missing;
    if (GetParam() == Kind::kDocker) missing = DockerUnavailable();
    if (GetParam() == Kind::kSwarm) missing = SwarmUnavailable();
    if (missing) {
      if (IsCi()) {
        FAIL() << "CI=true, and the " << ToString(GetParam())
               << " runtime cannot run: " << *missing;
      }
      GTEST_SKIP() << *missing;
    }
  }

  void TearDown() override {
    if (!runtime_) return;
    const bool failed = HasFailure();
    try {
      runtime_->Down(seconds(5));
    } catch (const std::exception& e) {
      ADD_FAILURE() << "Down: " << e.what();
    }
    const auto run_dir = runtime_->run_dir();
    if (failed) {
      std::cerr << "---- run directory: " << run_dir.string() << "\n";
      for (const auto& plan : runtime_->deployment().replicas) {
        std::ifstream in(runtime_->LogPath(plan.name));
        std::cerr << "---- " << plan.name << "\n" << in.rdbuf() << "\n";
      }
    }
    runtime_.reset();
    if (!HasFailure() && std::getenv("CHANCHO_KEEP_RUNS") == nullptr) {
      std::error_code ec;
      std::filesystem::remove_all(run_dir, ec);
    }
  }

  // Plans `spec` and brings it up on the runtime under test.
  void Up(const Spec& spec, std::vector<ProxiedLink> links = {}) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->name());
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    const auto root =
        BinDir().parent_path() / "test-runs" / "conformance" / name;
    RuntimeOptions options;
    options.runs_root = root;
    options.bin_dirs = {BinDir()};
    options.serve_control = false;
    options.links = std::move(links);
    runtime_ = MakeRuntime(GetParam(), Plan(spec), options);
    runtime_->Up();
  }

  Runtime& rt() { return *runtime_; }

  int Count(const std::string& replica, const std::string& pattern) {
    const std::string logs = rt().Logs(replica);
    const std::regex re(pattern);
    return static_cast<int>(
        std::distance(std::sregex_iterator(logs.begin(), logs.end(), re),
                      std::sregex_iterator()));
  }

  // Waits until `pattern` matches at least `count` times in Logs().
  ::testing::AssertionResult WaitForLog(const std::string& replica,
                                        const std::string& pattern,
                                        int count = 1,
                                        milliseconds timeout = seconds(15)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int seen = 0;
    while ((seen = Count(replica, pattern)) < count) {
      if (std::chrono::steady_clock::now() >= deadline) {
        return ::testing::AssertionFailure()
               << replica << ": /" << pattern << "/ seen " << seen
               << " times, wanted " << count << ", within " << timeout.count()
               << " ms";
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    return ::testing::AssertionSuccess();
  }

  // The echo probe against the server: from the host to its address, and
  // under Docker also from inside the network, which must agree. The host
  // cannot reach a Swarm overlay: there, only from inside.
  ::testing::AssertionResult ProbeServer(const std::string& message,
                                         milliseconds timeout = seconds(5)) {
    if (GetParam() == Kind::kSwarm) {
      const NetworkProbeResult inside =
          static_cast<DockerRuntime&>(rt()).EchoProbe("server", kPort, message,
                                                      timeout);
      if (!inside.success) return ::testing::AssertionFailure() << inside.error;
      if (inside.reply != message) {
        return ::testing::AssertionFailure() << "reply " << inside.reply;
      }
      return ::testing::AssertionSuccess();
    }
    const ProbeResult host =
        EchoProbe(rt().Status("server").address, kPort, message, timeout);
    if (GetParam() == Kind::kDocker) {
      const NetworkProbeResult inside =
          static_cast<DockerRuntime&>(rt()).EchoProbe("server", kPort, message,
                                                      timeout);
      if (inside.success != host.success) {
        return ::testing::AssertionFailure()
               << "the probe from the host says " << host.success << " ("
               << host.reason << "), from the network " << inside.success
               << " (" << inside.error << ")";
      }
      if (inside.success && inside.reply != message) {
        return ::testing::AssertionFailure() << "reply " << inside.reply;
      }
    }
    if (host.success) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << host.reason;
  }

  std::unique_ptr<Runtime> runtime_;
};

TEST_P(RuntimeConformanceTest, UpPsLogsAndCleanExit) {
  ASSERT_NO_THROW(Up(Tp0(2, 3, "10ms")));
  const auto up_done = std::chrono::steady_clock::now();
  const auto ps = rt().Ps();
  ASSERT_EQ(ps.size(), 3u);
  EXPECT_EQ(ps[0].name, "server");
  EXPECT_EQ(ps[0].role, "server");
  EXPECT_EQ(ps[1].name, "client1");
  EXPECT_EQ(ps[2].service, "client");
  EXPECT_EQ(ps[2].role, "client");
  const ReplicaStatus server = rt().Status("server");
  EXPECT_EQ(server.state, ReplicaState::kRunning);
  EXPECT_TRUE(server.ready);
  EXPECT_GT(server.pid, 0);
  EXPECT_FALSE(server.address.empty());
  EXPECT_EQ(server.starts, 1);
  EXPECT_EQ(server.restarts, 0);

  for (const char* client : {"client1", "client2"}) {
    const auto exit = rt().WaitExit(client, seconds(30));
    ASSERT_TRUE(exit.has_value()) << client;
    EXPECT_EQ(exit->state, ReplicaState::kExited);
    EXPECT_EQ(exit->exit_code, 0) << client;
    EXPECT_FALSE(exit->term_signal.has_value());
    EXPECT_EQ(exit->pid, 0);
    EXPECT_EQ(Count(client, kReceived), 3) << client;
  }
  // The uptime is the server's as of each asking, not of the last event:
  // the server started before Up() returned.
  const auto since_up = std::chrono::duration_cast<milliseconds>(
      std::chrono::steady_clock::now() - up_done);
  EXPECT_GE(rt().Status("server").uptime, since_up);
  EXPECT_EQ(Count("server", "action: config \\| result: success"), 1);
  EXPECT_GE(Count("server", kReceived), 6);
  // The log file holds the same lines.
  const std::string file = [&] {
    std::ifstream in(rt().LogPath("client1"));
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }();
  EXPECT_THAT(file, HasSubstr("action: config | result: success"));

  rt().Down(seconds(5));
  for (const auto& status : rt().Ps()) {
    EXPECT_EQ(status.state, ReplicaState::kExited) << status.name;
    EXPECT_EQ(status.pid, 0);
  }
  EXPECT_THAT(rt().Logs("server"),
              HasSubstr("action: shutdown | result: success"));
  if (GetParam() != Kind::kProcess) {
    auto& docker = static_cast<DockerRuntime&>(rt());
    const std::string label =
        "label=com.chancho.run=" + rt().run_dir().filename().string();
    const std::string left =
        RunChecked({"docker", "ps", "-aq", "--filter", label}, {seconds(20)});
    EXPECT_EQ(left, "") << "containers left after Down";
    if (GetParam() == Kind::kSwarm) {
      EXPECT_EQ(RunChecked({"docker", "service", "ls", "-q", "--filter", label},
                           {seconds(20)}),
                "")
          << "services left after Down";
    }
    const CommandResult network = RunCommand(
        {"docker", "network", "inspect", docker.network()}, {seconds(20)});
    EXPECT_NE(network.exit_code, 0) << docker.network() << " left after Down";
  }
}

TEST_P(RuntimeConformanceTest, SigkillEndsWithSignal9) {
  ASSERT_NO_THROW(Up(Tp0(1, 100000, "50ms")));
  ASSERT_TRUE(WaitForLog("client1", kReceived));
  rt().Kill("client1", SIGKILL);
  const auto exit = rt().WaitExit("client1", seconds(10));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->state, ReplicaState::kExited);
  EXPECT_EQ(exit->term_signal, 9);
  EXPECT_FALSE(exit->exit_code.has_value());
  EXPECT_THROW(rt().Kill("client1", SIGKILL), Error);
  EXPECT_THROW(rt().Stop("client1", seconds(1)), Error);
  EXPECT_THROW(rt().Pause("client1"), Error);
  EXPECT_EQ(rt().Status("server").state, ReplicaState::kRunning);
}

TEST_P(RuntimeConformanceTest, SigtermIsAGracefulExit) {
  ASSERT_NO_THROW(Up(Tp0(1, 100000, "50ms")));
  ASSERT_TRUE(WaitForLog("client1", kReceived));
  rt().Kill("server", SIGTERM);
  const auto exit = rt().WaitExit("server", seconds(10));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->exit_code, 0);
  EXPECT_FALSE(exit->term_signal.has_value());
  EXPECT_TRUE(
      WaitForLog("server", "action: close_listener \\| result: success"));
}

TEST_P(RuntimeConformanceTest, StopIsGraceful) {
  ASSERT_NO_THROW(Up(Tp0(1, 100000, "50ms")));
  ASSERT_TRUE(WaitForLog("client1", kReceived));
  rt().Stop("client1", seconds(5));
  const ReplicaStatus status = rt().Status("client1");
  EXPECT_EQ(status.state, ReplicaState::kExited);
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_FALSE(status.term_signal.has_value());
  EXPECT_TRUE(WaitForLog("client1", "action: shutdown \\| result: success"));
  EXPECT_THROW(rt().Stop("client1", seconds(1)), Error);
}

TEST_P(RuntimeConformanceTest, PauseAndResume) {
  ASSERT_NO_THROW(Up(Tp0(1, 100000, "20ms")));
  ASSERT_TRUE(WaitForLog("client1", kReceived));
  EXPECT_THROW(rt().Resume("client1"), Error);  // not paused
  rt().Pause("client1");
  EXPECT_EQ(rt().Status("client1").state, ReplicaState::kPaused);
  EXPECT_NO_THROW(rt().Pause("client1"));  // already paused: no-op
  std::this_thread::sleep_for(milliseconds(300));
  const int before = Count("client1", kReceived);
  std::this_thread::sleep_for(milliseconds(700));
  EXPECT_EQ(Count("client1", kReceived), before) << "a paused client sent";
  rt().Resume("client1");
  EXPECT_EQ(rt().Status("client1").state, ReplicaState::kRunning);
  EXPECT_TRUE(WaitForLog("client1", kReceived, before + 3));
  EXPECT_THROW(rt().Resume("client1"), Error);
  // A paused replica still stops gracefully.
  rt().Pause("client1");
  rt().Stop("client1", seconds(5));
  EXPECT_EQ(rt().Status("client1").exit_code, 0);
}

TEST_P(RuntimeConformanceTest, StartAfterKillCountsARestart) {
  ASSERT_NO_THROW(Up(Tp0(1, 100000, "50ms")));
  ASSERT_TRUE(WaitForLog("client1", kReceived));
  EXPECT_THROW(rt().Start("client1"), Error);  // already running
  rt().Kill("client1", SIGKILL);
  ASSERT_TRUE(rt().WaitExit("client1", seconds(10)).has_value());
  rt().Start("client1");
  const ReplicaStatus status = rt().Status("client1");
  EXPECT_EQ(status.state, ReplicaState::kRunning);
  EXPECT_EQ(status.starts, 2);
  EXPECT_EQ(status.restarts, 1);
  EXPECT_FALSE(status.exit_code.has_value());
  EXPECT_FALSE(status.term_signal.has_value());
  // Logs keep the first run and add the second.
  EXPECT_TRUE(WaitForLog("client1", "action: config \\| result: success", 2));
  const int before = Count("client1", kReceived);
  EXPECT_TRUE(WaitForLog("client1", kReceived, before + 2));
  EXPECT_EQ(rt().Status("server").restarts, 0);
}

// A linked client reaches its upstream through the link's proxy, again
// after the upstream restarted, and not while a partition cuts the link.
// On a Swarm the restart is a new task with an address of its own, which
// the proxy looks up at each connection.
TEST_P(RuntimeConformanceTest, ALinkFollowsItsUpstreamAndAPartitionCutsIt) {
  try {
    Up(Tp0(1, 100000, "50ms"), {{"client1", "server", kPort}});
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }
  ASSERT_TRUE(WaitForLog("client1", kReceived));
  rt().Kill("server", SIGKILL);
  ASSERT_TRUE(rt().WaitExit("server", seconds(10)).has_value());
  rt().Start("server");
  const int before = Count("client1", kReceived);
  EXPECT_TRUE(WaitForLog("client1", kReceived, before + 3));
  const std::vector<LinkStatus> links = rt().Links();
  ASSERT_EQ(links.size(), 1u);
  // Every echo went through the proxy: one connection per message.
  EXPECT_GE(links[0].stats.connections_accepted,
            static_cast<std::uint64_t>(Count("client1", kReceived)));
  // Each message is a connection of its own: under the partition each is
  // refused, and after the heal they go through again.
  const LinkFaultOutcome cut =
      rt().SetLinkFault("client1", ParseLinkFault("partition"));
  EXPECT_TRUE(cut.took_effect) << cut.detail;
  const std::string failed = "action: receive_message \\| result: fail";
  EXPECT_TRUE(WaitForLog("client1", failed, Count("client1", failed) + 2));
  EXPECT_GE(rt().Links()[0].stats.connections_refused, 2u);
  const LinkFaultOutcome healed =
      rt().SetLinkFault("client1", ParseLinkFault("none"));
  EXPECT_TRUE(healed.took_effect) << healed.detail;
  EXPECT_TRUE(WaitForLog("client1", kReceived, Count("client1", kReceived) + 2));
}

TEST_P(RuntimeConformanceTest, ExitCodeOfAFailedClient) {
  Spec spec = Tp0(1, 1, "not-a-duration");
  ASSERT_NO_THROW(Up(spec));
  const auto exit = rt().WaitExit("client1", seconds(15));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->exit_code, 1);
  EXPECT_FALSE(exit->term_signal.has_value());
  EXPECT_TRUE(WaitForLog("client1", "action: config \\| result: fail"));
}

TEST_P(RuntimeConformanceTest, EchoProbeAgainstTheServer) {
  ASSERT_NO_THROW(Up(Tp0(0, 1, "10ms")));
  EXPECT_TRUE(ProbeServer("hola, soy un mensaje de prueba"));
  EXPECT_TRUE(WaitForLog("server", "msg: hola, soy un mensaje de prueba"));
  rt().Kill("server", SIGKILL);
  ASSERT_TRUE(rt().WaitExit("server", seconds(10)).has_value());
  EXPECT_FALSE(ProbeServer("nobody listens", seconds(2)));
}

TEST_P(RuntimeConformanceTest, TcpAndHeartbeatReadiness) {
  Spec spec = Tp0(0, 1, "10ms");
  spec.services[0].readiness = Readiness{};
  spec.services[0].readiness.kind = Readiness::Kind::kTcp;
  spec.services[0].readiness.port = kPort;
  ASSERT_NO_THROW(Up(spec));
  EXPECT_TRUE(rt().Status("server").ready);
  rt().Down(seconds(5));
  runtime_.reset();

  spec.services[0].heartbeat_port = 4444;
  spec.services[0].readiness = Readiness{};
  spec.services[0].readiness.kind = Readiness::Kind::kHeartbeat;
  ASSERT_NO_THROW(Up(spec));
  EXPECT_TRUE(rt().Status("server").ready);
  EXPECT_TRUE(rt().WaitReady("server", milliseconds(500)));
}

// The kinds of what the runtime did to and saw of `replica`, in order.
std::vector<std::string> HistoryOf(const Runtime& runtime,
                                   const std::string& replica) {
  std::vector<std::string> out;
  for (const RuntimeEvent& e : runtime.History()) {
    if (e.replica != replica) continue;
    std::string kind(ToString(e.kind));
    if (e.kind == RuntimeEvent::Kind::kSignal) {
      kind += " " + std::to_string(e.signal);
    }
    out.push_back(kind);
  }
  return out;
}

// Where the first `kind` event of `replica` is in the history; -1 if none.
long IndexOf(const std::vector<RuntimeEvent>& history,
             const std::string& replica, RuntimeEvent::Kind kind) {
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (history[i].replica == replica && history[i].kind == kind) {
      return static_cast<long>(i);
    }
  }
  return -1;
}

TEST_P(RuntimeConformanceTest, DownStopsDependentsBeforeWhatTheyDependOn) {
  ASSERT_NO_THROW(Up(Tp0(2, 100000, "50ms")));
  ASSERT_TRUE(WaitForLog("client1", kReceived));
  ASSERT_TRUE(WaitForLog("client2", kReceived));
  rt().Down(seconds(5));
  const std::vector<RuntimeEvent> history = rt().History();
  const long server_term =
      IndexOf(history, "server", RuntimeEvent::Kind::kTerminate);
  ASSERT_GE(server_term, 0) << "the server was never sent SIGTERM";
  for (const std::string client : {"client1", "client2"}) {
    const long exited = IndexOf(history, client, RuntimeEvent::Kind::kExited);
    ASSERT_GE(exited, 0) << client << " was never seen exited";
    EXPECT_LT(exited, server_term)
        << client << " exited after the server was told to stop";
    // Each got SIGTERM and exited within the grace period: no SIGKILL.
    EXPECT_EQ(HistoryOf(rt(), client),
              (std::vector<std::string>{"start", "terminate", "exited"}));
  }
  EXPECT_EQ(HistoryOf(rt(), "server"),
            (std::vector<std::string>{"start", "ready", "terminate",
                                      "exited"}));
  EXPECT_EQ(rt().Status("server").exit_code, 0);
}

TEST_P(RuntimeConformanceTest, KillAndStartMakeTheSameTransitions) {
  ASSERT_NO_THROW(Up(Tp0(1, 100000, "50ms")));
  ASSERT_TRUE(WaitForLog("client1", kReceived));
  rt().Kill("client1", SIGKILL);
  ASSERT_TRUE(rt().WaitExit("client1", seconds(10)).has_value());
  rt().Start("client1");
  rt().Pause("client1");
  rt().Resume("client1");
  rt().Stop("client1", seconds(5));
  EXPECT_EQ(HistoryOf(rt(), "client1"),
            (std::vector<std::string>{"start", "signal 9", "exited", "start",
                                      "pause", "resume", "terminate",
                                      "exited"}));
}

TEST_P(RuntimeConformanceTest, UnknownReplicaThrows) {
  ASSERT_NO_THROW(Up(Tp0(0, 1, "10ms")));
  EXPECT_THROW(rt().Kill("nope", SIGKILL), Error);
  EXPECT_THROW(rt().Status("nope"), Error);
  EXPECT_THROW(rt().Start("nope"), Error);
  EXPECT_THROW(rt().Logs("nope"), Error);
}

// What only the Docker runtime has: a missing image (the leftovers of a
// dead owner are docker_reaper_test's).
class DockerRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (DockerUnavailable()) {
      if (IsCi()) FAIL() << "CI=true: " << *DockerUnavailable();
      GTEST_SKIP() << *DockerUnavailable();
    }
  }
};

TEST_F(DockerRuntimeTest, MissingImageIsAOneLineError) {
  Spec spec = Tp0Spec(0, SourceDir() / "system" / "tp0");
  spec.services[0].image = "chancho/no-such-image:latest";
  RuntimeOptions options;
  options.runs_root = BinDir().parent_path() / "test-runs" / "conformance";
  try {
    DockerRuntime runtime(Plan(spec), options);
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_THAT(message, HasSubstr("chancho/no-such-image:latest"));
    EXPECT_THAT(message, HasSubstr("ci/build-images.sh"));
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

INSTANTIATE_TEST_SUITE_P(Runtimes, RuntimeConformanceTest,
                         ::testing::Values(Kind::kProcess, Kind::kDocker,
                                           Kind::kSwarm),
                         [](const ::testing::TestParamInfo<Kind>& info) {
                           return RuntimeName(info.param);
                         });

}  // namespace
}  // namespace chancho::testing
