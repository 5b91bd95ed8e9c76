// The movies broker (system/movies/broker/movies-broker) as a replica of a
// ProcessRuntime run, driven through the AMQP layer (system/movies/mq):
// persistent messages survive a SIGKILL of the broker, two runs with brokers
// do not collide, nothing listens on a wildcard address, and nothing
// survives the run, not even a SIGKILL of the harness.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <thread>

#include "fixtures/system_test.h"
#include "harness/runtime/process/process_runtime.h"
#include "system/movies/mq/connection.h"
#include "system/movies/mq/dedup_tracker.h"
#include "system/movies/mq/envelope.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
namespace mq = movies::mq;

constexpr char kBroker[] = "rabbitmq";

Spec BrokerSpec() {
  Spec spec;
  spec.name = "broker-test";
  spec.dir = SourceDir() / "system" / "movies";
  ServiceSpec broker;
  broker.name = kBroker;
  broker.role = "broker";
  broker.command = {"movies-broker"};
  broker.storage = true;
  broker.readiness.kind = Readiness::Kind::kLogLine;
  broker.readiness.pattern = "Server startup complete";
  broker.readiness.timeout_s = 120;
  spec.services.push_back(broker);
  return spec;
}

// Connects by name, through the run's hosts file, like a service would.
std::unique_ptr<mq::Connection> Connect(const Runtime& runtime) {
  mq::ConnectionOptions options;
  options.host = kBroker;
  options.connect_attempts = 240;
  options.retry_delay = milliseconds(250);
  const std::string hosts = (runtime.run_dir() / "hosts").string();
  return std::make_unique<mq::Connection>(
      options, [hosts](const char* name) -> std::optional<std::string> {
        if (std::string_view(name) == "CHANCHO_HOSTS_FILE") return hosts;
        return std::nullopt;
      });
}

struct ProcStat {
  char state = '?';
  int ppid = 0;
  int pgrp = 0;
};

std::optional<ProcStat> ReadStat(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(in)), {});
  const auto paren = content.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  ProcStat s;
  if (std::sscanf(content.c_str() + paren + 1, " %c %d %d", &s.state, &s.ppid,
                  &s.pgrp) != 3) {
    return std::nullopt;
  }
  return s;
}

// Alive and not a zombie waiting to be reaped.
bool Running(int pid) {
  const auto s = ReadStat(pid);
  return s && s->state != 'Z' && s->state != 'X';
}

// The broker and every process it started: its process group, plus children
// that made their own session (erl_child_setup).
std::set<int> BrokerProcesses(int broker_pid) {
  std::set<int> pids{broker_pid};
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const int pid = std::stoi(name);
    const auto s = ReadStat(pid);
    if (s && s->state != 'Z' && (s->pgrp == broker_pid || s->ppid == broker_pid))
      pids.insert(pid);
  }
  return pids;
}

// Local addresses of the listening TCP sockets of `pids`, from `ss`.
std::vector<std::string> ListeningAddresses(const std::set<int>& pids) {
  std::vector<std::string> out;
  FILE* ss = ::popen("ss -ltnpH 2>/dev/null", "r");
  if (ss == nullptr) return out;
  char line[1024];
  const std::regex pid_re("pid=(\\d+),");
  while (std::fgets(line, sizeof(line), ss) != nullptr) {
    const std::string text(line);
    for (std::sregex_iterator it(text.begin(), text.end(), pid_re), end;
         it != end; ++it) {
      if (pids.count(std::stoi((*it)[1])) == 0) continue;
      std::istringstream fields(text);
      std::string state, recv_q, send_q, local;
      fields >> state >> recv_q >> send_q >> local;
      out.push_back(local);
      break;
    }
  }
  ::pclose(ss);
  return out;
}

::testing::AssertionResult OnlyLoopbackListeners(
    const std::vector<std::string>& addresses) {
  if (addresses.empty()) {
    return ::testing::AssertionFailure() << "the broker listens nowhere";
  }
  for (const auto& a : addresses) {
    if (a.rfind("127.", 0) != 0 && a.rfind("[::1]:", 0) != 0) {
      return ::testing::AssertionFailure() << "listens on " << a;
    }
  }
  return ::testing::AssertionSuccess();
}

