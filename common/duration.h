#pragma once

#include <chrono>
#include <string_view>

namespace chancho::common {

// Parses a Go-style duration as used by tp0's client config: one or more
// "<number><unit>" terms such as "150ms", "5s", "2m", "1.5s", "100us",
// "1m30s". Units: ns, us (also µs / μs), ms, s, m, h, d. "0" alone is zero.
// Surrounding blanks are ignored. The result is rounded to the nearest
// microsecond.
//
// Throws std::invalid_argument "invalid duration '<text>': <cause>" for empty
// or negative input, a missing or unknown unit, or a value above 100 years.
std::chrono::microseconds ParseDuration(std::string_view text);

// Chancho's one duration syntax for options and requests: a duration as
// above ("500ms", "2s", "1m"), or a bare non-negative number, which counts
// in `bare_unit` (what the option took before units existed: milliseconds
// for grace periods, seconds for timeouts). Rounded to the millisecond.
// Throws std::invalid_argument like ParseDuration.
std::chrono::milliseconds ParseDurationOr(std::string_view text,
                                          std::chrono::milliseconds bare_unit);

}  // namespace chancho::common
