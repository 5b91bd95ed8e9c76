// The kv cluster under Chancho: on processes (the address shim runs the
// unmodified Python service) and in containers.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "fixtures/docker_support.h"
#include "fixtures/system_test.h"
#include "harness/compare/compare.h"
#include "harness/spec/spec.h"

namespace {

namespace fs = std::filesystem;
using chancho::RunRecord;
using chancho::testing::AllRuntimes;
using chancho::testing::RuntimeParamName;
using std::chrono::seconds;

const fs::path kProject = KV_PROJECT_DIR;

class KvTest : public chancho::testing::SystemTestP {
 protected:
  // Skip (or fail when CI=true) without the image.
  std::optional<std::string> DockerMissing() const override {
    if (const auto& why = chancho::testing::DockerUnavailable()) return why;
    return chancho::testing::ImagesMissing({"kv-cluster/kv:latest"});
  }
};

// No fault: every key written is read back from both followers.
TEST_P(KvTest, ClientReadsBackEveryKeyFromBothFollowers) {
  ASSERT_TRUE(StartSystem(chancho::LoadSpec(kProject / "compose-spec.json")));
  ASSERT_TRUE(WaitForExit("client", seconds(120), 0)) << LogTails(20);
  const auto comparison = chancho::CompareDirs(
      runtime().run_dir() / "results", kProject / "known-good");
  EXPECT_TRUE(comparison.AllMatch());
  EXPECT_EQ(comparison.files.size(), 2u);
}

// The leader is killed and started again mid-write, and a follower is cut
// off from it through the fault proxy mid-write: no acknowledged write is
// lost, and both followers catch up.
TEST_P(KvTest, SurvivesALeaderCrashAndAPartition) {
  const RunRecord record =
      RunScenario(kProject / "scenarios" / "crash-and-partition.json");
  EXPECT_TRUE(chancho::testing::ScenarioPassed(record));
  EXPECT_TRUE(chancho::testing::FaultsTookEffect(record, 3));
  EXPECT_TRUE(chancho::testing::FaultsLandedMidWork(record, true));
  EXPECT_TRUE(chancho::testing::Revived(record, 1));
}

INSTANTIATE_TEST_SUITE_P(Runtimes, KvTest, AllRuntimes(), RuntimeParamName);

// The project's own docker-compose.yaml, run as it is, through a leader
// crash and a partition of a follower from the leader (through the proxy
// on the network Chancho adds): what the client read back still matches.
class KvComposeTest : public chancho::testing::SystemTest {
 protected:
  chancho::RuntimeKind runtime_kind() const override {
    return chancho::RuntimeKind::kDocker;
  }
  std::optional<std::string> DockerMissing() const override {
    if (const auto& why = chancho::testing::DockerUnavailable()) return why;
    return chancho::testing::ImagesMissing({"kv-cluster/kv:latest"});
  }
};

TEST_F(KvComposeTest, SurvivesACrashAndAPartitionFromItsOwnComposeFile) {
  const RunRecord record =
      RunScenario(kProject / "scenarios" / "crash-compose.json");
  EXPECT_TRUE(chancho::testing::ScenarioPassed(record));
  EXPECT_TRUE(chancho::testing::FaultsTookEffect(record, 3));
  EXPECT_TRUE(chancho::testing::FaultsLandedMidWork(record, true));
  EXPECT_TRUE(chancho::testing::Revived(record, 1));
}

}  // namespace
