// The TCP fault proxy with no fault, delay and bandwidth: every byte
// arrives, in order.
#include <gtest/gtest.h>

#include "harness/proxy/tcp_proxy_test_util.h"

namespace chancho {
namespace {

using namespace proxy_test;  // NOLINT: the shared test helpers

TEST_F(TcpProxyTest, PassesBytesUnchangedBothWays) {
  const std::string payload = RandomBytes(16 << 20, 7);
  Fd fd = Connect(proxy_.port());
  ASSERT_GE(fd.get(), 0);
  // Write and read at once: the echo comes back while we are still sending.
  std::thread writer([&] {
    EXPECT_TRUE(WriteAll(fd.get(), payload));
    ::shutdown(fd.get(), SHUT_WR);
  });
  const ReadResult echoed =
      ReadFor(fd.get(), payload.size() + 1, milliseconds(30000));
  writer.join();
  EXPECT_TRUE(echoed.eof) << "the half-close went through both ways";
  ASSERT_EQ(echoed.data.size(), payload.size());
  EXPECT_TRUE(echoed.data == payload);
  EXPECT_TRUE(WaitFor(
      [&] {
        const TcpProxyStats s = proxy_.Stats();
        return s.bytes_client_to_server == payload.size() &&
               s.bytes_server_to_client == payload.size() &&
               s.connections_active == 0;
      },
      milliseconds(5000)));
  EXPECT_EQ(proxy_.Stats().connections_accepted, 1u);
}

// Faults come and go while a stream flows both ways: bytes in the kernel
// pipe move to the fault's queue and back, and not one is lost or reordered.
TEST_F(TcpProxyTest, FaultsMidStreamKeepEveryByteInOrder) {
  const std::string payload = RandomBytes(8 << 20, 11);
  Fd fd = Connect(proxy_.port());
  ASSERT_GE(fd.get(), 0);
  std::thread writer([&] { EXPECT_TRUE(WriteAll(fd.get(), payload)); });
  std::string echoed;
  const std::vector<std::pair<Direction, LinkFault>> faults = {
      {Direction::kBoth,
       {.kind = LinkFaultKind::kDelay,
        .delay = milliseconds(5),
        .jitter = milliseconds(5)}},
      {Direction::kClientToServer,
       {.kind = LinkFaultKind::kBandwidth, .bytes_per_second = 20 << 20}},
      {Direction::kServerToClient, {.kind = LinkFaultKind::kNone}},
      {Direction::kBoth, {.kind = LinkFaultKind::kNone}}};
  for (std::size_t step = 0; echoed.size() < payload.size(); ++step) {
    const ReadResult r = ReadFor(
        fd.get(),
        std::min<std::size_t>(512 << 10, payload.size() - echoed.size()),
        milliseconds(10000));
    echoed += r.data;
    if (r.data.empty()) break;
    if (step < faults.size()) {
      EXPECT_TRUE(
          proxy_.SetFault(faults[step].first, faults[step].second).took_effect);
    }
  }
  writer.join();
  ASSERT_EQ(echoed.size(), payload.size());
  EXPECT_TRUE(echoed == payload);
}

TEST_F(TcpProxyTest, ManyConnectionsAtOnce) {
  std::vector<std::thread> clients;
  std::atomic<int> good{0};
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&, i] {
      const std::string payload = RandomBytes(256 << 10, i);
      Fd fd = Connect(proxy_.port());
      std::thread writer([&] { WriteAll(fd.get(), payload); });
      const ReadResult r =
          ReadFor(fd.get(), payload.size(), milliseconds(20000));
      writer.join();
      if (r.data == payload) ++good;
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(good, 8);
  EXPECT_EQ(proxy_.Stats().connections_accepted, 8u);
}

TEST_F(TcpProxyTest, DelayAddsAtLeastTheDelayAndKeepsOrder) {
  Fd fd = Echoing();
  LinkFault delay{.kind = LinkFaultKind::kDelay, .delay = milliseconds(60)};
  const LinkFaultOutcome outcome =
      proxy_.SetFault(Direction::kClientToServer, delay);
  EXPECT_TRUE(outcome.took_effect) << outcome.detail;
  auto rtt = PingPong(fd.get(), milliseconds(5000));
  ASSERT_TRUE(rtt);
  EXPECT_GE(*rtt, milliseconds(60));

  delay.delay = milliseconds(40);
  proxy_.SetFault(Direction::kBoth, delay);
  rtt = PingPong(fd.get(), milliseconds(5000));
  ASSERT_TRUE(rtt);
  EXPECT_GE(*rtt, milliseconds(80)) << "40 ms each way";

  // With jitter larger than the gaps between writes, chunks still arrive in
  // the order they were sent.
  delay.jitter = milliseconds(30);
  proxy_.SetFault(Direction::kBoth, delay);
  std::string sent;
  for (int i = 0; i < 50; ++i) {
    const std::string message = std::to_string(i) + ",";
    ASSERT_TRUE(WriteAll(fd.get(), message));
    sent += message;
    std::this_thread::sleep_for(milliseconds(1));  // separate chunks
  }
  EXPECT_EQ(ReadFor(fd.get(), sent.size(), milliseconds(5000)).data, sent);

  EXPECT_TRUE(proxy_.Heal().took_effect);
  rtt = PingPong(fd.get(), milliseconds(5000));
  ASSERT_TRUE(rtt);
  EXPECT_LT(*rtt, milliseconds(40));
}

TEST_F(TcpProxyTest, BandwidthLimitsThroughputRoughly) {
  Fd fd = Echoing();
  constexpr std::size_t kRate = 1 << 20;  // bytes per second
  proxy_.SetFault(
      Direction::kClientToServer,
      {.kind = LinkFaultKind::kBandwidth, .bytes_per_second = kRate});
  const std::string payload = RandomBytes(kRate, 3);
  const auto start = Clock::now();
  std::thread writer([&] { WriteAll(fd.get(), payload); });
  const ReadResult r = ReadFor(fd.get(), payload.size(), milliseconds(10000));
  writer.join();
  const auto took = Clock::now() - start;
  EXPECT_EQ(r.data, payload);
  // A second's worth of data, less the burst; a generous band.
  EXPECT_GE(took, milliseconds(800));
  EXPECT_LE(took, milliseconds(3000));
}

}  // namespace
}  // namespace chancho
