#include "system/movies/fixed_point.h"

#include <algorithm>
#include <limits>

namespace chancho::movies {
namespace {

constexpr int kMaxInt128Digits = 38;

Int128 PowerOfTen(int exponent) {
  Int128 power = 1;
  for (int i = 0; i < exponent; ++i) power *= 10;
  return power;
}

}  // namespace

std::string Int128ToString(Int128 value) {
  if (value == 0) return "0";
  // Digits are taken from the negative side, whose range is one larger, so
  // that the most negative value needs no special case.
  const bool negative = value < 0;
  if (!negative) value = -value;
  std::string digits;
  while (value != 0) {
    digits += static_cast<char>('0' - static_cast<int>(value % 10));
    value /= 10;
  }
  if (negative) digits += '-';
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::optional<Int128> ParseInt128(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || text.size() > kMaxInt128Digits) return std::nullopt;
  Int128 value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

Int128 RoundedQuotient(Int128 numerator, Int128 denominator) {
  if (numerator >= 0) return (2 * numerator + denominator) / (2 * denominator);
  return -((-2 * numerator + denominator) / (2 * denominator));
}

std::string FormatQuotient(Int128 numerator, Int128 denominator, int decimals) {
  // Whole part and remainder first: scaling the remainder, never the
  // numerator, keeps every intermediate below the denominator times
  // 2 * 10^decimals, so large sums cannot overflow.
  const Int128 scale = PowerOfTen(decimals);
  const bool negative = numerator < 0;
  const Int128 magnitude = negative ? -numerator : numerator;
  Int128 whole = magnitude / denominator;
  Int128 fraction =
      RoundedQuotient((magnitude % denominator) * scale, denominator);
  if (fraction == scale) {
    ++whole;
    fraction = 0;
  }
  std::string text = (negative && (whole != 0 || fraction != 0)) ? "-" : "";
  text += Int128ToString(whole);
  if (decimals > 0) {
    const std::string digits = Int128ToString(fraction);
    text += '.';
    text.append(static_cast<std::size_t>(decimals) - digits.size(), '0');
    text += digits;
  }
  return text;
}

int CompareFractions(Int128 a, Int128 b, Int128 c, Int128 d) {
  const Int128 left = a * d;
  const Int128 right = c * b;
  return left < right ? -1 : (left > right ? 1 : 0);
}

std::optional<int64_t> ParseFixed(std::string_view text, int scale) {
  const std::size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction = point == std::string_view::npos
                                        ? std::string_view()
                                        : text.substr(point + 1);
  if (whole.empty() || (point != std::string_view::npos && fraction.empty())) {
    return std::nullopt;
  }
  constexpr Int128 kLimit = std::numeric_limits<int64_t>::max();
  Int128 value = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
    if (value > kLimit) return std::nullopt;
  }
  for (std::size_t i = 0; i < fraction.size(); ++i) {
    const char c = fraction[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (static_cast<int>(i) >= scale) {
      if (c != '0') return std::nullopt;
      continue;
    }
    value = value * 10 + (c - '0');
    if (value > kLimit) return std::nullopt;
  }
  for (int i = static_cast<int>(fraction.size()); i < scale; ++i) {
    value *= 10;
    if (value > kLimit) return std::nullopt;
  }
  return static_cast<int64_t>(value);
}

}  // namespace chancho::movies
