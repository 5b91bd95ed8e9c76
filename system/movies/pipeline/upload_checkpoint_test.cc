// The upload checkpoint that a client session resumes from: what is saved
// comes back whole, and damaged bytes are refused rather than half-read.
#include <gtest/gtest.h>

#include "system/movies/pipeline/upload.h"
#include "system/movies/pipeline/wire.h"

namespace chancho::movies {
namespace {

UploadCheckpoint Sample() {
  UploadCheckpoint c;
  c.file = 1;
  c.frames = 77;
  c.sequence = 1234567;
  c.started = true;
  c.header = {"cast", "crew", "id"};
  c.seen_ids = {-3, 2, 862, 1 << 30};
  c.stats[0].rows = 3016;
  c.stats[0].Count(RowError::kDuplicate);
  c.stats[1].rows = 500;
  c.stats[1].Count(RowError::kCsv);
  c.stats[1].Count(RowError::kCsv);
  return c;
}

void ExpectSame(const UploadCheckpoint& a, const UploadCheckpoint& b) {
  EXPECT_EQ(a.file, b.file);
  EXPECT_EQ(a.frames, b.frames);
  EXPECT_EQ(a.sequence, b.sequence);
  EXPECT_EQ(a.started, b.started);
  EXPECT_EQ(a.header, b.header);
  EXPECT_EQ(a.seen_ids, b.seen_ids);
  for (int f = 0; f < kInputFileCount; ++f) {
    EXPECT_EQ(a.stats[f].rows, b.stats[f].rows) << f;
    EXPECT_EQ(a.stats[f].skipped_by, b.stats[f].skipped_by) << f;
  }
}

TEST(UploadCheckpointTest, DecodeGivesBackWhatEncodeSaved) {
  ExpectSame(UploadCheckpoint::Decode(Sample().Encode()), Sample());
  ExpectSame(UploadCheckpoint::Decode(UploadCheckpoint{}.Encode()),
             UploadCheckpoint{});
  UploadCheckpoint done;
  done.file = kInputFileCount;  // every file taken
  EXPECT_EQ(UploadCheckpoint::Decode(done.Encode()).file, kInputFileCount);
}

TEST(UploadCheckpointTest, DamagedBytesAreRefused) {
  const std::string bytes = Sample().Encode();
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_THROW(UploadCheckpoint::Decode(bytes.substr(0, cut)), WireError)
        << "cut at " << cut;
  }
  EXPECT_THROW(UploadCheckpoint::Decode(bytes + "x"), WireError);
  UploadCheckpoint bad = Sample();
  bad.file = kInputFileCount + 1;
  EXPECT_THROW(UploadCheckpoint::Decode(bad.Encode()), WireError);
}

}  // namespace
}  // namespace chancho::movies
