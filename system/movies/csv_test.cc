#include "system/movies/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "system/movies/random.h"
#include "system/movies/test_util.h"

namespace chancho::movies {
namespace {

using ::testing::ElementsAre;
using namespace std::string_view_literals;
using Records = std::vector<std::vector<std::string>>;

// Every record of `text` read by `reader`; a malformed one is recorded as
// {"<malformed>"}.
Records ReadAllFrom(CsvReader& reader) {
  Records records;
  std::vector<std::string> fields;
  for (;;) {
    const CsvResult result = reader.Next(fields);
    if (result == CsvResult::kEnd) break;
    if (result == CsvResult::kMalformed) {
      EXPECT_FALSE(reader.error().empty());
      records.push_back({"<malformed>"});
    } else {
      records.push_back(fields);
    }
  }
  return records;
}

Records ReadAll(const std::string& text,
                std::size_t max_bytes = CsvReader::kDefaultMaxRecordBytes) {
  std::istringstream in(text);
  CsvReader reader(in, max_bytes);
  return ReadAllFrom(reader);
}

// Every record of `text` as NextRaw gives it; a malformed one as
// "<malformed>".
std::vector<std::string> ReadAllRaw(
    const std::string& text,
    std::size_t max_bytes = CsvReader::kDefaultMaxRecordBytes) {
  std::istringstream in(text);
  CsvReader reader(in, max_bytes);
  std::vector<std::string> records;
  std::string raw;
  for (CsvResult r; (r = reader.NextRaw(raw)) != CsvResult::kEnd;) {
    records.push_back(r == CsvResult::kRecord ? raw : "<malformed>");
  }
  return records;
}

// A text with the quoting, line ends and broken records the reader meets,
// and with fields long enough to cross its chunks.
std::string MixedText(Random& random, int records) {
  constexpr std::string_view kAlphabet = "ab ,\"\r\n'x";
  std::string text;
  for (int r = 0; r < records; ++r) {
    std::vector<std::string> fields(1 + random.Below(4));
    for (std::string& field : fields) {
      field = RandomText(random, kAlphabet, random.Percent(2) ? 100'000 : 30);
    }
    AppendCsvRecord(text, fields, random.Percent(50) ? "\n" : "\r\n");
    if (random.Percent(5)) text += "x\"y,z\n";    // a stray quote
    if (random.Percent(5)) text += "\"q\"w,1\n";  // text after a quote
    if (random.Percent(5)) text += "\n\r\n";      // blank lines
  }
  return text;
}

TEST(CsvReaderTest, ReadsPlainRecordsWithAnyLineEnd) {
  EXPECT_THAT(
      ReadAll("a,b,c\n1,2,3\n"),
      ElementsAre(ElementsAre("a", "b", "c"), ElementsAre("1", "2", "3")));
  EXPECT_THAT(ReadAll("a,b\r\n1,2\r\n"),
              ElementsAre(ElementsAre("a", "b"), ElementsAre("1", "2")));
  EXPECT_THAT(ReadAll("a,b\r1,2"),
              ElementsAre(ElementsAre("a", "b"), ElementsAre("1", "2")));
}

TEST(CsvReaderTest, KeepsEmptyFields) {
  EXPECT_THAT(ReadAll("a,,b,\n"), ElementsAre(ElementsAre("a", "", "b", "")));
  EXPECT_THAT(ReadAll(",\n"), ElementsAre(ElementsAre("", "")));
  EXPECT_THAT(ReadAll("\"\"\n"), ElementsAre(ElementsAre("")));
}

TEST(CsvReaderTest, SkipsBlankLinesAndAByteOrderMark) {
  EXPECT_THAT(ReadAll("\xEF\xBB\xBFid,x\n\n\r\n1,2\n\n"),
              ElementsAre(ElementsAre("id", "x"), ElementsAre("1", "2")));
  EXPECT_THAT(ReadAll(""), ElementsAre());
  EXPECT_THAT(ReadAll("\n\n"), ElementsAre());
}

TEST(CsvReaderTest, UnquotesCommasQuotesAndLineBreaks) {
  EXPECT_THAT(
      ReadAll("1,\"Led by Woody, Andy's toys\",\"say \"\"hi\"\"\"\n"
              "2,\"line one\nline two\r\nline three\",x\n"),
      ElementsAre(ElementsAre("1", "Led by Woody, Andy's toys", "say \"hi\""),
                  ElementsAre("2", "line one\nline two\r\nline three", "x")));
  EXPECT_THAT(
      ReadAll("\"[{'id': 16, 'name': 'Animation'}]\",\"\"\"\"\n"),
      ElementsAre(ElementsAre("[{'id': 16, 'name': 'Animation'}]", "\"")));
}

TEST(CsvReaderTest, ReportsTheStartingLineOfEachRecord) {
  std::istringstream in("h\n\"a\nb\nc\"\n\nz\n");
  CsvReader reader(in);
  std::vector<std::string> fields;
  ASSERT_EQ(reader.Next(fields), CsvResult::kRecord);
  EXPECT_EQ(reader.line(), 1);
  ASSERT_EQ(reader.Next(fields), CsvResult::kRecord);
  EXPECT_EQ(reader.line(), 2);
  ASSERT_EQ(reader.Next(fields), CsvResult::kRecord);
  EXPECT_EQ(reader.line(), 6);
  EXPECT_THAT(fields, ElementsAre("z"));
  EXPECT_EQ(reader.Next(fields), CsvResult::kEnd);
  EXPECT_EQ(reader.Next(fields), CsvResult::kEnd);
}

TEST(CsvReaderTest, AStrayQuoteSpoilsOnlyItsLine) {
  EXPECT_THAT(ReadAll("a,b\"c,d\n1,2\n"),
              ElementsAre(ElementsAre("<malformed>"), ElementsAre("1", "2")));
  EXPECT_THAT(ReadAll("\"ab\"c,d\r\n1,2\n"),
              ElementsAre(ElementsAre("<malformed>"), ElementsAre("1", "2")));
  EXPECT_THAT(ReadAll(" \"x\",y\n3\n"),
              ElementsAre(ElementsAre("<malformed>"), ElementsAre("3")));
}

TEST(CsvReaderTest, EndOfInputInsideQuotesIsMalformed) {
  EXPECT_THAT(ReadAll("a,b\n1,\"never closed\n2,3\n"),
              ElementsAre(ElementsAre("a", "b"), ElementsAre("<malformed>")));
  EXPECT_THAT(ReadAll("\""), ElementsAre(ElementsAre("<malformed>")));
}

TEST(CsvReaderTest, DropsRecordsAboveTheSizeLimit) {
  const std::string long_field(100, 'x');
  EXPECT_THAT(
      ReadAll("ok\n" + long_field + "\n\"" + long_field + "\"\nend\n", 50),
      ElementsAre(ElementsAre("ok"), ElementsAre("<malformed>"),
                  ElementsAre("<malformed>"), ElementsAre("end")));
  // The limit counts field bytes: separators are free.
  EXPECT_THAT(ReadAll("aaaa,bbbb\n", 8),
              ElementsAre(ElementsAre("aaaa", "bbbb")));
  EXPECT_THAT(ReadAll("aaaa,bbbbb\n", 8),
              ElementsAre(ElementsAre("<malformed>")));
  EXPECT_THAT(ReadAllRaw("aaaa,bbbb\naaaa,bbbbb\n", 8),
              ElementsAre("aaaa,bbbb\n", "<malformed>"));
}

TEST(CsvReaderTest, ReadsFieldsLongerThanItsChunks) {
  // Quotes, doubled quotes and line ends fall on the chunk boundaries.
  std::string big;
  for (int i = 0; i < 300'000; ++i) big += (i % 7 == 0) ? '"' : "ab,\n"[i % 4];
  std::string text;
  AppendCsvRecord(text, {"1", big, "z"});
  AppendCsvRecord(text, {"2", "", big});
  EXPECT_THAT(ReadAll(text), ElementsAre(ElementsAre("1", big, "z"),
                                         ElementsAre("2", "", big)));
}

TEST(CsvReaderTest, TextInMemoryReadsLikeAStream) {
  Random random(5);
  const std::string text = MixedText(random, 400);
  CsvReader in_memory{std::string_view(text)};
  const Records records = ReadAllFrom(in_memory);
  EXPECT_EQ(records, ReadAll(text));
  EXPECT_GT(records.size(), 400u);
  constexpr std::string_view kAlphabet = "a,\"\r\n\xEF\xBB\xBF\0"sv;
  for (int round = 0; round < 500; ++round) {
    const std::string bytes = RandomText(random, kAlphabet, 40);
    CsvReader reader{std::string_view(bytes), 16};
    EXPECT_EQ(ReadAllFrom(reader), ReadAll(bytes, 16)) << bytes;
  }
}

TEST(CsvReaderTest, RawRecordsAreTheBytesAsReadWithANewline) {
  EXPECT_THAT(ReadAllRaw("\xEF\xBB\xBF\"a\",b\r\n\nx,\"y\r\nz\"\"\"\r1,2"),
              ElementsAre("\"a\",b\n", "x,\"y\r\nz\"\"\"\n", "1,2\n"));
  EXPECT_THAT(ReadAllRaw("h\na\"b\nok\n\"open\n"),
              ElementsAre("h\n", "<malformed>", "ok\n", "<malformed>"));
  EXPECT_THAT(ReadAllRaw("\"\"\r\n,\r"), ElementsAre("\"\"\n", ",\n"));
}

TEST(CsvReaderTest, RawRecordsReadBackAsTheSameFields) {
  Random random(9);
  const std::string text = MixedText(random, 400);
  // Records of up to two long fields fit; longer ones are malformed.
  const Records records = ReadAll(text, 250'000);
  const std::vector<std::string> raws = ReadAllRaw(text, 250'000);
  ASSERT_EQ(raws.size(), records.size());
  EXPECT_TRUE(std::any_of(raws.begin(), raws.end(), [](const std::string& r) {
    return r.size() > 100'000;  // read across the reader's chunks
  }));
  for (std::size_t i = 0; i < raws.size(); ++i) {
    if (raws[i] == "<malformed>") {
      EXPECT_THAT(records[i], ElementsAre("<malformed>"));
      continue;
    }
    EXPECT_EQ(raws[i].back(), '\n');
    EXPECT_THAT(ReadAll(raws[i]), ElementsAre(records[i])) << i;
  }
}

TEST(CsvWriterTest, QuotesLikePythonsCsvModule) {
  std::string out;
  AppendCsvRecord(out, {"plain", "a,b", "say \"x\"", "two\nlines", "cr\r", ""});
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"x\"\"\",\"two\nlines\",\"cr\r\",\n");
  out.clear();
  AppendCsvRecord(out, {""}, "\r\n");
  EXPECT_EQ(out, "\"\"\r\n");
}

TEST(CsvRoundTripTest, RandomRecordsReadBackUnchanged) {
  Random random(7);
  constexpr std::string_view kAlphabet = "ab ,\"\r\n'\xC3\xA9";
  Records written;
  std::string text;
  for (int r = 0; r < 500; ++r) {
    std::vector<std::string> fields(1 + random.Below(6));
    for (std::string& field : fields) {
      field = RandomText(random, kAlphabet, 12);
    }
    // An all-empty record of several fields is ",,", which reads back fine;
    // a single empty field is written as "" by the writer.
    AppendCsvRecord(text, fields, random.Percent(50) ? "\n" : "\r\n");
    written.push_back(fields);
  }
  EXPECT_EQ(ReadAll(text), written);
}

TEST(CsvReaderTest, ArbitraryBytesNeverCrashOrHang) {
  Random random(11);
  constexpr std::string_view kAlphabet = "a,\"\r\n\xEF\xBB\xBF\0"sv;
  for (int round = 0; round < 2000; ++round) {
    const std::string text = RandomText(random, kAlphabet, 40);
    const Records records = ReadAll(text, 16);
    EXPECT_LE(records.size(), text.size() + 1);
  }
}

}  // namespace
}  // namespace chancho::movies
