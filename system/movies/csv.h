#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace chancho::movies {

// What CsvReader::Next found.
enum class CsvResult {
  kRecord,     // `fields` holds one record
  kMalformed,  // a broken record was consumed; error() says why
  kEnd,        // no more input
};

// A streaming reader of CSV as Python's csv module (and pandas) writes it:
// comma separated, fields optionally enclosed in double quotes, "" inside a
// quoted field is one quote, quoted fields may hold commas, \r and \n, and
// records end with \n, \r\n or \r. Blank lines are skipped, and a UTF-8 byte
// order mark at the very start is ignored.
//
// It reads the stream in fixed-size chunks, so memory stays bounded by the
// largest record, never by the file. A reader over a string_view reads the
// text in place, with no copy and no buffer. Broken records are reported and
// skipped, never fatal:
//   - a quote inside an unquoted field, or anything but a comma or a line
//     end after a closing quote: the rest of that physical line is dropped;
//   - a record longer than `max_record_bytes`: dropped up to the next line
//     end;
//   - end of input inside a quoted field: the partial record is dropped.
// An I/O error of the stream counts as end of input.
//
// Not thread-safe. The stream is not owned and must outlive the reader.
class CsvReader {
 public:
  static constexpr std::size_t kDefaultMaxRecordBytes = std::size_t{16} << 20;

  explicit CsvReader(std::istream& in,
                     std::size_t max_record_bytes = kDefaultMaxRecordBytes);
  // Over text in memory, which must outlive the reader.
  explicit CsvReader(std::string_view text,
                     std::size_t max_record_bytes = kDefaultMaxRecordBytes);

  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into `fields`, reusing its strings' storage.
  // After kMalformed or kEnd the content of `fields` is unspecified.
  CsvResult Next(std::vector<std::string>& fields) {
    return Read(&fields, nullptr);
  }

  // Reads the next record, checked like Next's, and replaces `raw` with its
  // bytes as they stand in the input, quotes and all, with its line end
  // (if any) replaced by '\n'. Cheaper than Next when the fields are not
  // needed. After kMalformed or kEnd the content of `raw` is unspecified.
  CsvResult NextRaw(std::string& raw) { return Read(nullptr, &raw); }

  // The 1-based physical line on which the last record (or broken record)
  // returned by Next started.
  int64_t line() const { return record_line_; }

  // Why the last record was malformed; empty after kRecord and kEnd.
  const std::string& error() const { return error_; }

 private:
  static constexpr int kEof = -1;
  static constexpr int kTooLong = -2;

  // Refills the buffer; false when the stream has nothing more (always,
  // for text in memory).
  bool Fill();
  int Peek() {
    return (pos_ < end_ || Fill()) ? static_cast<unsigned char>(data_[pos_])
                                   : kEof;
  }
  int Get() {
    const int c = Peek();
    if (c != kEof) {
      ++pos_;
      if (c == '\n') ++line_;
    }
    return c;
  }
  // Next and NextRaw: fills whichever of `fields` and `raw` is not null.
  CsvResult Read(std::vector<std::string>* fields, std::string* raw);
  // The common case, quickly: a record without quotes whose line end is
  // already in the buffer. False (nothing consumed) for any other record.
  bool TakePlainLine(std::vector<std::string>* fields, std::string* raw);
  // Moves bytes from the input to `field` (when not null) up to the next
  // quote (`quoted`) or the next comma, quote or line end (not `quoted`),
  // adding their number to `taken`, and returns that byte without consuming
  // it; kEof at the end of input, kTooLong once `taken` exceeds `budget`.
  int TakeUntil(std::string* field, bool quoted, std::size_t budget,
                std::size_t& taken);
  // Consumes a line end that began with `c` ('\r' or '\n').
  void FinishLineEnd(int c);
  // Drops input up to and including the next line end (and stops copying
  // the record's raw bytes, which are of no use any more).
  void SkipLine();
  CsvResult Malformed(std::string message);

  std::istream* in_ = nullptr;  // null for text in memory
  const std::size_t max_record_bytes_;
  std::vector<char> buffer_;
  const char* data_ = nullptr;  // buffer_'s, or the text's
  // NextRaw's output while it reads a record, and where in data_ the bytes
  // not yet copied there begin.
  std::string* raw_ = nullptr;
  std::size_t raw_from_ = 0;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool at_start_ = true;
  int64_t line_ = 1;
  int64_t record_line_ = 0;
  std::string error_;
};

// Appends one record to `out` the way Python's csv.writer does with
// QUOTE_MINIMAL: a field is quoted when it holds a comma, a quote, \r or \n,
// quotes inside are doubled, and the record ends with `line_end`.
void AppendCsvRecord(std::string& out, const std::vector<std::string>& fields,
                     std::string_view line_end = "\n");

// Appends one field (no separator) with QUOTE_MINIMAL quoting.
void AppendCsvField(std::string& out, std::string_view field);

}  // namespace chancho::movies
