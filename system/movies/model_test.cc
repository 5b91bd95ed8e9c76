#include "system/movies/model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "system/movies/csv.h"
#include "system/movies/table_reader.h"

namespace chancho::movies {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

const char kMoviesHeader[] =
    "adult,belongs_to_collection,budget,genres,homepage,id,imdb_id,"
    "original_language,original_title,overview,popularity,poster_path,"
    "production_companies,production_countries,release_date,revenue,runtime,"
    "spoken_languages,status,tagline,title,video,vote_average,vote_count\n";

// Two rows as the real Kaggle file has them.
const char kToyStory[] =
    "False,\"{'id': 10194, 'name': 'Toy Story Collection', 'poster_path': "
    "'/7G9915LfUQ2lVfwMEEhDsn3kT4B.jpg', 'backdrop_path': "
    "'/9FBwqcd9IRruEDUrTdcaafOMKUq.jpg'}\",30000000,\"[{'id': 16, 'name': "
    "'Animation'}, {'id': 35, 'name': 'Comedy'}, {'id': 10751, 'name': "
    "'Family'}]\",http://toystory.disney.com/toy-story,862,tt0114709,en,Toy "
    "Story,\"Led by Woody, Andy's toys live happily in his room until Andy's "
    "birthday brings Buzz Lightyear onto the scene.\",21.946943,"
    "/rhIRbceoE9lR4veEXuwCC2wARtG.jpg,\"[{'name': 'Pixar Animation Studios', "
    "'id': 3}]\",\"[{'iso_3166_1': 'US', 'name': 'United States of "
    "America'}]\",1995-10-30,373554033.0,81.0,\"[{'iso_639_1': 'en', 'name': "
    "'English'}]\",Released,,Toy Story,False,7.7,5415.0\n";
const char kNueveReinas[] =
    "False,,1500000,\"[{'id': 80, 'name': 'Crime'}, {'id': 18, 'name': "
    "'Drama'}]\",,18079,tt0247586,es,Nueve reinas,\"Two con artists try to "
    "swindle a stamp collector by selling him a sheet of counterfeit rare "
    "stamps (the \"\"nine queens\"\").\",8.0,/x.jpg,\"[]\",\"[{'iso_3166_1': "
    "'AR', 'name': 'Argentina'}]\",2000-08-31,12412.0,114.0,\"[{'iso_639_1': "
    "'es', 'name': 'Español'}]\",Released,,Nine Queens,False,7.5,180.0\n";

std::vector<std::string> Fields(const std::string& line) {
  std::istringstream in(line);
  CsvReader reader(in);
  std::vector<std::string> fields;
  EXPECT_EQ(reader.Next(fields), CsvResult::kRecord) << line;
  return fields;
}

MovieParser KaggleMovieParser() { return MovieParser(Fields(kMoviesHeader)); }

TEST(MovieParserTest, ParsesRealKaggleRows) {
  const MovieParser parser = KaggleMovieParser();
  Movie movie;
  ASSERT_EQ(parser.Parse(Fields(kToyStory), movie), RowError::kNone);
  EXPECT_EQ(movie.id, 862);
  EXPECT_EQ(movie.title, "Toy Story");
  EXPECT_THAT(movie.genres, ElementsAre("Animation", "Comedy", "Family"));
  EXPECT_THAT(movie.countries, ElementsAre("US"));
  EXPECT_EQ(movie.year, 1995);
  EXPECT_EQ(movie.budget, 30'000'000);
  EXPECT_EQ(movie.revenue, 373'554'033);
  EXPECT_THAT(movie.overview, HasSubstr("Led by Woody, Andy's toys"));

  ASSERT_EQ(parser.Parse(Fields(kNueveReinas), movie), RowError::kNone);
  EXPECT_EQ(movie.id, 18079);
  EXPECT_EQ(movie.title, "Nine Queens");
  EXPECT_THAT(movie.countries, ElementsAre("AR"));
  EXPECT_EQ(movie.year, 2000);
  EXPECT_EQ(movie.revenue, 12412);
  EXPECT_THAT(movie.overview, HasSubstr("(the \"nine queens\")"));
}

TEST(MovieParserTest, FindsColumnsByNameInAnyOrder) {
  const MovieParser parser(
      Fields("extra,overview,title,revenue,budget,release_date,"
             "production_countries,genres,id\n"));
  Movie movie;
  ASSERT_EQ(parser.Parse(Fields("x,o,\"Two\nlines\",,7,,[],\"[{'name': "
                                "'Drama'}]\",5\n"),
                         movie),
            RowError::kNone);
  EXPECT_EQ(movie.id, 5);
  EXPECT_EQ(movie.title, "Two lines");
  EXPECT_THAT(movie.genres, ElementsAre("Drama"));
  EXPECT_THAT(movie.countries, IsEmpty());
  EXPECT_EQ(movie.year, std::nullopt);
  EXPECT_EQ(movie.budget, 7);
  EXPECT_EQ(movie.revenue, 0);
}

TEST(MovieParserTest, EmptyListCellsMeanNoEntries) {
  const MovieParser parser(
      Fields("id,title,genres,production_countries,release_date,budget,"
             "revenue,overview\n"));
  Movie movie;
  ASSERT_EQ(parser.Parse(Fields("1,T,,,2001-01-01,0,0.0,\n"), movie),
            RowError::kNone);
  EXPECT_THAT(movie.genres, IsEmpty());
  EXPECT_THAT(movie.countries, IsEmpty());
}

TEST(MovieParserTest, NamesEveryKindOfBrokenRow) {
  const MovieParser parser(
      Fields("id,title,genres,production_countries,release_date,budget,"
             "revenue,overview\n"));
  const std::vector<std::pair<std::string, RowError>> cases = {
      {"1,T,[],[],2001-01-01,0,0", RowError::kColumnCount},
      {"1,T,[],[],2001-01-01,0,0,o,extra", RowError::kColumnCount},
      {"1997-08-20,T,[],[],2001-01-01,0,0,o", RowError::kBadId},
      {",T,[],[],2001-01-01,0,0,o", RowError::kBadId},
      {"-3,T,[],[],2001-01-01,0,0,o", RowError::kBadId},
      {"1,T,[],[],2001-01-01,/ff9qCepilowshEtG2GYWwzt2bs4.jpg,0,o",
       RowError::kBadNumber},
      {"1,T,[],[],2001-01-01,0,12.5,o", RowError::kBadNumber},
      {"1,T,[],[],2001-13-01,0,0,o", RowError::kBadDate},
      {"1,T,[],[],104.0,0,0,o", RowError::kBadDate},
      {"1,T,\"[{'id': 16, 'name': 'Animation'}\",[],2001-01-01,0,0,o",
       RowError::kBadLiteral},
      {"1,T,[],\"[{'name': 'Spain'}]\",2001-01-01,0,0,o",
       RowError::kBadLiteral},
      {"1,T,[],Spain,2001-01-01,0,0,o", RowError::kBadLiteral},
  };
  for (const auto& [line, expected] : cases) {
    Movie movie;
    EXPECT_EQ(parser.Parse(Fields(line + "\n"), movie), expected) << line;
  }
}

TEST(ColumnsTest, MissingColumnIsOneLineError) {
  try {
    MovieParser parser(Fields("id,title,genres\n"));
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "movies_metadata.csv: no column 'production_countries' in "
                 "the header");
  }
}

