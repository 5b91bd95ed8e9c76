#include "system/movies/csv.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <istream>
#include <utility>

namespace chancho::movies {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{64} << 10;

// The bytes that end an unquoted field, as a table: the scan below is the
// reader's inner loop.
constexpr std::array<bool, 256> kEndsUnquoted = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : {',', '\n', '\r', '"'}) table[c] = true;
  return table;
}();

const char* FindUnquotedEnd(const char* begin, const char* limit) {
  while (begin != limit && !kEndsUnquoted[static_cast<unsigned char>(*begin)]) {
    ++begin;
  }
  return begin;
}

// The bytes that end a record without quotes, or show that it has some.
constexpr std::array<bool, 256> kEndsPlainLine = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : {'\n', '\r', '"'}) table[c] = true;
  return table;
}();

const char* FindQuote(const char* begin, const char* limit) {
  const void* found =
      std::memchr(begin, '"', static_cast<std::size_t>(limit - begin));
  return found != nullptr ? static_cast<const char*>(found) : limit;
}

}  // namespace

CsvReader::CsvReader(std::istream& in, std::size_t max_record_bytes)
    : in_(&in), max_record_bytes_(max_record_bytes), buffer_(kChunkBytes) {
  data_ = buffer_.data();
}

CsvReader::CsvReader(std::string_view text, std::size_t max_record_bytes)
    : max_record_bytes_(max_record_bytes),
      data_(text.data()),
      end_(text.size()) {}

bool CsvReader::Fill() {
  if (in_ == nullptr) return false;
  if (raw_ != nullptr) raw_->append(data_ + raw_from_, end_ - raw_from_);
  raw_from_ = 0;
  pos_ = 0;
  end_ = 0;
  if (!in_->good()) return false;
  in_->read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  end_ = static_cast<std::size_t>(std::max<std::streamsize>(in_->gcount(), 0));
  return end_ > 0;
}

void CsvReader::FinishLineEnd(int c) {
  if (c == '\r' && Peek() == '\n') Get();
}

void CsvReader::SkipLine() {
  raw_ = nullptr;
  for (;;) {
    const int c = Get();
    if (c == kEof) return;
    if (c == '\n' || c == '\r') {
      FinishLineEnd(c);
      return;
    }
  }
}

int CsvReader::TakeUntil(std::string* field, bool quoted, std::size_t budget,
                         std::size_t& taken) {
  // Whole runs are copied at once: fields are mostly long Python literals
  // and prose, and per-byte appends would dominate the time on large files.
  for (;;) {
    if (pos_ == end_ && !Fill()) return kEof;
    const char* begin = data_ + pos_;
    const char* limit = data_ + end_;
    const char* stop =
        quoted ? FindQuote(begin, limit) : FindUnquotedEnd(begin, limit);
    // Only a quoted field can hold a line end.
    if (quoted) line_ += std::count(begin, stop, '\n');
    if (field != nullptr) field->append(begin, stop);
    taken += static_cast<std::size_t>(stop - begin);
    pos_ += static_cast<std::size_t>(stop - begin);
    if (taken > budget) return kTooLong;
    if (stop != limit) return static_cast<unsigned char>(*stop);
  }
}

CsvResult CsvReader::Malformed(std::string message) {
  raw_ = nullptr;
  error_ = std::move(message);
  return CsvResult::kMalformed;
}

bool CsvReader::TakePlainLine(std::vector<std::string>* fields,
                              std::string* raw) {
  const char* begin = data_ + pos_;
  const char* limit = data_ + end_;
  const char* stop = begin;
  if (fields == nullptr) {
    while (stop != limit &&
           !kEndsPlainLine[static_cast<unsigned char>(*stop)]) {
      ++stop;
    }
  } else {
    // Fields are cut at each comma on the way; a quote or the end of the
    // buffer leaves them to the long way, which starts over.
    std::size_t count = 0;
    for (const char* field = begin;; ++stop) {
      while (stop != limit &&
             !kEndsUnquoted[static_cast<unsigned char>(*stop)]) {
        ++stop;
      }
      if (stop == limit || *stop == '"') return false;
      if (count == fields->size()) fields->emplace_back();
      (*fields)[count++].assign(field, stop);
      if (*stop != ',') break;
      field = stop + 1;
    }
    fields->resize(count);
  }
  // Commas count in the length, so a record near the limit takes the long
  // way, which counts exactly.
  if (stop == limit || *stop == '"' ||
      static_cast<std::size_t>(stop - begin) > max_record_bytes_) {
    return false;
  }
  if (raw != nullptr) {
    raw->assign(begin, stop);
    raw->push_back('\n');
  }
  pos_ += static_cast<std::size_t>(stop - begin);
  FinishLineEnd(Get());
  return true;
}

