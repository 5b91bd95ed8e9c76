#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace chancho::movies {

// A CSV file written through a large in-memory buffer, so that millions of
// small rows cost few system calls. It counts the data records written and
// how many of them a reader is meant to skip (the generator's broken rows).
//
// Throws std::runtime_error "<path>: ..." when the file cannot be created
// or written. Not thread-safe.
class RecordFile {
 public:
  explicit RecordFile(std::filesystem::path path);

  // The header record, which is not counted.
  void Header(const std::vector<std::string>& fields);
  // One record, quoted like Python's csv module.
  void Record(const std::vector<std::string>& fields);
  // Text holding `records` complete records.
  void Raw(std::string_view text, int64_t records);

  // For records appended in place: append to buffer(), then call Written.
  std::string& buffer() { return buffer_; }
  void Written(int64_t records);
  void Skipped(int64_t records) { skipped_ += records; }

  // Writes what is buffered and closes the file.
  void Close();

  int64_t records() const { return records_; }
  int64_t skipped() const { return skipped_; }
  int64_t bytes() const { return bytes_; }

 private:
  void Flush();

  std::filesystem::path path_;
  std::ofstream out_;
  std::string buffer_;
  int64_t records_ = 0;
  int64_t skipped_ = 0;
  int64_t bytes_ = 0;
};

}  // namespace chancho::movies
