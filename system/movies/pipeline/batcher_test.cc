#include "system/movies/pipeline/batcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "system/movies/csv.h"
#include "system/movies/random.h"
#include "system/movies/test_util.h"

namespace chancho::movies {
namespace {

using ::testing::ElementsAre;
using Records = std::vector<std::vector<std::string>>;

struct Batched {
  std::vector<std::string> payloads;
  int64_t records = 0;
  int64_t batches = 0;
  int64_t bad = 0;
};

Batched BatchAll(const std::string& csv, InputFile file) {
  std::istringstream in(csv);
  CsvBatcher batcher(in, file);
  Batched out;
  std::string payload;
  while (batcher.Next(payload)) out.payloads.push_back(payload);
  EXPECT_TRUE(payload.empty());
  EXPECT_FALSE(batcher.Next(payload)) << "the end must stay the end";
  out.records = batcher.records();
  out.batches = batcher.batches();
  out.bad = batcher.bad_records();
  return out;
}

// Every record of `text`; any malformed record fails the test.
Records Parse(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in);
  Records records;
  std::vector<std::string> fields;
  for (;;) {
    const CsvResult result = reader.Next(fields);
    if (result == CsvResult::kEnd) return records;
    EXPECT_EQ(result, CsvResult::kRecord) << reader.error();
    records.push_back(fields);
  }
}

TEST(CsvBatcherTest, CutsAtRecordBoundariesWithinTheLimit) {
  Random random(3);
  // Commas, quotes and both line ends inside fields, so that many records
  // are quoted and span several lines.
  constexpr std::string_view kAlphabet = "ab ,\"\r\n'x";
  const std::vector<std::string> header = {"id", "title", "overview"};
  Records input = {header};
  std::string csv;
  AppendCsvRecord(csv, header, "\r\n");
  for (int r = 0; r < 3000; ++r) {
    std::vector<std::string> fields(1 + random.Below(4));
    for (std::string& field : fields) field = RandomText(random, kAlphabet, 40);
    if (fields.size() == 1 && fields[0].empty()) fields[0] = "x";
    AppendCsvRecord(csv, fields, random.Percent(50) ? "\n" : "\r\n");
    input.push_back(fields);
  }
  ASSERT_GT(csv.size(), 10 * kMaxBatchBytes) << "too small to need batches";

  const Batched batched = BatchAll(csv, InputFile::kRatings);
  ASSERT_GT(batched.payloads.size(), 10u);
  std::string all;
  Records per_batch;
  for (const std::string& payload : batched.payloads) {
    ASSERT_GE(payload.size(), 2u);
    EXPECT_LE(payload.size(), 1 + kMaxBatchBytes);
    EXPECT_EQ(payload[0], static_cast<char>(InputFile::kRatings));
    const std::string records = payload.substr(1);
    EXPECT_EQ(records.back(), '\n');
    // Each batch parses on its own: no record is split between two.
    for (auto& record : Parse(records)) per_batch.push_back(record);
    all += records;
  }
  EXPECT_EQ(Parse(all), input);
  EXPECT_EQ(per_batch, input);
  EXPECT_EQ(Parse(batched.payloads[0].substr(1)).front(), header);
  EXPECT_EQ(batched.records, 3000);
  EXPECT_EQ(batched.batches, static_cast<int64_t>(batched.payloads.size()));
  EXPECT_EQ(batched.bad, 0);
}

TEST(CsvBatcherTest, FillsABatchExactlyToTheLimit) {
  // Header "h\n" plus records of 1022 + '\n' bytes: 2 + 8 * 1023 = 8186,
  // then one of 6 bytes makes exactly kMaxBatchBytes.
  std::string csv = "h\n";
  for (int i = 0; i < 8; ++i) csv += std::string(1022, 'a') + "\n";
  csv += "bbbbb\n";
  ASSERT_EQ(csv.size(), kMaxBatchBytes);
  csv += "c\n";
  const Batched batched = BatchAll(csv, InputFile::kMovies);
  ASSERT_EQ(batched.payloads.size(), 2u);
  EXPECT_EQ(batched.payloads[0].size(), 1 + kMaxBatchBytes);
  EXPECT_EQ(batched.payloads[1], std::string("\0c\n", 3));
  EXPECT_EQ(batched.records, 10);
}

TEST(CsvBatcherTest, CountsMalformedRecordsAndSkipsThem) {
  const std::string csv =
      "h1,h2\n"
      "a,b\n"
      "x\"y,z\n"    // a quote inside an unquoted field
      "\"q\"w,1\n"  // text after a closing quote
      "\"multi\nline, with \"\"quotes\"\"\",2\n"
      "\"never closed,3\n";  // end of input inside quotes
  const Batched batched = BatchAll(csv, InputFile::kCredits);
  ASSERT_EQ(batched.payloads.size(), 1u);
  EXPECT_EQ(batched.payloads[0],
            "\x01h1,h2\na,b\n\"multi\nline, with \"\"quotes\"\"\",2\n");
  EXPECT_EQ(batched.records, 2);
  EXPECT_EQ(batched.bad, 3);
}

TEST(CsvBatcherTest, ARecordOverTheBatchLimitGoesAlone) {
  const std::string big(kMaxBatchBytes + 100, 'B');
  const std::string csv = "h\nsmall1\n" + big + "\nsmall2\n";
  const Batched batched = BatchAll(csv, InputFile::kMovies);
  ASSERT_EQ(batched.payloads.size(), 3u);
  EXPECT_EQ(batched.payloads[0].substr(1), "h\nsmall1\n");
  EXPECT_EQ(batched.payloads[1].substr(1), big + "\n");
  EXPECT_EQ(batched.payloads[2].substr(1), "small2\n");
  EXPECT_EQ(batched.records, 3);
  EXPECT_EQ(batched.bad, 0);
}

TEST(CsvBatcherTest, ARecordTooLargeForAFrameIsBadAndNotSent) {
  // One is too long as a field; the other's field fits (3 MiB of quotes)
  // but in the file every quote is doubled, and that no longer fits in a
  // frame.
  const std::string too_long(kMaxFrameBytes, 'L');
  std::string quotes;
  AppendCsvField(quotes, std::string(3 << 20, '"'));
  ASSERT_GT(quotes.size(), kMaxFrameBytes);
  const std::string csv = "h\nfirst\n" + too_long + "\n" + quotes + "\nlast\n";
  const Batched batched = BatchAll(csv, InputFile::kRatings);
  ASSERT_EQ(batched.payloads.size(), 1u);
  EXPECT_EQ(batched.payloads[0], "\x02h\nfirst\nlast\n");
  EXPECT_EQ(batched.records, 2);
  EXPECT_EQ(batched.bad, 2);
}

TEST(CsvBatcherTest, AHeaderOnlyFileGivesOneBatch) {
  const Batched batched = BatchAll("id,name\r\n", InputFile::kCredits);
  EXPECT_THAT(batched.payloads, ElementsAre("\x01id,name\n"));
  EXPECT_EQ(batched.records, 0);
  EXPECT_EQ(batched.batches, 1);
}

TEST(CsvBatcherTest, AnEmptyFileGivesNoBatch) {
  for (const std::string csv : {"", "\n\n", "\"broken\n"}) {
    const Batched batched = BatchAll(csv, InputFile::kMovies);
    EXPECT_TRUE(batched.payloads.empty()) << csv;
    EXPECT_EQ(batched.records, 0);
    EXPECT_EQ(batched.batches, 0);
    EXPECT_EQ(batched.bad, csv == "\"broken\n" ? 1 : 0);
  }
}

}  // namespace
}  // namespace chancho::movies
