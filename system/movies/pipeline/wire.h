#pragma once

// A compact binary encoding for the payloads that pipeline stages exchange:
// unsigned LEB128 varints, zigzag signed integers, length-prefixed strings.
// Writer appends to a string; Reader walks a string_view and throws
// WireError (one line) on truncated or malformed input, so a garbage
// message is rejected, never half-read.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "system/movies/fixed_point.h"

namespace chancho::movies {

class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Writer {
 public:
  void U64(std::uint64_t value);
  void I64(std::int64_t value);
  void I128(Int128 value);
  void Str(std::string_view text);
  void StrList(const std::vector<std::string>& list);

  const std::string& bytes() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view bytes) : in_(bytes) {}

  std::uint64_t U64();
  std::int64_t I64();
  Int128 I128();
  std::string Str();
  std::vector<std::string> StrList();
  // A count of items that each take at least one byte: bounded by what is
  // left, so a corrupt count cannot make the caller allocate gigabytes.
  std::size_t Count();

  bool done() const { return pos_ == in_.size(); }
  // Throws unless every byte was read.
  void ExpectEnd() const;

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace chancho::movies