TEST(CreditParserTest, ReadsCastNamesInOrder) {
  const CreditParser parser(Fields("cast,crew,id\n"));
  Credit credit;
  ASSERT_EQ(
      parser.Parse(Fields("\"[{'cast_id': 14, 'character': 'Woody', "
                          "'name': 'Tom Hanks', 'order': 0, "
                          "'profile_path': None}, {'name': \"\"Annie "
                          "O'Neil\"\"}, {'name': 'Tom Hanks'}]\",\"[{'job':"
                          " 'Director', 'name': 'John'}]\",862\n"),
                   credit),
      RowError::kNone);
  EXPECT_EQ(credit.movie_id, 862);
  EXPECT_THAT(credit.cast,
              ElementsAre("Tom Hanks", "Annie O'Neil", "Tom Hanks"));
  // crew is not read, so a broken crew does not spoil the row.
  EXPECT_EQ(parser.Parse(Fields("[],[{,7\n"), credit), RowError::kNone);
  EXPECT_EQ(parser.Parse(Fields("[],[],1997-08-20\n"), credit),
            RowError::kBadId);
  EXPECT_EQ(parser.Parse(Fields("\"[{'name': 'x'\",[],7\n"), credit),
            RowError::kBadLiteral);
  EXPECT_EQ(parser.Parse(Fields("[],7\n"), credit), RowError::kColumnCount);
}

