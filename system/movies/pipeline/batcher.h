#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "system/movies/csv.h"
#include "system/movies/pipeline/client_protocol.h"

namespace chancho::movies {

// Cuts one input file into the payloads of Data frames (client_protocol.h):
// byte 0 names the file, then whole records as they stand in the file
// (CsvReader::NextRaw: checked, not re-encoded) with '\n' line ends. The
// first record the reader accepts (the header) opens the first payload.
//
// A payload holds at most 1 + `max_batch_bytes` bytes, except that a record
// larger than `max_batch_bytes` travels alone, and at most
// set_max_batch_records() records (the header not counted; unlimited by
// default). A record larger than
// `max_record_bytes` (by default what fits in a frame next to the file
// byte) is not sent and counts as bad, like the records CsvReader reports
// malformed.
//
// Memory stays bounded by one payload plus one record: the file is streamed.
// An empty file (or one with only broken records) gives no payload at all.
//
// Not thread-safe. The stream is not owned and must outlive the batcher; an
// I/O error of the stream ends the file early (check the stream's bad()).
class CsvBatcher {
 public:
  CsvBatcher(std::istream& in, InputFile file,
             std::size_t max_batch_bytes = kMaxBatchBytes,
             std::size_t max_record_bytes = kMaxFrameBytes - 1);

  CsvBatcher(const CsvBatcher&) = delete;
  CsvBatcher& operator=(const CsvBatcher&) = delete;

  // Replaces `payload` with the next Data payload; false (and `payload`
  // empty) once the file is exhausted.
  bool Next(std::string& payload);

  // Caps the records of each payload from now on (at least 1); the paced
  // client cuts smaller batches with it.
  void set_max_batch_records(int64_t max) { max_batch_records_ = max; }

  // Records sent in the payloads returned so far, the header excluded.
  int64_t records() const { return records_; }
  // Payloads returned so far.
  int64_t batches() const { return batches_; }
  // Records dropped so far: malformed CSV or too large for a frame. This is
  // the count that FileEnd carries.
  int64_t bad_records() const { return bad_records_; }

 private:
  // Reads until it holds the encoding of the next good record in
  // `pending_`; false at the end of the file.
  bool ReadRecord();

  CsvReader reader_;
  const char file_byte_;
  const std::size_t max_batch_bytes_;
  const std::size_t max_record_bytes_;
  // The record read but not yet placed in a payload.
  std::string pending_;
  bool has_pending_ = false;
  bool header_seen_ = false;
  bool pending_is_header_ = false;
  int64_t records_ = 0;
  int64_t batches_ = 0;
  int64_t bad_records_ = 0;
  int64_t max_batch_records_ = INT64_MAX;
};

}  // namespace chancho::movies
