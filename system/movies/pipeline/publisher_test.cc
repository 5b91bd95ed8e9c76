#include "system/movies/pipeline/publisher.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "system/movies/pipeline/records.h"

namespace chancho::movies {
namespace {

std::vector<std::uint64_t> HashesOf(const std::vector<MovieRating>& ratings) {
  std::vector<std::uint64_t> hashes;
  for (const MovieRating& r : ratings) hashes.push_back(KeyHash(r.movie_id));
  return hashes;
}

TEST(EncodeParts, EachReplicaGetsTheRecordsItOwnsInTheirOrder) {
  std::vector<MovieRating> ratings;
  for (int i = 0; i < 500; ++i) ratings.push_back({(i * 7919) % 311, i % 51});
  const std::vector<std::uint64_t> hashes = HashesOf(ratings);
  for (int replicas : {1, 2, 3, 5}) {
    const std::vector<std::string> parts =
        EncodeParts(ratings, hashes, replicas);
    ASSERT_EQ(parts.size(), static_cast<std::size_t>(replicas));
    for (int r = 1; r <= replicas; ++r) {
      std::vector<MovieRating> expected;
      for (std::size_t i = 0; i < ratings.size(); ++i) {
        if (Partition(hashes[i], replicas) == r) expected.push_back(ratings[i]);
      }
      ASSERT_FALSE(expected.empty()) << "replica " << r << " of " << replicas;
      EXPECT_EQ(parts[r - 1], EncodeList(expected));
      EXPECT_EQ(DecodeList<MovieRating>(parts[r - 1]), expected);
    }
  }
}

TEST(EncodeParts, AReplicaThatOwnsNothingGetsNoPayload) {
  // Every record has the same key, so one replica owns them all.
  const std::vector<MovieRating> ratings = {{42, 10}, {42, 20}, {42, 30}};
  const std::vector<std::uint64_t> hashes = HashesOf(ratings);
  const std::vector<std::string> parts = EncodeParts(ratings, hashes, 3);
  const int owner = Partition(KeyHash(42), 3);
  for (int r = 1; r <= 3; ++r) {
    if (r == owner) {
      EXPECT_EQ(DecodeList<MovieRating>(parts[r - 1]), ratings);
    } else {
      EXPECT_TRUE(parts[r - 1].empty()) << "replica " << r;
    }
  }
}

}  // namespace
}  // namespace chancho::movies