TEST(RatingParserTest, ReadsRatingsInTenths) {
  const RatingParser parser(Fields("userId,movieId,rating,timestamp\n"));
  Rating rating;
  ASSERT_EQ(parser.Parse(Fields("1,31,2.5,1260759144\n"), rating),
            RowError::kNone);
  EXPECT_EQ(rating, (Rating{1, 31, 25}));
  ASSERT_EQ(parser.Parse(Fields("7,862,5,x\n"), rating), RowError::kNone);
  EXPECT_EQ(rating.tenths, 50);
  EXPECT_EQ(parser.Parse(Fields("1,31,4.25,1\n"), rating),
            RowError::kBadNumber);
  EXPECT_EQ(parser.Parse(Fields("1,31,5.5,1\n"), rating), RowError::kBadNumber);
  EXPECT_EQ(parser.Parse(Fields("1,31,,1\n"), rating), RowError::kBadNumber);
  EXPECT_EQ(parser.Parse(Fields("1,tt0114709,3.5,1\n"), rating),
            RowError::kBadId);
  EXPECT_EQ(parser.Parse(Fields("1,31,3.5\n"), rating), RowError::kColumnCount);
}

TEST(ParseHelpersTest, IdsAndDates) {
  EXPECT_THAT(ParseId("862"), Optional(862));
  EXPECT_THAT(ParseId("0"), Optional(0));
  EXPECT_EQ(ParseId("862.0"), std::nullopt);
  EXPECT_EQ(ParseId(" 862"), std::nullopt);
  EXPECT_EQ(ParseId("1234567890123456789"), std::nullopt);
  EXPECT_THAT(ParseReleaseYear("1995-10-30"), Optional(1995));
  EXPECT_EQ(ParseReleaseYear("1995-10-32"), std::nullopt);
  EXPECT_EQ(ParseReleaseYear("1995-00-10"), std::nullopt);
  EXPECT_EQ(ParseReleaseYear("1995/10/30"), std::nullopt);
  EXPECT_EQ(ParseReleaseYear("95-10-30"), std::nullopt);
  EXPECT_EQ(OneLine("a\r\nb\nc"), "a  b c");
}

TEST(TableReaderTest, SkipsAndCountsBrokenAndDuplicateRows) {
  std::istringstream in(
      std::string(kMoviesHeader) + kToyStory +
      "False,,0,[],,1997-08-20,x\n"  // missing columns, date as id
      "x,\"never \"closed\n" +
      kNueveReinas +  // broken quoting
      kToyStory);     // duplicate
  MovieReader reader(in);
  std::vector<int64_t> ids;
  Movie movie;
  while (reader.Next(movie)) ids.push_back(movie.id);
  EXPECT_THAT(ids, ElementsAre(862, 18079));
  EXPECT_EQ(reader.stats().rows, 5);
  EXPECT_EQ(reader.stats().skipped(), 3);
  EXPECT_EQ(reader.stats().Reasons(), "csv=1,column_count=1,duplicate=1");
}

TEST(TableReaderTest, KeepsRepeatedRatingsAndRejectsFilesWithoutHeader) {
  std::istringstream ratings(
      "userId,movieId,rating,timestamp\n1,2,3.0,0\n"
      "1,2,3.0,0\n");
  RatingReader reader(ratings);
  Rating rating;
  int count = 0;
  while (reader.Next(rating)) ++count;
  EXPECT_EQ(count, 2);
  EXPECT_EQ(reader.stats().skipped(), 0);
  EXPECT_EQ(reader.stats().Reasons(), "");

  std::istringstream empty("");
  EXPECT_THROW(RatingReader{empty}, std::runtime_error);
  std::istringstream wrong("user,movie\n1,2\n");
  EXPECT_THROW(RatingReader{wrong}, std::runtime_error);
}

}  // namespace
}  // namespace chancho::movies
