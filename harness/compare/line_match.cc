#include "harness/compare/line_match.h"

#include <charconv>
#include <cmath>

#include "harness/compare/line_hash.h"

namespace chancho::compare {
namespace {

constexpr char kSeparator = '|';

// Splits off the field at the front of `rest`; false when no field is left.
// "a|b" has fields "a" and "b"; "" has the one empty field.
bool NextField(std::string_view& rest, bool& done, std::string_view* field) {
  if (done) return false;
  const size_t bar = rest.find(kSeparator);
  if (bar == std::string_view::npos) {
    *field = rest;
    done = true;
  } else {
    *field = rest.substr(0, bar);
    rest.remove_prefix(bar + 1);
  }
  return true;
}

}  // namespace

std::optional<double> ParseNumber(std::string_view field) {
  if (field.empty()) return std::nullopt;
  double value = 0;
  const char* end = field.data() + field.size();
  const auto [ptr, ec] = std::from_chars(field.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool FieldsEqualWithin(std::string_view a, std::string_view b,
                       double tolerance) {
  bool done_a = false;
  bool done_b = false;
  std::string_view field_a;
  std::string_view field_b;
  for (;;) {
    const bool has_a = NextField(a, done_a, &field_a);
    const bool has_b = NextField(b, done_b, &field_b);
    if (has_a != has_b) return false;
    if (!has_a) return true;
    if (field_a == field_b) continue;
    const auto x = ParseNumber(field_a);
    const auto y = ParseNumber(field_b);
    if (!x || !y || !(std::fabs(*x - *y) <= tolerance)) return false;
  }
}

uint64_t MaskedNumbersHash(std::string_view line) {
  // Not a valid UTF-8 text, so no real field hashes like the marker.
  constexpr std::string_view kNumberMarker = "\xff#number";
  bool done = false;
  std::string_view field;
  uint64_t hash = 0;
  while (NextField(line, done, &field)) {
    hash = HashLine(ParseNumber(field) ? kNumberMarker : field, hash);
  }
  return hash;
}

double FirstNumber(std::string_view line) {
  bool done = false;
  std::string_view field;
  while (NextField(line, done, &field)) {
    if (const auto value = ParseNumber(field)) return *value;
  }
  return 0;
}

uint64_t LineMatcher::Key(const LineView& line) const {
  if (tolerance_) return MaskedNumbersHash(line.text);
  return HashLine(line.text, line.terminated ? 0 : 1);
}

bool LineMatcher::Equal(const LineView& a, const LineView& b) const {
  if (tolerance_) return FieldsEqualWithin(a.text, b.text, *tolerance_);
  return a.terminated == b.terminated && a.text == b.text;
}

}  // namespace chancho::compare
