// ProcessRuntime's proxied links: a replica reaches its upstream through a
// TCP fault proxy on its own address, network faults act on that link
// alone, and no child process holds the harness's sockets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <atomic>
#include <functional>

#include "harness/proxy/tcp_proxy_test_util.h"
#include "harness/runtime/process/process_runtime.h"
#include "harness/runtime/proxied_links.h"
#include "harness/runtime/run_dir.h"

namespace chancho {
namespace {

using namespace proxy_test;  // NOLINT: the shared socket helpers
using ::testing::HasSubstr;
using ::testing::Not;

// Inside the run's own loopback /24, so no other process can hold it.
constexpr int kPort = 15672;

ReplicaPlan Shell(const std::string& name, const std::string& script) {
  ReplicaPlan plan;
  plan.name = name;
  plan.service = name;
  plan.command = {"sh", "-c", script};
  plan.readiness.kind = Readiness::Kind::kLogLine;
  plan.readiness.pattern = "^ready$";
  return plan;
}

class ProxiedLinksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("chancho-links-test-" + std::to_string(::getpid()));
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<ProcessRuntime> Make(std::vector<ReplicaPlan> replicas,
                                       std::vector<ProxiedLink> links) {
    Deployment deployment;
    deployment.project = "links";
    deployment.spec_dir = root_;
    deployment.replicas = std::move(replicas);
    RuntimeOptions options;
    options.runs_root = root_;
    options.links = std::move(links);
    return std::make_unique<ProcessRuntime>(std::move(deployment), options);
  }

  std::string ErrorOf(std::vector<ProxiedLink> links) {
    try {
      Make({Shell("a", "echo ready; exec sleep 30"),
            Shell("up", "echo ready; exec sleep 30")},
           std::move(links));
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  std::filesystem::path root_;
};

// The proxy has an address of the run's /24 that no replica has, so the
// linked replica may listen on the upstream's port too.
TEST_F(ProxiedLinksTest, TheLinkedReplicaNamesItsUpstreamByTheProxysAddress) {
  auto runtime = Make({Shell("a", "echo hosts=$CHANCHO_HOSTS_FILE; echo ready; exec sleep 30"),
                       Shell("b", "echo hosts=$CHANCHO_HOSTS_FILE; echo ready; exec sleep 30"),
                       Shell("up", "echo ready; exec sleep 30")},
                      {{"a", "up", kPort}});
  runtime->Up();
  const std::string a = runtime->Status("a").address;
  const std::string up = runtime->Status("up").address;
  const auto dir = runtime->run_dir();
  EXPECT_THAT(runtime->Logs("a"), HasSubstr("hosts=" + (dir / "hosts.d" / "a").string()));
  EXPECT_THAT(runtime->Logs("b"), HasSubstr("hosts=" + (dir / "hosts").string()));
  const std::string proxy = a.substr(0, a.rfind('.')) + ".254";
  EXPECT_THAT(ReadFile(dir / "hosts.d" / "a"), HasSubstr(proxy + " up\n"));
  EXPECT_THAT(ReadFile(dir / "hosts"), HasSubstr(up + " up\n"));
  const auto links = runtime->Links();
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].replica, "a");
  EXPECT_EQ(links[0].upstream, "up");
  EXPECT_EQ(links[0].proxy_address, proxy + ":" + std::to_string(kPort));
  // The linked replica's own address keeps the upstream's port free.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor own(
      io, {boost::asio::ip::make_address_v4(a), static_cast<unsigned short>(kPort)});
  EXPECT_TRUE(own.is_open());
  EXPECT_EQ(links[0].fault, "none");
}

// The Toxiproxy-compatible API serves each link's proxy by a name of its
// own; a replica's two links to one upstream get their ports in the name.
TEST_F(ProxiedLinksTest, EachLinksProxyHasAName) {
  auto runtime = Make({Shell("a", "echo ready; exec sleep 30"),
                       Shell("b", "echo ready; exec sleep 30"),
                       Shell("up", "echo ready; exec sleep 30")},
                      {{"a", "up", kPort}, {"b", "up", kPort}, {"b", "up", kPort + 1}});
  runtime->Up();
  const auto proxies = runtime->LinkProxies();
  ASSERT_EQ(proxies.size(), 3u);
  EXPECT_EQ(proxies[0].name, "a:up");
  EXPECT_EQ(proxies[1].name, "b:up:" + std::to_string(kPort));
  EXPECT_EQ(proxies[2].name, "b:up:" + std::to_string(kPort + 1));
  EXPECT_EQ(proxies[0].upstream,
            runtime->Status("up").address + ":" + std::to_string(kPort));
  const auto links = runtime->Links();
  EXPECT_EQ(proxies[2].proxy->listen_ip() + ":" + std::to_string(proxies[2].proxy->port()),
            links[2].proxy_address);
}

