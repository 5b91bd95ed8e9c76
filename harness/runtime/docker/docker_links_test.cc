#include "harness/runtime/docker/docker_links.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/error.h"

namespace chancho {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST(PlanDockerLinksTest, UpstreamsFixedHighProxiesFromTheTopEngineBelow) {
  const std::vector<ProxiedLink> links = {{"filter-1", "rabbitmq", 5672},
                                          {"filter-2", "rabbitmq", 5672},
                                          {"client-1", "server", 12345}};
  const DockerLinkLayout layout = PlanDockerLinks(
      links, {"rabbitmq", "rabbitmq", "server"}, "172.25.9.0/24");
  EXPECT_EQ(layout.gateway, "172.25.9.1");
  EXPECT_EQ(layout.ip_range, "172.25.9.0/25");
  EXPECT_THAT(layout.upstream_addresses,
              UnorderedElementsAre(Pair("rabbitmq", "172.25.9.128"),
                                   Pair("server", "172.25.9.129")));
  EXPECT_THAT(layout.proxy_addresses,
              ElementsAre("172.25.9.254", "172.25.9.253", "172.25.9.252"));
  EXPECT_THAT(
      layout.extra_hosts,
      UnorderedElementsAre(
          Pair("filter-1", ElementsAre(Pair("rabbitmq", "172.25.9.254"))),
          Pair("filter-2", ElementsAre(Pair("rabbitmq", "172.25.9.253"))),
          Pair("client-1", ElementsAre(Pair("server", "172.25.9.252")))));
}

TEST(PlanDockerLinksTest, NeedsAnIpv4Slash24) {
  for (const char* subnet :
       {"172.25.9.0/16", "172.25.9.0", "fd00::/64", "172.25.9.5/24", "x/24"}) {
    SCOPED_TRACE(subnet);
    try {
      PlanDockerLinks({{"a", "b", 1}}, {"b"}, subnet);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr("IPv4 /24"));
    }
  }
}

TEST(PlanDockerLinksTest, AtMostSixtyLinks) {
  std::vector<ProxiedLink> links(61, ProxiedLink{"a", "b", 1});
  std::vector<std::string> upstreams(61, "b");
  EXPECT_THROW(PlanDockerLinks(links, upstreams, "10.0.0.0/24"), Error);
  links.pop_back();
  upstreams.pop_back();
  EXPECT_EQ(PlanDockerLinks(links, upstreams, "10.0.0.0/24")
                .proxy_addresses.back(),
            "10.0.0.195");
}

TEST(InterfaceWithAddressTest, FindsLoopbackAndNothingForAStranger) {
  EXPECT_EQ(InterfaceWithAddress("127.0.0.1"), "lo");
  EXPECT_EQ(InterfaceWithAddress("203.0.113.77"), "");
  EXPECT_EQ(InterfaceWithAddress("not an address"), "");
}

}  // namespace
}  // namespace chancho
