#include "system/movies/pipeline/topology.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>

namespace chancho::movies {
namespace {

using common::MapEnv;
using testing::HasSubstr;
using testing::Not;

// The message of the std::invalid_argument `call` throws; fails the test
// (and returns "") when it throws nothing.
template <typename Call>
std::string InvalidArgumentOf(Call call) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no std::invalid_argument thrown";
  return "";
}

std::string OutputNodesError(std::map<std::string, std::string> vars,
                             std::string_view prefix = "") {
  return InvalidArgumentOf(
      [&] { OutputNodesFromEnv(MapEnv(std::move(vars)), prefix); });
}

std::string IdentityError(std::map<std::string, std::string> vars) {
  return InvalidArgumentOf([&] { IdentityFromEnv(MapEnv(std::move(vars))); });
}

TEST(OutputNodes, PairsEachServiceWithItsReplicaCount) {
  const auto env = MapEnv({{"OUTPUT_NODES", "join-movie-ratings,top-k"},
                           {"OUTPUT_NODES_REPLICAS", "3,1"}});
  EXPECT_EQ(OutputNodesFromEnv(env),
            (std::vector<OutputNode>{{"join-movie-ratings", 3}, {"top-k", 1}}));
}

TEST(OutputNodes, ReadsOnlyTheVariablesOfItsPrefix) {
  const auto env = MapEnv({{"OUTPUT_NODES", "unprefixed"},
                           {"OUTPUT_NODES_REPLICAS", "9"},
                           {"MOVIES_OUTPUT_NODES", "filter-argentina"},
                           {"MOVIES_OUTPUT_NODES_REPLICAS", "2"},
                           {"RATINGS_OUTPUT_NODES", "join-movie-ratings"},
                           {"RATINGS_OUTPUT_NODES_REPLICAS", "4"}});
  EXPECT_EQ(OutputNodesFromEnv(env, "MOVIES_"),
            (std::vector<OutputNode>{{"filter-argentina", 2}}));
  EXPECT_EQ(OutputNodesFromEnv(env, "RATINGS_"),
            (std::vector<OutputNode>{{"join-movie-ratings", 4}}));
  EXPECT_EQ(OutputNodesFromEnv(env),
            (std::vector<OutputNode>{{"unprefixed", 9}}));
}

TEST(OutputNodes, MissingVariablesAreNamed) {
  EXPECT_THAT(OutputNodesError({}, "MOVIES_"),
              HasSubstr("MOVIES_OUTPUT_NODES"));
  EXPECT_THAT(OutputNodesError({{"MOVIES_OUTPUT_NODES", "a"}}, "MOVIES_"),
              HasSubstr("MOVIES_OUTPUT_NODES_REPLICAS"));
  // The unprefixed variables do not stand in for the prefixed ones.
  EXPECT_THAT(
      OutputNodesError({{"OUTPUT_NODES", "a"}, {"OUTPUT_NODES_REPLICAS", "1"}},
                       "CREDITS_"),
      HasSubstr("CREDITS_OUTPUT_NODES"));
}

TEST(OutputNodes, AnEmptyListIsRejected) {
  EXPECT_THAT(
      OutputNodesError({{"OUTPUT_NODES", ""}, {"OUTPUT_NODES_REPLICAS", ""}}),
      HasSubstr("OUTPUT_NODES"));
}

TEST(OutputNodes, MismatchedCountsAreRejected) {
  for (const char* counts : {"3", "3,1,2", ""}) {
    const std::string error =
        OutputNodesError({{"MOVIES_OUTPUT_NODES", "a,b"},
                          {"MOVIES_OUTPUT_NODES_REPLICAS", counts}},
                         "MOVIES_");
    EXPECT_THAT(error, HasSubstr("MOVIES_OUTPUT_NODES_REPLICAS")) << counts;
    EXPECT_THAT(error, Not(HasSubstr("\n")));
  }
}

TEST(OutputNodes, CountsMustBePositiveIntegers) {
  for (const char* count :
       {"0", "-1", "x", "2.5", "1001", "99999999999999999999"}) {
    const std::string error = OutputNodesError(
        {{"OUTPUT_NODES", "a"}, {"OUTPUT_NODES_REPLICAS", count}});
    EXPECT_THAT(error, HasSubstr("OUTPUT_NODES_REPLICAS")) << count;
    EXPECT_THAT(error, HasSubstr(count));
  }
}

TEST(Identity, DefaultsToTheOnlyReplicaOfItsService) {
  const NodeIdentity id = IdentityFromEnv(MapEnv({{"SERVICE_NAME", "top-k"}}));
  EXPECT_EQ(id.service, "top-k");
  EXPECT_EQ(id.replica_id, 1);
  EXPECT_EQ(id.replicas, 1);
  EXPECT_EQ(id.replica_name, "top-k");
}

TEST(Identity, ReadsEveryVariable) {
  const NodeIdentity id = IdentityFromEnv(MapEnv({{"SERVICE_NAME", "filter"},
                                                  {"REPLICA_ID", "2"},
                                                  {"REPLICA_NAME", "filter-2"},
                                                  {"REPLICAS", "3"}}));
  EXPECT_EQ(id.service, "filter");
  EXPECT_EQ(id.replica_id, 2);
  EXPECT_EQ(id.replica_name, "filter-2");
  EXPECT_EQ(id.replicas, 3);
}

TEST(Identity, RejectsMissingOrMalformedValues) {
  EXPECT_THAT(IdentityError({}), HasSubstr("SERVICE_NAME"));
  EXPECT_THAT(IdentityError({{"SERVICE_NAME", "s"}, {"REPLICA_ID", "0"}}),
              HasSubstr("REPLICA_ID"));
  EXPECT_THAT(IdentityError({{"SERVICE_NAME", "s"}, {"REPLICAS", "many"}}),
              HasSubstr("REPLICAS"));
  const std::string beyond = IdentityError(
      {{"SERVICE_NAME", "s"}, {"REPLICA_ID", "3"}, {"REPLICAS", "2"}});
  EXPECT_THAT(beyond, HasSubstr("REPLICA_ID"));
  EXPECT_THAT(beyond, HasSubstr("REPLICAS"));
  // Without REPLICAS there is one replica, so id 2 is beyond it too.
  EXPECT_THAT(IdentityError({{"SERVICE_NAME", "s"}, {"REPLICA_ID", "2"}}),
              HasSubstr("REPLICA_ID"));
}

TEST(QueueNames, NameServiceReplicaAndStream) {
  EXPECT_EQ(QueueName("join-movie-ratings", 2, "ratings"),
            "join-movie-ratings.2.ratings");
  EXPECT_EQ(StreamOfQueue("join-movie-ratings.2.ratings"), "ratings");
  // A dotted service name still yields the stream.
  EXPECT_EQ(StreamOfQueue(QueueName("a.b", 10, "q1")), "q1");
  EXPECT_EQ(StreamOfQueue("no-dots"), "no-dots");
  EXPECT_EQ(StreamOfQueue("ends-with-dot."), "");
}

TEST(KeyHashes, MatchPublishedValues) {
  // FNV-1a 64: the offset basis for "", and the reference test vectors.
  EXPECT_EQ(KeyHash(std::string_view("")), 14695981039346656037ull);
  EXPECT_EQ(KeyHash(std::string_view("a")), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(KeyHash(std::string_view("foobar")), 0x85944171f73967e8ull);
  // splitmix64's first output for seed 0.
  EXPECT_EQ(KeyHash(std::int64_t{0}), 0xe220a8397b1dcdafull);
}

TEST(KeyHashes, DistinguishBytesAfterANul) {
  EXPECT_NE(KeyHash(std::string_view("a\0b", 3)),
            KeyHash(std::string_view("a\0c", 3)));
  EXPECT_NE(KeyHash(std::string_view("a")),
            KeyHash(std::string_view("a\0", 2)));
}

TEST(Partitions, StayInRangeAndAreStable) {
  const std::array<std::uint64_t, 5> edge_hashes = {
      0, 1, std::numeric_limits<std::uint64_t>::max(), 1ull << 63,
      KeyHash(std::string_view("Ricardo Darín"))};
  for (int replicas = 1; replicas <= 7; ++replicas) {
    for (std::uint64_t hash : edge_hashes) {
      const int owner = Partition(hash, replicas);
      EXPECT_GE(owner, 1);
      EXPECT_LE(owner, replicas);
    }
    for (std::int64_t id = -50; id < 50; ++id) {
      const int owner = Partition(KeyHash(id), replicas);
      EXPECT_GE(owner, 1);
      EXPECT_LE(owner, replicas);
      EXPECT_EQ(Partition(KeyHash(id), replicas), owner) << id;
      const std::string key = "actor-" + std::to_string(id);
      EXPECT_EQ(Partition(KeyHash(key), replicas),
                Partition(KeyHash(std::string(key)), replicas));
    }
  }
  EXPECT_EQ(Partition(12345, 1), 1);
}

TEST(Partitions, SpreadConsecutiveIdsEvenly) {
  constexpr int kIds = 10000;
  std::array<int, 3> per_replica{};
  for (std::int64_t id = 1; id <= kIds; ++id) {
    ++per_replica[Partition(KeyHash(id), 3) - 1];
  }
  for (int count : per_replica) {
    EXPECT_GE(count, kIds * 25 / 100);
    EXPECT_LE(count, kIds * 42 / 100);
  }
}

}  // namespace
}  // namespace chancho::movies
