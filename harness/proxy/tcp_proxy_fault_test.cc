// The TCP fault proxy's blackhole, reset and partition, healing, and its
// behaviour when either end goes away.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>

#include "harness/proxy/tcp_proxy_test_util.h"

namespace chancho {
namespace {

using namespace proxy_test;  // NOLINT: the shared test helpers

TEST_F(TcpProxyTest, BlackholeDropsUntilHealedAndKeepsTheConnection) {
  Fd fd = Echoing();
  const LinkFaultOutcome outcome = proxy_.SetFault(
      Direction::kClientToServer, {.kind = LinkFaultKind::kBlackhole});
  EXPECT_TRUE(outcome.took_effect) << outcome.detail;
  ASSERT_TRUE(WriteAll(fd.get(), "lost"));
  const ReadResult silent = ReadFor(fd.get(), 1, milliseconds(300));
  EXPECT_TRUE(silent.timed_out);
  EXPECT_TRUE(silent.data.empty());
  EXPECT_TRUE(WaitFor([&] { return proxy_.Stats().bytes_dropped == 4; },
                      milliseconds(5000)));

  EXPECT_TRUE(proxy_.Heal().took_effect);
  ASSERT_TRUE(WriteAll(fd.get(), "back"));
  EXPECT_EQ(ReadFor(fd.get(), 4, milliseconds(5000)).data, "back")
      << "blackholed bytes are not replayed";
  EXPECT_EQ(proxy_.Stats().connections_accepted, 1u);
}

TEST_F(TcpProxyTest, BlackholeServerToClient) {
  Fd fd = Echoing();
  proxy_.SetFault(Direction::kServerToClient,
                  {.kind = LinkFaultKind::kBlackhole});
  ASSERT_TRUE(WriteAll(fd.get(), "abc"));
  EXPECT_TRUE(ReadFor(fd.get(), 1, milliseconds(300)).timed_out);
  EXPECT_TRUE(WaitFor(
      [&] {
        const TcpProxyStats s = proxy_.Stats();
        return s.bytes_client_to_server == 4 && s.bytes_dropped == 3;
      },
      milliseconds(5000)));
}

// A close is held back like the data, and passed on by the heal, which
// here ends the connection while the proxy walks its connections.
TEST_F(TcpProxyTest, BlackholeHoldsTheCloseUntilHealed) {
  Fd fd = Echoing();
  proxy_.SetFault(Direction::kServerToClient,
                  {.kind = LinkFaultKind::kBlackhole});
  ASSERT_TRUE(WriteAll(fd.get(), "abc"));
  ::shutdown(fd.get(), SHUT_WR);  // the echo server answers, then closes
  EXPECT_TRUE(WaitFor([&] { return proxy_.Stats().bytes_dropped == 3; },
                      milliseconds(5000)));
  EXPECT_TRUE(ReadFor(fd.get(), 1, milliseconds(200)).timed_out)
      << "neither the echo nor the close came through";
  EXPECT_TRUE(proxy_.Heal().took_effect);
  const ReadResult r = ReadFor(fd.get(), 1, milliseconds(5000));
  EXPECT_TRUE(r.eof);
  EXPECT_TRUE(r.data.empty());
  EXPECT_TRUE(WaitFor([&] { return proxy_.Stats().connections_active == 0; },
                      milliseconds(5000)));
}


TEST_F(TcpProxyTest, ResetEndsActiveAndNewConnections) {
  Fd first = Echoing();
  Fd second = Echoing();
  const LinkFaultOutcome outcome =
      proxy_.SetFault(Direction::kBoth, {.kind = LinkFaultKind::kReset});
  EXPECT_TRUE(outcome.took_effect) << outcome.detail;
  EXPECT_EQ(outcome.connections_reset, 2);
  EXPECT_TRUE(SeesResetOrEof(first.get()));
  const ReadResult r = ReadFor(second.get(), 1, milliseconds(5000));
  EXPECT_EQ(r.error, ECONNRESET) << "SO_LINGER 0: an RST, not a FIN";

  Fd late = Connect(proxy_.port());
  ASSERT_GE(late.get(), 0) << "accepted, then reset";
  EXPECT_TRUE(SeesResetOrEof(late.get()));
  EXPECT_TRUE(WaitFor([&] { return proxy_.Stats().connections_reset == 3; },
                      milliseconds(5000)));
  EXPECT_EQ(proxy_.Stats().connections_active, 0u);

  proxy_.Heal();
  Fd healed = Echoing();
  EXPECT_EQ(proxy_.Stats().connections_active, 1u);
}

TEST_F(TcpProxyTest, PartitionRefusesNewConnectionsAndCountsThem) {
  Fd active = Echoing();
  const LinkFaultOutcome outcome =
      proxy_.SetFault(Direction::kBoth, {.kind = LinkFaultKind::kPartition});
  EXPECT_TRUE(outcome.took_effect) << outcome.detail;
  EXPECT_EQ(outcome.connections_reset, 1);
  EXPECT_TRUE(SeesResetOrEof(active.get()));

  for (int i = 0; i < 3; ++i) {
    Fd fd = Connect(proxy_.port());
    if (fd.get() < 0) continue;  // refused at connect: fine too
    EXPECT_FALSE(PingPong(fd.get(), milliseconds(2000)));
  }
  EXPECT_TRUE(WaitFor([&] { return proxy_.Stats().connections_refused == 3; },
                      milliseconds(5000)));
  EXPECT_EQ(proxy_.Stats().connections_accepted, 1u);

  EXPECT_TRUE(proxy_.Heal().took_effect);
  Fd healed = Echoing();
}

TEST_F(TcpProxyTest, FaultHealsItselfAfterItsDuration) {
  const auto start = Clock::now();
  proxy_.SetFault(Direction::kBoth, {.kind = LinkFaultKind::kPartition,
                                     .duration = milliseconds(200)});
  Fd active;
  while (Clock::now() - start < milliseconds(5000)) {
    active = Connect(proxy_.port());
    if (active.get() >= 0 && PingPong(active.get(), milliseconds(1000))) break;
    active.Close();
  }
  ASSERT_GE(active.get(), 0) << "still partitioned after 5 s";
  EXPECT_GE(Clock::now() - start, milliseconds(200));

  proxy_.SetFault(
      Direction::kClientToServer,
      {.kind = LinkFaultKind::kBlackhole, .duration = milliseconds(100)});
  // Pings are dropped until the duration ends; then they come back again.
  EXPECT_TRUE(WaitFor(
      [&] { return PingPong(active.get(), milliseconds(20)).has_value(); },
      milliseconds(5000)));
  EXPECT_GT(proxy_.Stats().bytes_dropped, 0u);
}

TEST_F(TcpProxyTest, ClientResetEndsTheConnection) {
  Fd fd = Echoing();
  const linger abrupt{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &abrupt, sizeof(abrupt));
  fd.Close();  // RST
  EXPECT_TRUE(WaitFor([&] { return proxy_.Stats().connections_active == 0; },
                      milliseconds(5000)));
  Fd next = Echoing();  // the proxy goes on
}

TEST_F(TcpProxyTest, UpstreamDownResetsTheClient) {
  TcpProxyOptions options = Options();
  {
    EchoServer gone;
    options.upstream_port = gone.port();
  }  // nothing listens there any more
  TcpProxy proxy(options);
  Fd fd = Connect(proxy.port());
  ASSERT_GE(fd.get(), 0);
  EXPECT_TRUE(SeesResetOrEof(fd.get()));
  EXPECT_TRUE(WaitFor([&] { return proxy.Stats().upstream_failures == 1; },
                      milliseconds(5000)));
}

TEST_F(TcpProxyTest, DestructorClosesConnections) {
  Fd fd;
  {
    TcpProxy proxy(Options());
    fd = Connect(proxy.port());
    ASSERT_TRUE(PingPong(fd.get(), milliseconds(5000)));
  }
  const ReadResult r = ReadFor(fd.get(), 1, milliseconds(5000));
  EXPECT_TRUE(r.eof);
}

TEST_F(TcpProxyTest, RejectsNonsense) {
  EXPECT_THROW(
      proxy_.SetFault(Direction::kBoth, {.kind = LinkFaultKind::kBandwidth}),
      Error);
  EXPECT_THROW(proxy_.SetFault(Direction::kBoth, {.kind = LinkFaultKind::kDelay,
                                                  .delay = milliseconds(-1)}),
               Error);
  TcpProxyOptions options = Options();
  options.listen_ip = "not-an-ip";
  EXPECT_THROW(TcpProxy{options}, Error);
  options = Options();
  options.upstream_host = "no-such-host.invalid";
  EXPECT_THROW(TcpProxy{options}, Error);
}

// With an upstream lookup, each connection goes where the lookup says at
// its accept; no address resets the client's connection.
TEST_F(TcpProxyTest, TheUpstreamLookupIsAskedForEachConnection) {
  auto other = std::make_unique<EchoServer>("127.0.0.2", echo_.port());
  std::mutex mu;
  std::string where = "127.0.0.2";
  int asked = 0;
  TcpProxyOptions options = Options();
  options.upstream_host.clear();
  options.upstream_lookup = [&] {
    std::lock_guard lock(mu);
    ++asked;
    return where;
  };
  TcpProxy proxy(options);
  const auto through = [&] {
    Fd fd = Connect(proxy.port());
    return fd.get() >= 0 && PingPong(fd.get(), milliseconds(5000)).has_value();
  };
  EXPECT_TRUE(through()) << "to 127.0.0.2";
  other.reset();  // 127.0.0.2 now refuses
  {
    Fd fd = Connect(proxy.port());
    EXPECT_TRUE(SeesResetOrEof(fd.get()));
  }
  {
    std::lock_guard lock(mu);
    where = "127.0.0.1";
  }
  EXPECT_TRUE(through()) << "to 127.0.0.1, the fixture's echo server";
  {
    std::lock_guard lock(mu);
    where = "not an address";
  }
  {
    Fd fd = Connect(proxy.port());
    EXPECT_TRUE(SeesResetOrEof(fd.get()));
  }
  EXPECT_TRUE(WaitFor([&] { return proxy.Stats().upstream_failures == 2; },
                      milliseconds(5000)))
      << proxy.Stats().upstream_failures;
  std::lock_guard lock(mu);
  EXPECT_EQ(asked, 4);
}

// Disabling is a partition that keeps the toxics; enabling lifts it and the
// toxics act on the new connection.
TEST_F(TcpProxyTest, DisableRefusesAndEnableForwardsWithTheToxicsKept) {
  Fd before = Echoing();
  ASSERT_TRUE(proxy_
                  .AddToxic({.name = "slow",
                             .stream = Direction::kClientToServer,
                             .fault = {.kind = LinkFaultKind::kDelay,
                                       .delay = milliseconds(200)}})
                  .took_effect);
  const LinkFaultOutcome off = proxy_.SetEnabled(false);
  EXPECT_TRUE(off.took_effect) << off.detail;
  EXPECT_EQ(off.connections_reset, 1);
  EXPECT_TRUE(SeesResetOrEof(before.get()));
  Fd refused = Connect(proxy_.port());
  EXPECT_TRUE(SeesResetOrEof(refused.get()));
  EXPECT_TRUE(WaitFor([&] { return proxy_.Stats().connections_refused >= 1; },
                      milliseconds(5000)));
  ASSERT_EQ(proxy_.Toxics().size(), 1u);

  EXPECT_TRUE(proxy_.SetEnabled(true).took_effect);
  Fd after = Echoing();
  const auto start = Clock::now();
  ASSERT_TRUE(WriteAll(after.get(), "ping"));
  EXPECT_EQ(ReadFor(after.get(), 4, milliseconds(5000)).data, "ping");
  EXPECT_GE(Clock::now() - start, milliseconds(200)) << "the delay stayed";
}

}  // namespace
}  // namespace chancho
