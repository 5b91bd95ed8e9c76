#include "system/movies/record_file.h"

#include <stdexcept>
#include <utility>

#include "system/movies/csv.h"

namespace chancho::movies {
namespace {

constexpr std::size_t kFlushBytes = std::size_t{1} << 20;

}  // namespace

RecordFile::RecordFile(std::filesystem::path path)
    : path_(std::move(path)), out_(path_, std::ios::binary | std::ios::trunc) {
  if (!out_) throw std::runtime_error(path_.string() + ": cannot create");
}

void RecordFile::Header(const std::vector<std::string>& fields) {
  AppendCsvRecord(buffer_, fields);
}

void RecordFile::Record(const std::vector<std::string>& fields) {
  AppendCsvRecord(buffer_, fields);
  Written(1);
}

void RecordFile::Raw(std::string_view text, int64_t records) {
  buffer_ += text;
  Written(records);
}

void RecordFile::Written(int64_t records) {
  records_ += records;
  if (buffer_.size() >= kFlushBytes) Flush();
}

void RecordFile::Close() {
  Flush();
  out_.close();
  if (!out_) throw std::runtime_error(path_.string() + ": cannot write");
}

void RecordFile::Flush() {
  out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  if (!out_) throw std::runtime_error(path_.string() + ": cannot write");
  bytes_ += static_cast<int64_t>(buffer_.size());
  buffer_.clear();
}

}  // namespace chancho::movies