CsvResult CsvReader::Read(std::vector<std::string>* fields, std::string* raw) {
  error_.clear();
  if (at_start_) {
    at_start_ = false;
    // Files saved by spreadsheet tools often start with a BOM, which would
    // otherwise become part of the first column's name.
    if ((end_ > 0 || Fill()) && end_ >= 3 && data_[0] == '\xEF' &&
        data_[1] == '\xBB' && data_[2] == '\xBF') {
      pos_ = 3;
    }
  }
  for (;;) {
    const int c = Peek();
    if (c == kEof) return CsvResult::kEnd;
    if (c != '\n' && c != '\r') break;
    Get();
    FinishLineEnd(c);
  }
  record_line_ = line_;
  if (TakePlainLine(fields, raw)) return CsvResult::kRecord;
  if (raw != nullptr) {
    raw->clear();
    raw_ = raw;
    raw_from_ = pos_;
  }

  std::size_t count = 0;
  std::size_t bytes = 0;
  for (;;) {
    std::string* field = nullptr;
    if (fields != nullptr) {
      if (count == fields->size()) fields->emplace_back();
      field = &(*fields)[count++];
      field->clear();
    }
    const bool quoted = Peek() == '"';
    if (quoted) Get();
    int c;
    for (;;) {
      c = TakeUntil(field, quoted, max_record_bytes_, bytes);
      if (c == kTooLong) {
        SkipLine();
        return Malformed("record longer than " +
                         std::to_string(max_record_bytes_) + " bytes");
      }
      if (!quoted || c == kEof) break;
      Get();
      if (Peek() != '"') break;  // the closing quote
      Get();
      if (field != nullptr) field->push_back('"');
      ++bytes;
    }
    if (quoted) {
      if (c == kEof) return Malformed("end of input inside a quoted field");
      c = Get();
      if (c != ',' && c != '\n' && c != '\r' && c != kEof) {
        SkipLine();
        return Malformed("unexpected character after a closing quote");
      }
    } else if (c == '"') {
      SkipLine();
      return Malformed("quote inside an unquoted field");
    } else {
      Get();
    }
    if (c == ',') continue;
    if (c != kEof) FinishLineEnd(c);
    break;
  }
  if (fields != nullptr) fields->resize(count);
  if (raw_ != nullptr) {
    raw_->append(data_ + raw_from_, pos_ - raw_from_);
    raw_ = nullptr;
    // The line end that was read: "\n", "\r\n" or "\r" (a field that holds
    // one is quoted, so the byte before is a quote).
    if (!raw->empty() && raw->back() == '\n') raw->pop_back();
    if (!raw->empty() && raw->back() == '\r') raw->pop_back();
    raw->push_back('\n');
  }
  return CsvResult::kRecord;
}

void AppendCsvField(std::string& out, std::string_view field) {
  // The bytes that need quoting are the ones that end an unquoted field.
  const char* end = field.data() + field.size();
  if (FindUnquotedEnd(field.data(), end) == end) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void AppendCsvRecord(std::string& out, const std::vector<std::string>& fields,
                     std::string_view line_end) {
  // A lone empty field would otherwise be a blank line, which readers skip.
  if (fields.size() == 1 && fields[0].empty()) {
    out += "\"\"";
    out += line_end;
    return;
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    AppendCsvField(out, fields[i]);
  }
  out += line_end;
}

}  // namespace chancho::movies