TEST_F(ProxiedLinksTest, APartitionCutsTheLinkUntilItHeals) {
  auto runtime = Make({Shell("a", "echo ready; exec sleep 30"),
                       Shell("up", "echo ready; exec sleep 30")},
                      {{"a", "up", kPort}});
  runtime->Up();
  const std::string proxy_address = runtime->Links()[0].proxy_address;
  const std::string proxy = proxy_address.substr(0, proxy_address.rfind(':'));
  // The upstream's service, played by this test on the upstream's address.
  EchoServer upstream(runtime->Status("up").address.c_str(), kPort);
  Fd open = Connect(kPort, proxy);
  ASSERT_GE(open.get(), 0);
  ASSERT_TRUE(WriteAll(open.get(), "x"));
  ASSERT_EQ(ReadFor(open.get(), 1, milliseconds(5000)).data, "x");

  DirectedLinkFault partition;
  partition.fault.kind = LinkFaultKind::kPartition;
  const LinkFaultOutcome cut = runtime->SetLinkFault("a", partition);
  EXPECT_TRUE(cut.took_effect) << cut.detail;
  EXPECT_EQ(cut.connections_reset, 1);
  EXPECT_TRUE(SeesResetOrEof(open.get()));
  Fd refused = Connect(kPort, proxy);
  EXPECT_TRUE(refused.get() < 0 || SeesResetOrEof(refused.get()));
  EXPECT_EQ(runtime->Links()[0].fault, "partition");
  EXPECT_TRUE(WaitFor(
      [&] { return runtime->Links()[0].stats.connections_refused >= 1; },
      milliseconds(5000)));

  EXPECT_TRUE(runtime->SetLinkFault("a", DirectedLinkFault{}).took_effect);
  Fd healed = Connect(kPort, proxy);
  ASSERT_GE(healed.get(), 0);
  ASSERT_TRUE(WriteAll(healed.get(), "y"));
  EXPECT_EQ(ReadFor(healed.get(), 1, milliseconds(5000)).data, "y");
}

// A replica with links to two upstreams: upstream= narrows a fault to one.
TEST_F(ProxiedLinksTest, AFaultNamingAnUpstreamActsOnThatLinkAlone) {
  auto runtime = Make({Shell("a", "echo ready; exec sleep 30"),
                       Shell("up", "echo ready; exec sleep 30"),
                       Shell("db", "echo ready; exec sleep 30")},
                      {{"a", "up", kPort}, {"a", "db", kPort + 1}});
  runtime->Up();
  const DirectedLinkFault to_db = ParseLinkFault("blackhole upstream=db");
  const LinkFaultOutcome outcome = runtime->SetLinkFault("a", to_db);
  EXPECT_TRUE(outcome.took_effect) << outcome.detail;
  const auto links = runtime->Links();
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].fault, "none");
  EXPECT_EQ(links[1].fault, "blackhole upstream=db");
  EXPECT_EQ(runtime->LinkProxies()[0].proxy->Toxics().size(), 0u);
  EXPECT_EQ(runtime->LinkProxies()[1].proxy->Toxics().size(), 2u) << "both ways";

  EXPECT_TRUE(runtime->SetLinkFault("a", ParseLinkFault("delay delay=5")).took_effect);
  EXPECT_EQ(runtime->Links()[0].fault, "delay delay=5");
  EXPECT_EQ(runtime->Links()[1].fault, "delay delay=5") << "no upstream: every link";
  try {
    runtime->SetLinkFault("a", ParseLinkFault("partition upstream=nowhere"));
    ADD_FAILURE() << "a link to nowhere took a fault";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("has no proxied link to nowhere"));
  }
}

