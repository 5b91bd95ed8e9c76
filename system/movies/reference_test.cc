// The whole reference over small hand-written files. Every expected line
// is worked out by hand in the comments.

#include "system/movies/reference.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

#include "system/movies/test_util.h"

namespace chancho::movies {
namespace {

using ::testing::HasSubstr;

const char kMovies[] =
    "id,title,genres,production_countries,release_date,budget,revenue,"
    "overview\n"
    // Q1; joins Q3/Q4; Q5 positive (wonderful 4, joyful 3), ratio 3.
    "1,Relatos,\"[{'id': 18, 'name': 'Drama'}]\",\"[{'iso_3166_1': 'AR', "
    "'name': 'Argentina'}, {'iso_3166_1': 'ES', 'name': 'Spain'}]\","
    "2004-05-01,1000,3000,\"A wonderful, joyful story\"\n"
    // Q2 AR +500; joins Q3/Q4; no revenue, so not Q5.
    "2,Bombón,[],\"[{'iso_3166_1': 'AR', 'name': 'Argentina'}]\","
    "2004-08-05,500,0,A lonely man and his dog\n"
    // Q2 AR +200; before 2000; Q5 negative (brutal, murder), ratio 0.5.
    "3,Old Tango,\"[{'id': 10402, 'name': 'Music'}]\",\"[{'iso_3166_1': "
    "'AR', 'name': 'Argentina'}]\",1995-01-01,200,100.0,A brutal murder\n"
    // Q2 US +900; Q5 positive (empty overview scores 0), ratio 2.
    "4,Hollywood,\"[{'id': 28, 'name': 'Action'}]\",\"[{'iso_3166_1': "
    "'US', 'name': 'United States of America'}]\",2010-01-01,900,1800,\n"
    // 2011: not Q1; joins Q3/Q4.
    "5,Madrid,\"[{'id': 35, 'name': 'Comedy'}, {'id': 18, 'name': "
    "'Drama'}]\",\"[{'iso_3166_1': 'ES', 'name': 'Spain'}, {'iso_3166_1': "
    "'AR', 'name': 'Argentina'}]\",2011-03-03,0,0,\"Multi\nline\"\n"
    // Duplicate of id 2: skipped, or AR would total 1200.
    "2,Bombón,[],\"[{'iso_3166_1': 'AR', 'name': 'Argentina'}]\","
    "2004-08-05,500,0,A lonely man and his dog\n"
    "1997-08-20,Broken,[],[],2000-01-01,0,0,x\n"
    "8,Short,[]\n"
    // Q2 ES +700; Q5 positive (love 3, death -2), ratio 0.5.
    "9,Años,[],\"[{'iso_3166_1': 'ES', 'name': 'Spain'}]\",2001-01-01,700,"
    "350,Love and death\n";

const char kCredits[] =
    "cast,crew,id\n"
    "\"[{'name': 'Ana'}, {'name': 'Beto'}]\",[],1\n"
    "\"[{'name': 'Beto'}, {'name': 'Beto'}]\",[],2\n"
    "\"[{'name': 'Ana'}, {'name': 'Carla'}]\",[],3\n"
    "\"[{'name': 'Carla'}]\",[],5\n"
    "\"[{'name': 'Ana'}]\",[],99\n"
    "\"[{'name': 'Beto'}, {'name': 'Beto'}]\",[],2\n"
    "\"[{'name': 'Ana'}\",[],1\n";

const char kRatings[] =
    "userId,movieId,rating,timestamp\n"
    "1,1,4.0,0\n2,1,3.0,0\n"  // movie 1: 3.5
    "1,2,5.0,0\n3,2,2.0,0\n"  // movie 2: 3.5, ties with 1
    "4,5,1.5,0\n5,5,2.0,0\n"  // movie 5: 1.75
    "1,3,0.5,0\n"             // movie 3 is from 1995
    "1,4,5.0,0\n"             // movie 4 is not Argentine
    "9,99,1.0,0\n"            // no such movie
    "1,2,4.5\n"
    "1,1,4.25,0\n";

QueryResults Expected() {
  return {
      "Relatos|Drama\n",
      // US 900; AR 500 + 200 = 700; ES 700 (tie: ISO ascending).
      "US|900\nAR|700\nES|700\n",
      // Highest: 1 and 2 tie at 3.5, id 1 wins. Lowest: 5 at 1.75.
      "Relatos|3.500000\nMadrid|1.750000\n",
      // Beto in 1 and 2 (twice in 2 counts once); Ana in 1; Carla in 5.
      "Beto|2\nAna|1\nCarla|1\n",
      // Positive: (3 + 2 + 0.5) / 3 = 1.8333...; negative: 0.5.
      "POSITIVE|1.833333\nNEGATIVE|0.500000\n",
  };
}

TEST(ReferenceTest, ComputesAllFiveQueries) {
  std::istringstream movies(kMovies), credits(kCredits), ratings(kRatings);
  const ReferenceRun run = RunReference(movies, credits, ratings);
  EXPECT_EQ(run.results, Expected());
  ASSERT_EQ(run.files.size(), 3u);
  EXPECT_EQ(run.files[0].file, "movies_metadata.csv");
  EXPECT_EQ(run.files[0].stats.rows, 9);
  EXPECT_EQ(run.files[0].stats.Reasons(),
            "column_count=1,bad_id=1,duplicate=1");
  EXPECT_EQ(run.files[1].stats.rows, 7);
  EXPECT_EQ(run.files[1].stats.Reasons(), "bad_literal=1,duplicate=1");
  EXPECT_EQ(run.files[2].stats.rows, 11);
  EXPECT_EQ(run.files[2].stats.Reasons(), "column_count=1,bad_number=1");
}

TEST(ReferenceTest, EmptyDataGivesEmptyResults) {
  std::istringstream movies(
      "id,title,genres,production_countries,"
      "release_date,budget,revenue,overview\n");
  std::istringstream credits("cast,id\n");
  std::istringstream ratings("userId,movieId,rating\n");
  const ReferenceRun run = RunReference(movies, credits, ratings);
  EXPECT_EQ(run.results, (QueryResults{"", "", "", "",
                                       "POSITIVE|0.000000\n"
                                       "NEGATIVE|0.000000\n"}));
}

TEST(ReferenceTest, ReadsAndWritesDirectories) {
  const TempDir dir;
  WriteFileBytes(dir.path() / "movies_metadata.csv", kMovies);
  WriteFileBytes(dir.path() / "credits.csv", kCredits);
  WriteFileBytes(dir.path() / "ratings.csv", kRatings);
  const ReferenceRun run = RunReference(dir.path());
  WriteResults(run.results, dir.path() / "out" / "nested");
  for (int i = 0; i < kQueryCount; ++i) {
    EXPECT_EQ(ReadFileBytes(dir.path() / "out" / "nested" /
                            ("query" + std::to_string(i + 1) + ".txt")),
              Expected()[i]);
  }
}

TEST(ReferenceTest, MissingFilesAndColumnsAreOneLineErrors) {
  const TempDir dir;
  try {
    RunReference(dir.path());
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("movies_metadata.csv: cannot open"));
  }
  std::istringstream movies("id,title\n"), credits(kCredits), ratings(kRatings);
  EXPECT_THROW(RunReference(movies, credits, ratings), std::runtime_error);
}

}  // namespace
}  // namespace chancho::movies
