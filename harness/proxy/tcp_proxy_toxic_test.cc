// The TCP fault proxy's toxics on real loopback connections: slow_close,
// timeout, slicer, limit_data, toxicity, stacks, and the toxic methods.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/proxy/tcp_proxy_test_util.h"

namespace chancho {
namespace {

using namespace proxy_test;  // NOLINT: the shared test helpers
using std::chrono::microseconds;
using ::testing::HasSubstr;

constexpr Direction kUp = Direction::kClientToServer;
constexpr Direction kDown = Direction::kServerToClient;

Toxic MakeToxic(Direction stream, LinkFault fault, std::string name = "") {
  return {.name = std::move(name), .stream = stream, .fault = fault};
}

// The connection ended: EOF, or a reset after it.
bool Closed(const ReadResult& r) { return r.eof || r.error == ECONNRESET; }

std::vector<std::string> Names(const std::vector<Toxic>& toxics) {
  std::vector<std::string> names;
  for (const Toxic& toxic : toxics) names.push_back(toxic.name);
  return names;
}

TEST_F(TcpProxyTest, LimitDataDeliversTheLimitThenCloses) {
  const LinkFaultOutcome outcome = proxy_.AddToxic(
      MakeToxic(kDown, {.kind = LinkFaultKind::kLimitData, .bytes = 1000}));
  ASSERT_TRUE(outcome.took_effect) << outcome.detail;
  const std::string payload = RandomBytes(3000, 1);
  Fd fd = Connect(proxy_.port());
  ASSERT_GE(fd.get(), 0);
  ASSERT_TRUE(WriteAll(fd.get(), payload));
  const ReadResult r = ReadFor(fd.get(), payload.size(), milliseconds(10000));
  EXPECT_EQ(r.data, payload.substr(0, 1000));
  EXPECT_TRUE(Closed(r)) << "timed out: " << r.timed_out;
  EXPECT_TRUE(WaitFor(
      [&] {
        const TcpProxyStats s = proxy_.Stats();
        return s.connections_closed_by_toxic == 1 &&
               s.connections_active == 0 && s.bytes_server_to_client == 1000;
      },
      milliseconds(5000)));

  // Upstream: the server gets the first bytes only, and both sides close
  // then, whether or not its echo has come back yet.
  EXPECT_TRUE(proxy_.Heal().took_effect);
  proxy_.AddToxic(
      MakeToxic(kUp, {.kind = LinkFaultKind::kLimitData, .bytes = 5}));
  Fd up = Connect(proxy_.port());
  ASSERT_TRUE(WriteAll(up.get(), "0123456789"));
  const ReadResult echoed = ReadFor(up.get(), 10, milliseconds(10000));
  EXPECT_EQ(std::string("01234").substr(0, echoed.data.size()), echoed.data);
  EXPECT_TRUE(Closed(echoed));
  EXPECT_TRUE(WaitFor(
      [&] {
        const TcpProxyStats s = proxy_.Stats();
        return s.connections_closed_by_toxic == 2 &&
               s.bytes_client_to_server == 3000 + 5;
      },
      milliseconds(5000)));
}

TEST_F(TcpProxyTest, SlicerCutsDataIntoSpacedPieces) {
  // Ten pieces of 10 bytes, 20 ms apart.
  proxy_.AddToxic(MakeToxic(kDown, {.kind = LinkFaultKind::kSlicer,
                                    .average_size = 10,
                                    .slice_delay = microseconds(20000)}));
  Fd fd = Connect(proxy_.port());
  ASSERT_GE(fd.get(), 0);
  const std::string payload = RandomBytes(100, 2);
  const auto start = Clock::now();
  ASSERT_TRUE(WriteAll(fd.get(), payload));
  const ReadResult r = ReadFor(fd.get(), payload.size(), milliseconds(10000));
  EXPECT_EQ(r.data, payload);
  EXPECT_GE(Clock::now() - start, milliseconds(9 * 20))
      << "nine gaps between ten pieces";
}

TEST_F(TcpProxyTest, SlicerPiecesArriveOneByOne) {
  proxy_.AddToxic(MakeToxic(kDown, {.kind = LinkFaultKind::kSlicer,
                                    .average_size = 8,
                                    .size_variation = 3,
                                    .slice_delay = microseconds(20000)}));
  Fd fd = Connect(proxy_.port());
  ASSERT_GE(fd.get(), 0);
  const std::string payload = RandomBytes(80, 3);
  ASSERT_TRUE(WriteAll(fd.get(), payload));
  // Single reads: each returns what has arrived so far.
  std::string got;
  std::vector<std::size_t> sizes;
  char buffer[4096];
  const auto deadline = Clock::now() + milliseconds(10000);
  while (got.size() < payload.size() && Clock::now() < deadline) {
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) continue;
    const ssize_t n = ::recv(fd.get(), buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    got.append(buffer, static_cast<std::size_t>(n));
    sizes.push_back(static_cast<std::size_t>(n));
  }
  EXPECT_EQ(got, payload);
  // About ten pieces of 5 to 11 bytes; a busy reader may find two together.
  EXPECT_GE(sizes.size(), 3u);
  EXPECT_LE(*std::min_element(sizes.begin(), sizes.end()), 11u);
}

TEST_F(TcpProxyTest, SlowCloseDelaysTheClose) {
  proxy_.AddToxic(MakeToxic(
      kDown, {.kind = LinkFaultKind::kSlowClose, .delay = milliseconds(300)}));
  Fd fd = Echoing();
  ASSERT_TRUE(WriteAll(fd.get(), "abc"));
  const auto start = Clock::now();
  ::shutdown(fd.get(), SHUT_WR);  // the echo server answers, then closes
  const ReadResult data = ReadFor(fd.get(), 3, milliseconds(5000));
  EXPECT_EQ(data.data, "abc") << "bytes are not held back";
  const ReadResult end = ReadFor(fd.get(), 1, milliseconds(10000));
  EXPECT_TRUE(end.eof);
  EXPECT_GE(Clock::now() - start, milliseconds(300));
}

TEST_F(TcpProxyTest, TimeoutDropsDataThenClosesAfterItsTime) {
  Fd fd = Echoing();
  const auto start = Clock::now();
  ASSERT_TRUE(proxy_
                  .AddToxic(MakeToxic(kDown, {.kind = LinkFaultKind::kTimeout,
                                              .timeout = milliseconds(300)}))
                  .took_effect);
  ASSERT_TRUE(WriteAll(fd.get(), "lost"));
  const ReadResult r = ReadFor(fd.get(), 1, milliseconds(10000));
  EXPECT_TRUE(r.data.empty());
  EXPECT_TRUE(Closed(r));
  EXPECT_GE(Clock::now() - start, milliseconds(300));
  EXPECT_TRUE(
      WaitFor([&] { return proxy_.Stats().connections_closed_by_toxic == 1; },
              milliseconds(5000)));
}

TEST_F(TcpProxyTest, TimeoutOfZeroHoldsUntilRemoved) {
  Fd fd = Echoing();
  proxy_.AddToxic(MakeToxic(kDown, {.kind = LinkFaultKind::kTimeout}));
  ASSERT_TRUE(WriteAll(fd.get(), "lost"));
  EXPECT_TRUE(WaitFor([&] { return proxy_.Stats().bytes_dropped == 4; },
                      milliseconds(5000)));
  EXPECT_TRUE(ReadFor(fd.get(), 1, milliseconds(300)).timed_out);
  const LinkFaultOutcome removed = proxy_.RemoveToxic("timeout_downstream");
  EXPECT_TRUE(removed.took_effect) << removed.detail;
  ASSERT_TRUE(WriteAll(fd.get(), "back"));
  EXPECT_EQ(ReadFor(fd.get(), 4, milliseconds(5000)).data, "back");
  EXPECT_EQ(proxy_.Stats().connections_closed_by_toxic, 0u);
}

// Whether a limit of 1 byte cut this connection's echo of "ab".
bool LimitApplied(std::uint16_t port) {
  Fd fd = Connect(port);
  if (fd.get() < 0 || !WriteAll(fd.get(), "ab")) return false;
  const ReadResult r = ReadFor(fd.get(), 2, milliseconds(5000));
  EXPECT_TRUE(r.data == "ab" || (r.data == "a" && Closed(r))) << r.data;
  return r.data == "a";
}

TEST_F(TcpProxyTest, ToxicityZeroNeverAppliesAndOneAlways) {
  LinkFault limit{.kind = LinkFaultKind::kLimitData, .bytes = 1};
  limit.toxicity = 0;
  proxy_.AddToxic(MakeToxic(kDown, limit));
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(LimitApplied(proxy_.port()));
  limit.toxicity = 1;
  EXPECT_TRUE(
      proxy_.UpdateToxic(MakeToxic(kDown, limit, "limit_data_downstream"))
          .took_effect);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(LimitApplied(proxy_.port()));
}

TEST_F(TcpProxyTest, SeededToxicityAppliesToSomeConnectionsAlike) {
  LinkFault limit{.kind = LinkFaultKind::kLimitData, .bytes = 1};
  limit.toxicity = 0.5;
  const auto pattern = [&](TcpProxy& proxy) {
    proxy.AddToxic(MakeToxic(kDown, limit));
    std::string applied;
    for (int i = 0; i < 40; ++i) {
      applied += LimitApplied(proxy.port()) ? 'x' : '.';
    }
    return applied;
  };
  const std::string first = pattern(proxy_);
  const auto hits = std::count(first.begin(), first.end(), 'x');
  EXPECT_GT(hits, 0) << first;
  EXPECT_LT(hits, 40) << first;
  TcpProxy again(Options());  // the same seed
  EXPECT_EQ(pattern(again), first) << "one draw per connection, in order";
}

TEST_F(TcpProxyTest, StackAppliesDelaySlicerAndLimitInOrder) {
  LinkFault stack{.kind = LinkFaultKind::kDelay, .delay = milliseconds(100)};
  stack.stacked = {{.kind = LinkFaultKind::kSlicer,
                    .average_size = 10,
                    .slice_delay = microseconds(10000)},
                   {.kind = LinkFaultKind::kLimitData, .bytes = 50}};
  ASSERT_TRUE(proxy_.SetFault(kDown, stack).took_effect);
  EXPECT_THAT(Names(proxy_.Toxics()),
              ::testing::ElementsAre("delay_downstream", "slicer_downstream",
                                     "limit_data_downstream"));
  Fd fd = Connect(proxy_.port());
  ASSERT_GE(fd.get(), 0);
  const std::string payload = RandomBytes(100, 4);
  const auto start = Clock::now();
  ASSERT_TRUE(WriteAll(fd.get(), payload));
  const ReadResult r = ReadFor(fd.get(), payload.size(), milliseconds(10000));
  EXPECT_EQ(r.data, payload.substr(0, 50));
  EXPECT_TRUE(Closed(r));
  // The delay, then four gaps between five pieces.
  EXPECT_GE(Clock::now() - start, milliseconds(100 + 4 * 10));
}

// A limit's close goes through the toxics after it, as a FIN would: a
// slow_close after the limit delays it, one before the limit does not.
TEST_F(TcpProxyTest, StackOrderDecidesWhatTheCloseMeets) {
  const LinkFault limit{.kind = LinkFaultKind::kLimitData, .bytes = 5};
  const LinkFault slow{.kind = LinkFaultKind::kSlowClose,
                       .delay = milliseconds(1500)};
  const auto close_after = [&](LinkFault first, const LinkFault& second) {
    first.stacked = {second};
    EXPECT_TRUE(proxy_.SetFault(kDown, first).took_effect);
    Fd fd = Connect(proxy_.port());
    const auto start = Clock::now();
    EXPECT_TRUE(WriteAll(fd.get(), "0123456789"));
    const ReadResult r = ReadFor(fd.get(), 10, milliseconds(10000));
    EXPECT_EQ(r.data, "01234");
    EXPECT_TRUE(Closed(r));
    return Clock::now() - start;
  };
  EXPECT_GE(close_after(limit, slow), milliseconds(1500));
  EXPECT_LT(close_after(slow, limit), milliseconds(1500));
}

TEST_F(TcpProxyTest, RemovingAToxicLetsWhatItHeldGo) {
  Fd fd = Echoing();
  proxy_.AddToxic(MakeToxic(
      kDown, {.kind = LinkFaultKind::kDelay, .delay = milliseconds(60000)}));
  proxy_.AddToxic(
      MakeToxic(kDown, {.kind = LinkFaultKind::kSlicer, .average_size = 1}));
  ASSERT_TRUE(WriteAll(fd.get(), "abc"));
  EXPECT_TRUE(ReadFor(fd.get(), 1, milliseconds(300)).timed_out);
  EXPECT_TRUE(proxy_.RemoveToxic("delay_downstream").took_effect);
  EXPECT_EQ(ReadFor(fd.get(), 3, milliseconds(5000)).data, "abc");
  EXPECT_TRUE(proxy_.RemoveToxic("slicer_downstream").took_effect);
  EXPECT_TRUE(proxy_.Toxics().empty());
  EXPECT_TRUE(PingPong(fd.get(), milliseconds(5000)));
}

TEST_F(TcpProxyTest, UpdateKeepsWhatALimitCounted) {
  proxy_.AddToxic(
      MakeToxic(kDown, {.kind = LinkFaultKind::kLimitData, .bytes = 3}));
  Fd fd = Connect(proxy_.port());
  ASSERT_TRUE(WriteAll(fd.get(), "ab"));
  EXPECT_EQ(ReadFor(fd.get(), 2, milliseconds(5000)).data, "ab");
  EXPECT_TRUE(proxy_
                  .UpdateToxic(MakeToxic(
                      kDown, {.kind = LinkFaultKind::kLimitData, .bytes = 4},
                      "limit_data_downstream"))
                  .took_effect);
  ASSERT_TRUE(WriteAll(fd.get(), "cdef"));
  const ReadResult r = ReadFor(fd.get(), 4, milliseconds(10000));
  EXPECT_EQ(r.data, "cd") << "2 counted before the update, 2 more";
  EXPECT_TRUE(Closed(r));
}

TEST_F(TcpProxyTest, ToxicDurationRemovesIt) {
  Fd fd = Echoing();
  proxy_.AddToxic(MakeToxic(kDown, {.kind = LinkFaultKind::kBlackhole,
                                    .duration = milliseconds(100)}));
  EXPECT_EQ(proxy_.Toxics().size(), 1u);
  EXPECT_TRUE(
      WaitFor([&] { return proxy_.Toxics().empty(); }, milliseconds(5000)));
  EXPECT_TRUE(PingPong(fd.get(), milliseconds(5000)));
}

TEST_F(TcpProxyTest, ToxicNamesAndConflicts) {
  const LinkFault slicer{.kind = LinkFaultKind::kSlicer, .average_size = 4};
  const LinkFault delay{.kind = LinkFaultKind::kDelay,
                        .delay = milliseconds(1)};
  EXPECT_TRUE(proxy_.AddToxic(MakeToxic(kDown, slicer)).took_effect);
  const LinkFaultOutcome taken = proxy_.AddToxic(MakeToxic(kDown, slicer));
  EXPECT_FALSE(taken.took_effect);
  EXPECT_THAT(taken.detail, HasSubstr("\"slicer_downstream\" exists"));
  EXPECT_TRUE(proxy_.AddToxic(MakeToxic(kUp, delay, "lag")).took_effect);
  EXPECT_THAT(Names(proxy_.Toxics()),
              ::testing::ElementsAre("lag", "slicer_downstream"));

  EXPECT_FALSE(proxy_.UpdateToxic(MakeToxic(kUp, delay, "nope")).took_effect);
  EXPECT_FALSE(proxy_.UpdateToxic(MakeToxic(kUp, slicer, "lag")).took_effect)
      << "the kind stays";
  EXPECT_FALSE(proxy_.UpdateToxic(MakeToxic(kDown, delay, "lag")).took_effect)
      << "the direction stays";
  LinkFault slower = delay;
  slower.delay = milliseconds(2);
  EXPECT_TRUE(proxy_.UpdateToxic(MakeToxic(kUp, slower, "lag")).took_effect);
  EXPECT_EQ(proxy_.Toxics().at(0).fault.delay, milliseconds(2));
  EXPECT_FALSE(proxy_.RemoveToxic("nope").took_effect);

  // SetFault replaces one direction's toxics, with default names.
  LinkFault stack = delay;
  stack.stacked = {delay, slicer};
  EXPECT_TRUE(proxy_.SetFault(kUp, stack).took_effect);
  EXPECT_THAT(Names(proxy_.Toxics()),
              ::testing::ElementsAre("delay_upstream", "delay_upstream_2",
                                     "slicer_upstream", "slicer_downstream"));
  EXPECT_TRUE(proxy_.SetFault(kUp, {}).took_effect);
  EXPECT_THAT(Names(proxy_.Toxics()),
              ::testing::ElementsAre("slicer_downstream"));
  EXPECT_TRUE(proxy_.Heal().took_effect);
  EXPECT_TRUE(proxy_.Toxics().empty());
}

TEST_F(TcpProxyTest, RejectsNonsenseToxics) {
  const auto rejects = [&](const Toxic& toxic) {
    EXPECT_THROW(proxy_.AddToxic(toxic), Error);
    EXPECT_THROW(proxy_.UpdateToxic(toxic), Error);
  };
  rejects(MakeToxic(Direction::kBoth, {.kind = LinkFaultKind::kBlackhole}));
  rejects(MakeToxic(kUp, {.kind = LinkFaultKind::kReset}));
  rejects(MakeToxic(kUp, {.kind = LinkFaultKind::kNone}));
  rejects(MakeToxic(kUp, {.kind = LinkFaultKind::kSlicer}));
  rejects(MakeToxic(kUp, {.kind = LinkFaultKind::kSlicer,
                          .average_size = 4,
                          .size_variation = 4}));
  LinkFault bad{.kind = LinkFaultKind::kBlackhole};
  bad.toxicity = 1.5;
  rejects(MakeToxic(kUp, bad));
  bad.toxicity = 1;
  bad.stacked = {{.kind = LinkFaultKind::kBlackhole}};
  rejects(MakeToxic(kUp, bad));
  // A stack holds toxics only, one level deep.
  LinkFault reset{.kind = LinkFaultKind::kReset};
  reset.stacked = {{.kind = LinkFaultKind::kBlackhole}};
  EXPECT_THROW(proxy_.SetFault(kUp, reset), Error);
  LinkFault nested{.kind = LinkFaultKind::kBlackhole};
  nested.stacked = {bad};
  EXPECT_THROW(proxy_.SetFault(kUp, nested), Error);
  EXPECT_TRUE(proxy_.Toxics().empty());
}

// Stacks come and go, again and again, while a stream flows both ways: not
// one byte is lost or reordered.
TEST_F(TcpProxyTest, StacksMidStreamKeepEveryByteInOrder) {
  const std::string payload = RandomBytes(4 << 20, 13);
  Fd fd = Connect(proxy_.port());
  ASSERT_GE(fd.get(), 0);
  std::thread writer([&] { EXPECT_TRUE(WriteAll(fd.get(), payload)); });
  LinkFault sliced{.kind = LinkFaultKind::kSlicer,
                   .average_size = 1500,
                   .size_variation = 500};
  sliced.stacked = {
      {.kind = LinkFaultKind::kBandwidth, .bytes_per_second = 40 << 20},
      {.kind = LinkFaultKind::kDelay,
       .delay = milliseconds(2),
       .jitter = milliseconds(2)}};
  LinkFault halves = sliced;
  halves.toxicity = 0.5;
  const std::vector<std::function<void()>> steps = {
      [&] { proxy_.SetFault(Direction::kBoth, sliced); },
      [&] { proxy_.RemoveToxic("bandwidth_upstream"); },
      [&] { proxy_.SetFault(kDown, halves); },
      [&] {
        proxy_.AddToxic(MakeToxic(kUp, {.kind = LinkFaultKind::kSlowClose,
                                        .delay = milliseconds(1)}));
      },
      [&] { proxy_.Heal(); }};
  std::string echoed;
  for (std::size_t step = 0; echoed.size() < payload.size(); ++step) {
    const ReadResult r = ReadFor(
        fd.get(),
        std::min<std::size_t>(256 << 10, payload.size() - echoed.size()),
        milliseconds(10000));
    echoed += r.data;
    if (r.data.empty()) break;
    steps[step % steps.size()]();
  }
  writer.join();
  ASSERT_EQ(echoed.size(), payload.size());
  EXPECT_TRUE(echoed == payload);
}

}  // namespace
}  // namespace chancho
