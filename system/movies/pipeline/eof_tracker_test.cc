#include "system/movies/pipeline/eof_tracker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chancho::movies {
namespace {

struct Eof {
  std::string client;
  std::string stream;
  std::string id;
  std::uint64_t expected;
};

std::string Saved(const EofTracker& tracker) {
  Writer w;
  tracker.Put(w);
  return w.Take();
}

EofTracker Restored(std::string_view bytes) {
  EofTracker tracker;
  Reader r(bytes);
  tracker.Get(r);
  r.ExpectEnd();
  return tracker;
}

TEST(EofTracker, CompletesExactlyAtTheExpectedDistinctEof) {
  EofTracker t;
  EXPECT_TRUE(t.empty());
  EXPECT_FALSE(t.Ended("c", "movies"));
  EXPECT_FALSE(t.Add("c", "movies", "filter-1", 3));
  EXPECT_FALSE(t.Ended("c", "movies"));
  EXPECT_FALSE(t.Add("c", "movies", "filter-2", 3));
  EXPECT_FALSE(t.Ended("c", "movies"));
  EXPECT_TRUE(t.Add("c", "movies", "filter-3", 3));
  EXPECT_TRUE(t.Ended("c", "movies"));
  // Only the completing call says so; later EOFs change nothing.
  EXPECT_FALSE(t.Add("c", "movies", "filter-4", 3));
  EXPECT_FALSE(t.Add("c", "movies", "filter-1", 3));
  EXPECT_TRUE(t.Ended("c", "movies"));
  EXPECT_FALSE(t.empty());
}

TEST(EofTracker, ARepeatedEofCountsOnce) {
  EofTracker t;
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(t.Add("c", "ratings", "join-1", 2));
  }
  EXPECT_FALSE(t.Ended("c", "ratings"));
  EXPECT_TRUE(t.Add("c", "ratings", "join-2", 2));
}

TEST(EofTracker, OneEofCompletesAStreamThatExpectsOne) {
  EofTracker t;
  EXPECT_TRUE(t.Add("c", "q2", "top-k", 1));
  EXPECT_TRUE(t.Ended("c", "q2"));
}

TEST(EofTracker, TheLargestStatedCountWins) {
  EofTracker t;
  EXPECT_FALSE(t.Add("c", "s", "a", 2));
  EXPECT_FALSE(t.Add("c", "s", "b", 3));  // 2 ids, but 3 are expected now
  EXPECT_FALSE(t.Ended("c", "s"));
  // A smaller count does not lower it: the third distinct id completes.
  EXPECT_TRUE(t.Add("c", "s", "c", 1));
  EXPECT_TRUE(t.Ended("c", "s"));
}

TEST(EofTracker, ClientsAndStreamsAreCountedApart) {
  EofTracker t;
  EXPECT_TRUE(t.Add("alice", "movies", "p", 1));
  EXPECT_TRUE(t.Ended("alice", "movies"));
  EXPECT_FALSE(t.Ended("alice", "credits"));
  EXPECT_FALSE(t.Ended("bob", "movies"));
  EXPECT_FALSE(t.Add("bob", "movies", "p", 2));
  EXPECT_FALSE(t.Ended("bob", "movies"));
}

TEST(EofTracker, ForgetDropsOneClient) {
  EofTracker t;
  t.Add("alice", "movies", "p", 1);
  t.Add("bob", "movies", "p", 1);
  t.Forget("alice");
  EXPECT_FALSE(t.Ended("alice", "movies"));
  EXPECT_TRUE(t.Ended("bob", "movies"));
  t.Forget("nobody");
  EXPECT_TRUE(t.Ended("bob", "movies"));
  t.Forget("bob");
  EXPECT_TRUE(t.empty());
  // A forgotten client starts from zero again.
  EXPECT_TRUE(t.Add("alice", "movies", "p", 1));
}

TEST(EofTracker, ARestoredTrackerCompletesAtTheSameEof) {
  const std::vector<Eof> before = {{"alice", "movies", "f-1", 3},
                                   {"alice", "movies", "f-2", 3},
                                   {"alice", "ratings", "r-1", 1},
                                   {"bob", "movies", "f-2", 3},
                                   {"bob", "movies", "f-2", 3}};
  const std::vector<Eof> after = {
      {"bob", "movies", "f-1", 3},   {"alice", "movies", "f-1", 3},
      {"alice", "movies", "f-3", 3}, {"bob", "movies", "f-3", 3},
      {"bob", "credits", "c-1", 2},  {"alice", "movies", "f-4", 3}};
  EofTracker original;
  for (const Eof& e : before)
    original.Add(e.client, e.stream, e.id, e.expected);
  EofTracker restored = Restored(Saved(original));
  EXPECT_EQ(Saved(restored), Saved(original));
  EXPECT_TRUE(restored.Ended("alice", "ratings"));
  EXPECT_FALSE(restored.Ended("alice", "movies"));
  for (const Eof& e : after) {
    EXPECT_EQ(restored.Add(e.client, e.stream, e.id, e.expected),
              original.Add(e.client, e.stream, e.id, e.expected))
        << e.client << " " << e.stream << " " << e.id;
    EXPECT_EQ(restored.Ended(e.client, e.stream),
              original.Ended(e.client, e.stream));
  }
  EXPECT_TRUE(restored.Ended("alice", "movies"));
  EXPECT_TRUE(restored.Ended("bob", "movies"));
  EXPECT_FALSE(restored.Ended("bob", "credits"));
}

TEST(EofTracker, GetReplacesWhatWasThere) {
  EofTracker stale;
  stale.Add("old", "movies", "p", 1);
  const std::string empty = Saved(EofTracker());
  Reader r(empty);
  stale.Get(r);
  EXPECT_TRUE(stale.empty());
  EXPECT_FALSE(stale.Ended("old", "movies"));
}

TEST(EofTracker, EveryTruncatedStateThrows) {
  EofTracker t;
  t.Add("alice", "movies", "f-1", 3);
  t.Add("alice", "credits", "c-1", 2);
  t.Add("bob", "movies", "f-1", 3);
  const std::string bytes = Saved(t);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EofTracker restored;
    Reader r(std::string_view(bytes).substr(0, n));
    EXPECT_THROW(restored.Get(r), WireError) << n;
  }
}

}  // namespace
}  // namespace chancho::movies
