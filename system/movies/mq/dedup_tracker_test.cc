#include "system/movies/mq/dedup_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace chancho::movies::mq {
namespace {

TEST(DedupTracker, RecognisesDuplicatesPerClientAndProducer) {
  DedupTracker t;
  EXPECT_TRUE(t.Mark("c1", "p1", 5));
  EXPECT_FALSE(t.Mark("c1", "p1", 5));
  EXPECT_TRUE(t.Seen("c1", "p1", 5));
  EXPECT_FALSE(t.Seen("c1", "p2", 5));
  EXPECT_FALSE(t.Seen("c2", "p1", 5));
  EXPECT_TRUE(t.Mark("c1", "p2", 5));
  EXPECT_TRUE(t.Mark("c2", "p1", 5));
  EXPECT_FALSE(t.Seen("c1", "p1", 4));
  EXPECT_FALSE(t.Seen("c1", "p1", 6));
}

TEST(DedupTracker, ContiguousSequencesCostOneInterval) {
  DedupTracker t;
  for (std::uint64_t s = 0; s < 10000; ++s) ASSERT_TRUE(t.Mark("c", "p", s));
  EXPECT_EQ(t.IntervalCount(), 1u);
}

TEST(DedupTracker, OutOfOrderArrivalsMergeIntervals) {
  std::vector<std::uint64_t> order(1000);
  for (std::uint64_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937_64 random(42);
  std::shuffle(order.begin(), order.end(), random);
  DedupTracker t;
  for (auto s : order) ASSERT_TRUE(t.Mark("c", "p", s));
  for (auto s : order) ASSERT_FALSE(t.Mark("c", "p", s));
  EXPECT_EQ(t.IntervalCount(), 1u);
  EXPECT_FALSE(t.Seen("c", "p", 1000));
}

TEST(DedupTracker, GapsAreKept) {
  DedupTracker t;
  for (std::uint64_t s : {1, 3, 5, 2, 9}) t.Mark("c", "p", s);
  // {1-3}, {5}, {9}
  EXPECT_EQ(t.IntervalCount(), 3u);
  EXPECT_FALSE(t.Seen("c", "p", 4));
  EXPECT_FALSE(t.Seen("c", "p", 0));
  EXPECT_TRUE(t.Seen("c", "p", 3));
}

TEST(DedupTracker, ForgetClientDropsOnlyThatClient) {
  DedupTracker t;
  t.Mark("c1", "p", 1);
  t.Mark("c2", "p", 1);
  t.ForgetClient("c1");
  EXPECT_FALSE(t.Seen("c1", "p", 1));
  EXPECT_TRUE(t.Seen("c2", "p", 1));
}

TEST(DedupTracker, SerializeParseRoundTripsAnyNames) {
  DedupTracker t;
  t.Mark("client 1\n", "p:2 x", 0);
  t.Mark("client 1\n", "p:2 x", 1);
  t.Mark("client 1\n", "p:2 x", 7);
  t.Mark("c2", "", UINT64_MAX);
  EXPECT_EQ(DedupTracker::Parse(t.Serialize()), t);
  EXPECT_EQ(DedupTracker::Parse(""), DedupTracker());
}

TEST(DedupTracker, ParseRejectsMalformedText) {
  EXPECT_THROW(DedupTracker::Parse("1:c 1:p 1 5-3\n"), std::runtime_error);
  EXPECT_THROW(DedupTracker::Parse("1:c 1:p 2 1-3 2-4\n"), std::runtime_error);
  EXPECT_THROW(DedupTracker::Parse("9:c 1:p 0\n"), std::runtime_error);
  EXPECT_THROW(DedupTracker::Parse("1:c 1:p 1 1-2"), std::runtime_error);
}

}  // namespace
}  // namespace chancho::movies::mq
