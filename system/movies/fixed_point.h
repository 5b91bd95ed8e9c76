#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chancho::movies {

// Exact decimal arithmetic for the query results. Sums are kept as integers
// (int64 or 128-bit) so that adding partial aggregates in any order, on any
// number of replicas, gives the same bits; only the final quotient is
// rounded, once, by FormatQuotient.
using Int128 = __int128;

// Decimal text of `value`, with a leading '-' when negative.
std::string Int128ToString(Int128 value);

// Parses what Int128ToString writes: optional '-', then 1 to 38 digits.
// nullopt for anything else.
std::optional<Int128> ParseInt128(std::string_view text);

// `numerator / denominator` written with `decimals` digits after the point
// (none and no point when `decimals` is 0), rounded half away from zero.
// Requires denominator > 0, 0 <= decimals <= 18, denominator * 10^decimals
// < 2^125 and a numerator above the most negative Int128; exact for all of
// those (any int64 count times 1e9 qualifies with 6 decimals).
std::string FormatQuotient(Int128 numerator, Int128 denominator,
                           int decimals = 6);

// round(numerator / denominator), half away from zero; denominator > 0 and
// |2 * numerator| + denominator must fit in an Int128.
Int128 RoundedQuotient(Int128 numerator, Int128 denominator);

// -1, 0 or 1 as a/b compares with c/d; b and d must be > 0 and each
// product must fit (|a|, |c| < 2^63 and b, d < 2^63 always do).
int CompareFractions(Int128 a, Int128 b, Int128 c, Int128 d);

// Parses a non-negative decimal such as "30000000", "373554033.0" or "3.5"
// into units of 10^-scale: ("3.5", 1) -> 35, ("12.0", 0) -> 12. Digits
// beyond `scale` must be zeros ("3.25" with scale 1 is rejected), so no
// value is ever silently rounded. No sign, exponent or blanks. nullopt when
// malformed or above int64. Requires 0 <= scale <= 18.
std::optional<int64_t> ParseFixed(std::string_view text, int scale);

}  // namespace chancho::movies
