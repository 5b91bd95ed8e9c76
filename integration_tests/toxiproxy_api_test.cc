// `chancho up --api`: the official Toxiproxy Node client
// (toxiproxy-node-client, integration_tests/toxiproxy) drives the run's
// Toxiproxy-compatible API, on proxies it makes and on the run's own link
// while a tp0 client sends through it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "integration_tests/cli_support.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

using ::testing::HasSubstr;

class ToxiproxyApiTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    const auto client = SourceDir() / "integration_tests/toxiproxy/node_modules/"
                                      "toxiproxy-node-client/package.json";
    ASSERT_TRUE(std::filesystem::exists(client))
        << "toxiproxy-node-client is not installed: run ci/install-deps.sh "
           "(it runs npm ci in integration_tests/toxiproxy)";
    // tp0 clients that keep sending while the test runs (a message every
    // 100 ms, far more than it needs).
    std::filesystem::create_directories(dir_ / "tp0/server");
    std::filesystem::create_directories(dir_ / "tp0/client");
    std::filesystem::copy_file(SourceDir() / "system/tp0/server/config.ini",
                               dir_ / "tp0/server/config.ini");
    std::ofstream(dir_ / "tp0/client/config.yaml")
        << "server:\n  address: \"server:12345\"\nloop:\n  amount: 100000\n"
           "  period: \"100ms\"\nlog:\n  level: INFO\n";
  }

  CommandResult Node(const std::string& args) {
    return RunShell("node '" +
                        (SourceDir() / "integration_tests/toxiproxy/client_test.js")
                            .string() +
                        "' " + args,
                    dir_, 60);
  }

  // The receive_message outcomes ("success" or "fail") client1 logged.
  std::vector<std::string> Outcomes() {
    std::vector<std::string> out;
    for (const auto& run :
         std::filesystem::directory_iterator(dir_ / ".chancho/runs")) {
      std::ifstream in(run.path() / "logs/client1.log");
      static const std::regex kOutcome("action: receive_message \\| result: (\\w+)");
      for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (std::regex_search(line, m, kOutcome)) out.push_back(m[1]);
      }
    }
    return out;
  }

  // Waits (at most 30 s) for client1 to log `outcome` after its first
  // `after` outcomes; returns how many it has logged then.
  std::size_t WaitForOutcome(const std::string& outcome, std::size_t after) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      const auto seen = Outcomes();
      for (std::size_t i = after; i < seen.size(); ++i) {
        if (seen[i] == outcome) return seen.size();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "client1 logged no " << outcome << " after its first " << after
                  << " outcomes";
    return 0;
  }
};

TEST_F(ToxiproxyApiTest, TheNodeClientDrivesProxiesAndTheRunsLink) {
  const auto up = RunChancho(
      "up tp0 --clients 2 --detach --tp0-dir tp0 --link client1=server:12345 "
      "--api 127.0.0.1:0",
      dir_, 120);
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(up.out, m, std::regex("Toxiproxy API: (http://[0-9.:]+)")))
      << up.out;
  const std::string url = m[1];

  const auto client = Node(url + " client");
  EXPECT_EQ(client.exit_code, 0) << client.out << client.err;
  for (const char* step : {"version", "create", "create-conflict", "add-toxic",
                           "update-toxic", "remove-toxic", "disable-reset",
                           "populate", "remove-proxy"}) {
    EXPECT_THAT(client.out, HasSubstr(std::string("ok ") + step + "\n"));
  }

  // client1 is getting its echoes through the link; a toxic that closes
  // the link at its first byte makes it fail, and the reset heals it.
  const std::size_t before = WaitForOutcome("success", 0);
  const auto cut = Node(url + " cut client1:server");
  ASSERT_EQ(cut.exit_code, 0) << cut.out << cut.err;
  const std::size_t failed = WaitForOutcome("fail", before);
  const auto reset = Node(url + " reset");
  ASSERT_EQ(reset.exit_code, 0) << reset.out << reset.err;
  EXPECT_GT(WaitForOutcome("success", failed), failed);

  const auto down = RunChancho("down", dir_, 60);
  EXPECT_EQ(down.exit_code, 0) << down.err;
  for (const auto& run : std::filesystem::directory_iterator(dir_ / ".chancho/runs")) {
    EXPECT_FALSE(std::filesystem::exists(run.path() / "api"))
        << "the API's address goes with the run";
  }
}

TEST_F(ToxiproxyApiTest, AnApiOffLoopbackNeedsItsFlag) {
  const auto r = RunChancho("up tp0 --api 0.0.0.0:8474", dir_, 30);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--api-any-address"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".chancho/runs"))
      << "refused before anything started";
  const auto bad = RunChancho("up tp0 --api 127.0.0.1", dir_, 30);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("ADDRESS:PORT"));
}

}  // namespace
}  // namespace chancho::testing
