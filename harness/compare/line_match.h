#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "harness/compare/file_reader.h"

namespace chancho::compare {

// When two lines count as equal, and a hash key that is equal for equal
// lines (so that candidates can be looked up before Equal confirms them).
//   - Exact: the same bytes, and both or neither end with '\n' (a missing
//     final newline is a byte difference, as in diff).
//   - Tolerance E: the same number of '|'-separated fields, and each pair of
//     fields is byte-equal or both are finite numbers (std::from_chars
//     syntax, the whole field) within absolute E. The final newline is
//     ignored. The key hashes the non-numeric fields and marks where the
//     numbers are, so lines equal within E share it.
class LineMatcher {
 public:
  explicit LineMatcher(std::optional<double> tolerance = {})
      : tolerance_(tolerance) {}

  bool tolerant() const { return tolerance_.has_value(); }
  uint64_t Key(const LineView& line) const;
  bool Equal(const LineView& a, const LineView& b) const;

 private:
  std::optional<double> tolerance_;
};

// The whole field as a finite number, if it is one.
std::optional<double> ParseNumber(std::string_view field);

// Field-by-field equality of two lines within `tolerance` (see LineMatcher).
bool FieldsEqualWithin(std::string_view a, std::string_view b,
                       double tolerance);

// The hash of a line with its numeric fields masked (see LineMatcher).
uint64_t MaskedNumbersHash(std::string_view line);

// The first numeric field of a line, or 0 when it has none; lines equal
// within E have first numbers within E (they share the mask).
double FirstNumber(std::string_view line);

}  // namespace chancho::compare
