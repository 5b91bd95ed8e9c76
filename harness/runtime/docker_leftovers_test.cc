#include "harness/runtime/docker_leftovers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace chancho {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

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

}  // namespace
}  // namespace chancho
