#include "harness/runtime/docker/docker_leftovers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace chancho {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

LabelledObject Owned(std::string id, std::string host, std::string pid,
                     std::string start = "") {
  LabelledObject object{std::move(id), {{kRunLabel, "run"}}};
  object.labels[kOwnerHostLabel] = std::move(host);
  object.labels[kOwnerPidLabel] = std::move(pid);
  if (!start.empty()) object.labels[kOwnerStartLabel] = std::move(start);
  return object;
}

TEST(SelectLeftoversTest, OnlyThoseOfADeadOwnerOnThisHost) {
  const auto alive = [](int pid, const std::string& start) {
    return pid == 100 && (start.empty() || start == "555");
  };
  const std::vector<LabelledObject> objects = {
      Owned("live", "here", "100", "555"),
      Owned("dead", "here", "200"),
      Owned("reused-pid", "here", "100", "999"),
      Owned("elsewhere", "there", "200"),
      Owned("garbage-pid", "here", "x"),
      {"no-owner", {{"com.chancho.project", "tp0"}}},
  };
  EXPECT_THAT(SelectLeftovers(objects, "here", alive),
              ElementsAre("dead", "reused-pid", "garbage-pid"));
}

TEST(SelectLeftoversTest, NoHostLabelIsNotOurs) {
  LabelledObject object{"x", {{kOwnerPidLabel, "200"}}};
  EXPECT_THAT(SelectLeftovers({object}, "here",
                              [](int, const std::string&) { return false; }),
              IsEmpty());
}

TEST(OwnerLabelsTest, ThisProcessIsAlive) {
  const auto labels = OwnerLabels("r1");
  EXPECT_EQ(labels.at(kRunLabel), "r1");
  EXPECT_EQ(labels.at(kOwnerHostLabel), HostName());
  EXPECT_EQ(labels.at(kOwnerPidLabel), std::to_string(::getpid()));
  EXPECT_FALSE(labels.at(kOwnerStartLabel).empty());
  EXPECT_TRUE(ProcessAlive(::getpid(), labels.at(kOwnerStartLabel)));
  EXPECT_FALSE(ProcessAlive(::getpid(), "1"));
  EXPECT_FALSE(ProcessAlive(0, ""));
  std::vector<LabelledObject> mine = {{"mine", labels}};
  EXPECT_THAT(SelectLeftovers(mine, HostName(), ProcessAlive), IsEmpty());
}

TEST(ParseLabelLinesTest, AnIdAndItsLabelsPerLine) {
  const auto objects = ParseLabelLines(
      "s1 com.chancho.run=r1 com.chancho.owner-pid=42\n"
      "\n"
      "s2\n"
      "s3 stray a=b=c\n");
  ASSERT_THAT(objects, SizeIs(3));
  EXPECT_EQ(objects[0].id, "s1");
  EXPECT_EQ(objects[0].labels,
            (std::map<std::string, std::string>{
                {"com.chancho.run", "r1"}, {"com.chancho.owner-pid", "42"}}));
  EXPECT_EQ(objects[1].id, "s2");
  EXPECT_THAT(objects[1].labels, IsEmpty());
  // A word without "=" is skipped; a value keeps its own "=".
  EXPECT_EQ(objects[2].labels,
            (std::map<std::string, std::string>{{"a", "b=c"}}));
  EXPECT_THAT(ParseLabelLines(""), IsEmpty());
}

// A stand-in for the docker CLI: a shell script in a directory of its own.
class FakeDockerFixture : public ::testing::Test {
 protected:
  void Write(const std::string& name, const std::string& script) {
    dir_ = std::filesystem::temp_directory_path() /
           (name + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "docker") << script;
    std::filesystem::permissions(dir_ / "docker",
                                 std::filesystem::perms::owner_all);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string docker() const { return (dir_ / "docker").string(); }

  std::filesystem::path dir_;
};

// Three leftover networks of a dead owner: the engine removes the first,
// refuses the second (an endpoint it still counts) and no longer has the
// third (another reaper took it).
class FakeDockerTest : public FakeDockerFixture {
 protected:
  void SetUp() override {
    const std::string labels = "{\"" + std::string(kOwnerHostLabel) +
                               "\": \"" + HostName() + "\", \"" +
                               kOwnerPidLabel + "\": \"2147483647\"}";
    Write("chancho-fake-docker", R"(#!/bin/sh
case "$1 $2" in
  "ps -aq") exit 0 ;;
  "network ls") printf 'n1\nn2\nn3\n' ;;
  "network inspect")
    printf '['
    sep=
    for id in n1 n2 n3; do
      printf '%s{"Id": "%s", "Name": "%s", "Labels": )" +
                                     labels + R"(}' "$sep" $id $id
      sep=,
    done
    printf ']' ;;
  "network rm")
    case "$3" in
      n1) echo "$3" ;;
      n2) echo "Error response from daemon: network $3 has active endpoints" >&2; exit 1 ;;
      *) echo "Error response from daemon: network $3 not found" >&2; exit 1 ;;
    esac ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
)");
  }
};