TEST_F(ProxiedLinksTest, OnlyProxiedReplicasTakeLinkFaults) {
  auto runtime = Make({Shell("a", "echo ready; exec sleep 30"),
                       Shell("up", "echo ready; exec sleep 30")},
                      {{"a", "up", kPort}});
  DirectedLinkFault partition;
  partition.fault.kind = LinkFaultKind::kPartition;
  EXPECT_THROW(
      {
        try {
          runtime->SetLinkFault("up", partition);
        } catch (const Error& e) {
          EXPECT_THAT(e.what(), HasSubstr("up has no proxied link (proxied: a)"));
          throw;
        }
      },
      Error);
  EXPECT_THROW(runtime->SetLinkFault("nobody", partition), Error);
}

// A placement with a lookup and a maker (a Swarm's): the proxy is made
// through the maker, each connection goes to the address the lookup gives
// then, and the API shows the upstream by its name.
TEST(ProxiedLinksPlacementTest, ALookedUpUpstreamAndAMaker) {
  Deployment deployment;
  deployment.project = "links";
  for (const char* name : {"a", "up"}) {
    ReplicaPlan plan;
    plan.name = name;
    plan.service = name;
    deployment.replicas.push_back(plan);
  }
  // The proxy listens at the upstream's port, on another address.
  EchoServer echo("127.0.0.2");
  int made = 0;
  std::atomic<int> asked{0};
  ProxiedLinks links(
      {{"a", "up", echo.port()}}, deployment,
      [&](const ProxiedLink&, const std::string& upstream, std::size_t) {
        EXPECT_EQ(upstream, "up");
        ProxyPlacement placement;
        placement.listen_ip = "127.0.0.3";
        placement.upstream_lookup = [&] {
          ++asked;
          return std::string("127.0.0.2");
        };
        placement.make_in = [&](const std::function<void()>& make) {
          ++made;
          make();
        };
        return placement;
      },
      7);
  EXPECT_EQ(made, 1);
  const auto proxies = links.Proxies();
  ASSERT_EQ(proxies.size(), 1u);
  EXPECT_EQ(proxies[0].upstream, "up:" + std::to_string(echo.port()));
  ASSERT_NE(proxies[0].proxy, nullptr);
  Fd fd = Connect(proxies[0].proxy->port(), "127.0.0.3");
  ASSERT_GE(fd.get(), 0);
  ASSERT_TRUE(WriteAll(fd.get(), "ping"));
  EXPECT_EQ(ReadFor(fd.get(), 4, milliseconds(5000)).data, "ping");
  EXPECT_EQ(asked.load(), 1);
}

TEST_F(ProxiedLinksTest, ABadLinkIsRefusedWithItsName) {
  EXPECT_THAT(ErrorOf({{"x", "up", kPort}}),
              HasSubstr("link x -> up:15672: no replica named \"x\""));
  EXPECT_THAT(ErrorOf({{"a", "nowhere", kPort}}),
              HasSubstr("the upstream must name exactly one replica"));
  EXPECT_THAT(ErrorOf({{"a", "a", kPort}}), HasSubstr("its own upstream"));
  EXPECT_THAT(ErrorOf({{"a", "up", 0}}), HasSubstr("port must be 1..65535"));
  EXPECT_THAT(ErrorOf({{"a", "up", kPort}, {"a", "up", kPort}}),
              HasSubstr("already has a proxied link on port 15672"));
}

TEST_F(ProxiedLinksTest, ChildrenHoldNoneOfTheHarnesssDescriptors) {
  // The runtime holds a control socket, a proxy's listening socket and the
  // log files of other replicas when it spawns this one.
  auto runtime = Make({Shell("up", "echo ready; exec sleep 30"),
                       // The list goes through a file: a pipe would add fds.
                       Shell("a", "ls -l /proc/$$/fd > a.fds; cat a.fds; "
                                  "echo ready; exec sleep 30")},
                      {{"a", "up", kPort}});
  runtime->Up();
  const std::string fds = runtime->Logs("a");
  ASSERT_THAT(fds, HasSubstr("a.log")) << "the listing ran";
  EXPECT_THAT(fds, Not(HasSubstr("socket:"))) << fds;
  EXPECT_THAT(fds, Not(HasSubstr("up.log"))) << fds;
}

}  // namespace
}  // namespace chancho
