#include "harness/runtime/docker/docker_cli.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chancho {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;

TEST(ComposeProjectNameTest, LowerCaseLettersDigitsDashes) {
  EXPECT_EQ(ComposeProjectName("tp0", "20261124T040512Z-3fa9c1"),
            "tp0-20261124t040512z-3fa9c1");
  EXPECT_EQ(ComposeProjectName("My Movies!", "X-1"), "mymovies-x-1");
}

TEST(ComposeProjectNameTest, StartsWithALetterOrDigit) {
  EXPECT_EQ(ComposeProjectName("__x", "1"), "x-1");
  EXPECT_EQ(ComposeProjectName("", ""), "chancho");
  EXPECT_EQ(ComposeProjectName("", "Run"), "run");
}

TEST(ComposeNetworkNameTest, ProjectUnderscoreNetwork) {
  EXPECT_EQ(ComposeNetworkName("tp0-x", "testing_net"), "tp0-x_testing_net");
}

TEST(ComposeArgsTest, ProjectAndFilesBeforeTheSubcommand) {
  EXPECT_THAT(ComposeArgs({"docker", "compose"}, "p", {"/r/dc.yaml"},
                          {"up", "--no-start"}),
              ElementsAre("docker", "compose", "-p", "p", "-f", "/r/dc.yaml",
                          "up", "--no-start"));
  EXPECT_THAT(ComposeArgs({"docker-compose"}, "p", {"f", "o"}, {"down"}),
              ElementsAre("docker-compose", "-p", "p", "-f", "f", "-f", "o",
                          "down"));
}

TEST(ComposeContainerNameTest, AsEachComposeVersionNamesThem) {
  EXPECT_EQ(ComposeContainerName({"docker", "compose"}, "p1", "web", 2), "p1-web-2");
  EXPECT_EQ(ComposeContainerName({"docker-compose"}, "p1", "web", 2), "p1_web_2");
}

TEST(StopSecondsTest, RoundsUp) {
  EXPECT_EQ(StopSeconds(milliseconds(0)), 0);
  EXPECT_EQ(StopSeconds(milliseconds(-5)), 0);
  EXPECT_EQ(StopSeconds(milliseconds(1)), 1);
  EXPECT_EQ(StopSeconds(milliseconds(1000)), 1);
  EXPECT_EQ(StopSeconds(milliseconds(1001)), 2);
}

TEST(ProbeRunArgsTest, RemovedLabelledInTheNetwork) {
  EXPECT_THAT(
      ProbeRunArgs("docker", "p-probe-1", "p_net", {"a=1", "b=2"},
                   "chancho/probe:latest", "server", 12345, "hi there",
                   milliseconds(2500)),
      ElementsAre("docker", "run", "--rm", "--name", "p-probe-1", "--network",
                  "p_net", "--label", "a=1", "--label", "b=2",
                  "chancho/probe:latest", "server", "12345", "hi there", "3"));
  EXPECT_EQ(
      ProbeRunArgs("d", "c", "n", {}, "i", "h", 1, "m", milliseconds(0)).back(),
      "1");
}

TEST(SubnetsOverlapTest, Ipv4Blocks) {
  EXPECT_TRUE(SubnetsOverlap("172.25.3.0/24", "172.25.3.0/24"));
  EXPECT_TRUE(SubnetsOverlap("172.25.3.0/24", "172.16.0.0/12"));
  EXPECT_TRUE(SubnetsOverlap("172.16.0.0/12", "172.25.3.128/25"));
  EXPECT_FALSE(SubnetsOverlap("172.25.3.0/24", "172.25.4.0/24"));
  EXPECT_FALSE(SubnetsOverlap("172.25.3.0/24", "172.17.0.0/16"));
  EXPECT_TRUE(SubnetsOverlap("0.0.0.0/0", "10.0.0.0/8"));
}

TEST(SubnetsOverlapTest, NotIpv4NeverOverlaps) {
  EXPECT_FALSE(SubnetsOverlap("fd00::/64", "172.25.3.0/24"));
  EXPECT_FALSE(SubnetsOverlap("172.25.3.0", "172.25.3.0/24"));
  EXPECT_FALSE(SubnetsOverlap("172.25.3.0/33", "172.25.3.0/24"));
}

TEST(ChooseSubnetTest, AvoidsUsedBlocks) {
  std::mt19937_64 random(7);
  std::vector<std::string> used = {"172.17.0.0/16", "172.25.0.0/17"};
  for (int i = 0; i < 200; ++i) {
    const auto subnet = ChooseSubnet(used, random);
    ASSERT_TRUE(subnet.has_value());
    for (const auto& u : used)
      EXPECT_FALSE(SubnetsOverlap(*subnet, u)) << *subnet;
    used.push_back(*subnet);
  }
}

TEST(ChooseSubnetTest, NoneLeft) {
  std::mt19937_64 random(7);
  EXPECT_FALSE(ChooseSubnet({"172.16.0.0/12"}, random).has_value());
}

TEST(ChooseSubnetTest, SameSeedSameChoice) {
  std::mt19937_64 a(42), b(42);
  EXPECT_EQ(ChooseSubnet({}, a), ChooseSubnet({}, b));
}

}  // namespace
}  // namespace chancho