std::string ToString(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

class BrokerTest : public SystemTest {};

TEST_F(BrokerTest, PersistentMessagesSurviveASigkillOfTheBroker) {
  auto started = Clock::now();
  ASSERT_TRUE(StartSystem(BrokerSpec()));
  const auto bring_up =
      std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  std::cout << "broker bring-up: " << bring_up.count() << " ms\n";

  const int pid = runtime().Status(kBroker).pid;
  const std::set<int> processes = BrokerProcesses(pid);
  const auto listeners = ListeningAddresses(processes);
  std::cout << "broker listens on: " << ToString(listeners) << "\n";
  EXPECT_TRUE(OnlyLoopbackListeners(listeners));

  auto conn = Connect(runtime());
  EXPECT_EQ(conn->attempts(), 1);
  conn->DeclareExchange("movies");
  conn->DeclareQueue("q");
  conn->BindQueue("q", "movies", "k");
  conn->EnableConfirms();
  constexpr int kMessages = 100;
  for (int i = 0; i < kMessages; ++i) {
    conn->Publish("movies", "k",
                  mq::Encode({"client-1", "producer", std::uint64_t(i),
                              i + 1 == kMessages ? mq::MessageKind::kEof
                                                 : mq::MessageKind::kData,
                              "row " + std::to_string(i)}));
  }
  conn->WaitForConfirms(seconds(30));
  // Takes 10, acks the first 5: the other 5 go back to the queue.
  conn->Consume("q", 10);
  std::vector<mq::Delivery> taken;
  while (taken.size() < 10) {
    auto d = conn->Next(seconds(10));
    ASSERT_TRUE(d.has_value()) << "only " << taken.size() << " deliveries";
    taken.push_back(std::move(*d));
  }
  for (int i = 0; i < 5; ++i) conn->Ack(taken[i].tag);
  // An ack is asynchronous; a confirmed publish after it makes sure the
  // broker has seen it before it dies.
  conn->PublishConfirmed("", "unrouted", "sync", seconds(10));

  runtime().Kill(kBroker, SIGKILL);
  ASSERT_TRUE(WaitForExit(kBroker, seconds(10)));
  for (int p : processes) {
    const auto deadline = Clock::now() + seconds(5);
    while (Running(p) && Clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    EXPECT_FALSE(Running(p)) << "process " << p << " outlived the broker";
  }
  // Deliveries already in the socket come first (the broker refilled the
  // prefetch window after the acks); then the closed connection shows.
  bool failed = false;
  for (int i = 0; i < kMessages && !failed; ++i) {
    try {
      if (!conn->Next(seconds(5))) break;
    } catch (const mq::AmqpError& e) {
      std::cout << "after the broker died: " << e.what() << "\n";
      failed = true;
    }
  }
  EXPECT_TRUE(failed) << "the connection did not notice the broker died";
  EXPECT_FALSE(conn->healthy());
  conn.reset();

  started = Clock::now();
  runtime().Start(kBroker);
  ASSERT_TRUE(WaitForHealthy(kBroker, seconds(120)));
  std::cout << "broker restart: "
            << std::chrono::duration_cast<milliseconds>(Clock::now() - started)
                   .count()
            << " ms\n";
  EXPECT_TRUE(OnlyLoopbackListeners(
      ListeningAddresses(BrokerProcesses(runtime().Status(kBroker).pid))));

  conn = Connect(runtime());
  conn->Consume("q", 20);
  mq::DedupTracker seen;
  int received = 0;
  bool eof = false;
  while (auto d = conn->Next(seconds(3))) {
    const mq::Envelope e = mq::Decode(d->body);
    EXPECT_TRUE(seen.Mark(e.client_id, e.producer, e.sequence)) << e.Id();
    EXPECT_EQ(e.payload, "row " + std::to_string(e.sequence));
    eof = eof || e.kind == mq::MessageKind::kEof;
    ++received;
    conn->Ack(d->tag);
  }
  // Every unacked message is back. Acks are not made durable by the broker
  // before a crash, so some acked messages may come back too: that is why
  // the pipeline deduplicates.
  std::cout << "received after restart: " << received << " of " << kMessages
            << " (5 were acked before the crash)\n";
  EXPECT_GE(received, kMessages - 5);
  EXPECT_TRUE(eof);
  for (int i = 5; i < kMessages; ++i) {
    EXPECT_TRUE(seen.Seen("client-1", "producer", i)) << i;
  }
  conn->Close();
}

TEST_F(BrokerTest, TwoRunsWithBrokersDoNotCollide) {
  ASSERT_TRUE(StartSystem(BrokerSpec()));
  RuntimeOptions options;
  options.runs_root = runtime().run_dir().parent_path();
  options.bin_dirs = {BinDir()};
  options.serve_control = false;
  ProcessRuntime other(Plan(BrokerSpec()), options);
  ASSERT_NO_THROW(other.Up());

  std::set<int> first = BrokerProcesses(runtime().Status(kBroker).pid);
  std::set<int> second = BrokerProcesses(other.Status(kBroker).pid);
  const auto first_listeners = ListeningAddresses(first);
  const auto second_listeners = ListeningAddresses(second);
  EXPECT_TRUE(OnlyLoopbackListeners(first_listeners));
  EXPECT_TRUE(OnlyLoopbackListeners(second_listeners));
  for (const auto& a : first_listeners) {
    for (const auto& b : second_listeners) EXPECT_NE(a, b);
  }

  auto a = Connect(runtime());
  auto b = Connect(other);
  for (auto* conn : {a.get(), b.get()}) conn->DeclareQueue("shared-name");
  a->PublishConfirmed("", "shared-name", "from a", seconds(10));
  b->PublishConfirmed("", "shared-name", "from b", seconds(10));
  a->Consume("shared-name", 1);
  b->Consume("shared-name", 1);
  auto from_a = a->Next(seconds(10));
  auto from_b = b->Next(seconds(10));
  ASSERT_TRUE(from_a && from_b);
  EXPECT_EQ(from_a->body, "from a");
  EXPECT_EQ(from_b->body, "from b");
  EXPECT_FALSE(a->Next(milliseconds(500)));
  EXPECT_FALSE(b->Next(milliseconds(500)));
  b.reset();
  other.Down(seconds(10));
  for (int p : second) EXPECT_FALSE(Running(p)) << p;
  std::filesystem::remove_all(other.run_dir());
}

// A harness process (a fork of this test) starts the broker and is killed
// with SIGKILL: the broker, epmd and every helper are gone soon after.
TEST(BrokerOrphans, SigkillOfTheHarnessTakesTheBrokerAndEpmdWithIt) {
  const auto runs = BinDir().parent_path() / "test-runs" / "BrokerOrphans";
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t harness = ::fork();
  ASSERT_GE(harness, 0);
  if (harness == 0) {
    ::close(fds[0]);
    try {
      RuntimeOptions options;
      options.runs_root = runs;
      options.bin_dirs = {BinDir()};
      options.serve_control = false;
      ProcessRuntime runtime(Plan(BrokerSpec()), options);
      runtime.Up();
      int pid = runtime.Status(kBroker).pid;
      if (::write(fds[1], &pid, sizeof(pid)) != sizeof(pid)) ::_exit(1);
    } catch (...) {
      ::_exit(2);
    }
    ::pause();
    ::_exit(0);
  }
  ::close(fds[1]);
  int broker = 0;
  const ssize_t n = ::read(fds[0], &broker, sizeof(broker));
  ::close(fds[0]);
  if (n != sizeof(broker)) {
    ::kill(harness, SIGKILL);
    ::waitpid(harness, nullptr, 0);
    FAIL() << "the forked harness could not start the broker";
  }
  const std::set<int> processes = BrokerProcesses(broker);
  EXPECT_GE(processes.size(), 2u) << "expected the broker and its epmd";

  ASSERT_EQ(::kill(harness, SIGKILL), 0);
  ASSERT_EQ(::waitpid(harness, nullptr, 0), harness);
  const auto killed = Clock::now();
  for (int p : processes) {
    while (Running(p) && Clock::now() - killed < seconds(5)) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    EXPECT_FALSE(Running(p)) << "process " << p << " outlived the harness";
  }
  std::filesystem::remove_all(runs);
}

}  // namespace
}  // namespace chancho::testing
