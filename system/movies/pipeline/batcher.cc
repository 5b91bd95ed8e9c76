#include "system/movies/pipeline/batcher.h"

#include <istream>

namespace chancho::movies {

CsvBatcher::CsvBatcher(std::istream& in, InputFile file,
                       std::size_t max_batch_bytes,
                       std::size_t max_record_bytes)
    // The reader's own limit counts field bytes, which never exceed the
    // record's bytes as read: a record it drops could not have been sent
    // anyway, and it keeps the reader from buffering more than one frame's
    // worth.
    : reader_(in, max_record_bytes),
      file_byte_(static_cast<char>(file)),
      max_batch_bytes_(max_batch_bytes),
      max_record_bytes_(max_record_bytes) {}

bool CsvBatcher::ReadRecord() {
  for (;;) {
    switch (reader_.NextRaw(pending_)) {
      case CsvResult::kEnd:
        return false;
      case CsvResult::kMalformed:
        ++bad_records_;
        continue;
      case CsvResult::kRecord:
        break;
    }
    if (pending_.size() > max_record_bytes_) {
      ++bad_records_;
      continue;
    }
    pending_is_header_ = !header_seen_;
    header_seen_ = true;
    has_pending_ = true;
    return true;
  }
}

bool CsvBatcher::Next(std::string& payload) {
  payload.clear();
  if (!has_pending_ && !ReadRecord()) return false;
  payload.push_back(file_byte_);
  // Computed once per payload, so that the record cap costs one compare per
  // record.
  const int64_t records_limit = records_ > INT64_MAX - max_batch_records_
                                    ? INT64_MAX
                                    : records_ + max_batch_records_;
  for (;;) {
    const bool first = payload.size() == 1;
    // A record that does not fit waits for the next payload, where it is
    // first and therefore always fits.
    if (!first && (payload.size() - 1 + pending_.size() > max_batch_bytes_ ||
                   records_ >= records_limit)) {
      break;
    }
    payload += pending_;
    has_pending_ = false;
    if (!pending_is_header_) ++records_;
    if (first && pending_.size() > max_batch_bytes_) break;  // goes alone
    if (!ReadRecord()) break;
  }
  ++batches_;
  return true;
}

}  // namespace chancho::movies