TEST_F(FakeDockerTest, AStuckNetworkIsReportedAndTheOthersAreStillRemoved) {
  const ReapResult reaped = ReapDockerLeftovers(docker());
  EXPECT_EQ(reaped.removed, 1);
  ASSERT_THAT(reaped.failures, SizeIs(1));
  EXPECT_THAT(reaped.failures[0], HasSubstr("network rm n2"));
  EXPECT_THAT(reaped.failures[0], HasSubstr("active endpoints"));
}

// Three leftover containers of a dead owner, removed in one call; when the
// engine refuses one (so the call fails), each is tried alone: c1 goes, c2
// is refused, and c3 was already gone.
TEST_F(FakeDockerFixture, ContainersGoInOneCallAndOneByOneWhenItFails) {
  const std::string labels = "{\"" + std::string(kOwnerHostLabel) + "\": \"" + HostName() +
                             "\", \"" + kOwnerPidLabel + "\": \"2147483647\"}";
  Write("chancho-fake-containers", R"(#!/bin/sh
case "$1 $2" in
  "ps -aq") printf 'c1\nc2\nc3\n' ;;
  "inspect --type")
    printf '['
    sep=
    for id in c1 c2 c3; do
      printf '%s{"Id": "%s", "Name": "/%s", "State": {"Status": "exited", "Pid": 0, "ExitCode": 0}, "Config": {"Labels": )" +
                                     labels + R"(}}' "$sep" $id $id
      sep=,
    done
    printf ']' ;;
  "rm -f")
    shift 3
    if [ $# -gt 1 ]; then echo "Error response from daemon: removal of container c2 is already in progress" >&2; exit 1; fi
    case "$1" in
      c1) echo c1 ;;
      c2) echo "Error response from daemon: removal of container c2 is already in progress" >&2; exit 1 ;;
      *) echo "Error: No such container: $1" >&2; exit 1 ;;
    esac ;;
  "network ls") exit 0 ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
)");
  const ReapResult reaped = ReapDockerLeftovers(docker());
  EXPECT_EQ(reaped.removed, 2);
  ASSERT_THAT(reaped.failures, SizeIs(1));
  EXPECT_THAT(reaped.failures[0], HasSubstr("rm -f -v c2"));
}

// Four networks: "free" is removed, "gone" no longer exists, and the
// engine refuses "held" and "busy" for active endpoints, although it lists
// nothing attached to "held" and one container on "busy".
class FakeNetworksTest : public FakeDockerFixture {
 protected:
  void SetUp() override {
    Write("chancho-fake-networks", R"(#!/bin/sh
case "$1 $2 $3" in
  "network rm free") echo free ;;
  "network rm gone") echo "Error response from daemon: network gone not found" >&2; exit 1 ;;
  "network rm held"|"network rm busy")
    echo "Error response from daemon: error while removing network: network $3 id 0123456789abcdef has active endpoints" >&2
    exit 1 ;;
  "network inspect held")
    echo '[{"Name": "run_net", "Id": "0123456789abcdef", "Containers": {}}]' ;;
  "network inspect busy")
    echo '[{"Name": "busy_net", "Id": "fedcba9876543210", "Containers": {"c1": {"Name": "x"}}}]' ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
)");
  }
};

TEST_F(FakeNetworksTest, ANetworkWithNothingAttachedIsHeldByTheEngine) {
  const NetworkRemoval removal = RemoveNetworks(
      docker(), {"free", "gone", "held", "busy"}, std::chrono::seconds(10));
  EXPECT_EQ(removal.removed, 1);
  EXPECT_THAT(removal.held, ElementsAre("run_net (0123456789ab)"));
  ASSERT_THAT(removal.failures, SizeIs(1));
  EXPECT_THAT(removal.failures[0], HasSubstr("network rm busy"));
  EXPECT_THAT(removal.failures[0], HasSubstr("active endpoints"));
  EXPECT_THAT(HeldNetworkMessage(removal.held[0]),
              AllOf(HasSubstr("run_net (0123456789ab)"),
                    HasSubstr("none is attached"), HasSubstr("restarted")));
}

}  // namespace
}  // namespace chancho
