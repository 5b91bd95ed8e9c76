#include "common/duration.h"

#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string>

namespace chancho::common {
namespace {

struct Unit {
  std::string_view name;
  long double nanoseconds;
};

// Longest names first so that "ms" is not read as "m" followed by "s".
constexpr Unit kUnits[] = {
    {"ns", 1.0L}, {"us", 1e3L}, {"\xC2\xB5s", 1e3L}, {"\xCE\xBCs", 1e3L},
    {"ms", 1e6L}, {"s", 1e9L},  {"m", 60.0L * 1e9L}, {"h", 3600.0L * 1e9L},
    {"d", 86400.0L * 1e9L},
};

// Far beyond any sensible period, and well inside int64 microseconds.
constexpr long double kMaxNanoseconds = 100.0L * 365 * 24 * 3600 * 1e9L;

[[noreturn]] void Fail(std::string_view text, std::string_view cause) {
  throw std::invalid_argument("invalid duration '" + std::string(text) +
                              "': " + std::string(cause));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::chrono::microseconds ParseDuration(std::string_view text) {
  std::string_view rest = text;
  while (!rest.empty() &&
         std::isspace(static_cast<unsigned char>(rest.front())))
    rest.remove_prefix(1);
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.back())))
    rest.remove_suffix(1);
  if (rest.empty()) Fail(text, "empty");
  if (rest == "0") return std::chrono::microseconds(0);
  if (rest.front() == '-') Fail(text, "negative durations are not allowed");
  if (rest.front() == '+') rest.remove_prefix(1);

  long double total = 0;
  while (!rest.empty()) {
    // Digits are accumulated by hand: strtold would accept "1e3", "inf" and
    // hexadecimal, none of which is a duration.
    long double value = 0;
    bool any_digit = false;
    while (!rest.empty() && IsDigit(rest.front())) {
      value = value * 10 + (rest.front() - '0');
      any_digit = true;
      rest.remove_prefix(1);
    }
    if (!rest.empty() && rest.front() == '.') {
      rest.remove_prefix(1);
      long double scale = 0.1L;
      while (!rest.empty() && IsDigit(rest.front())) {
        value += scale * (rest.front() - '0');
        scale /= 10;
        any_digit = true;
        rest.remove_prefix(1);
      }
    }
    if (!any_digit) Fail(text, "expected a number");
    if (rest.empty() || IsDigit(rest.front())) {
      Fail(text, "missing unit (use ns, us, ms, s, m, h or d)");
    }
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (rest.substr(0, candidate.name.size()) == candidate.name) {
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr) Fail(text, "unknown unit (use ns, us, ms, s, m, h or d)");
    rest.remove_prefix(unit->name.size());
    total += value * unit->nanoseconds;
    if (total > kMaxNanoseconds) Fail(text, "longer than 100 years");
  }
  return std::chrono::microseconds(std::llround(total / 1000.0L));
}

std::chrono::milliseconds ParseDurationOr(std::string_view text,
                                          std::chrono::milliseconds bare_unit) {
  std::string_view number = text;
  while (!number.empty() && std::isspace(static_cast<unsigned char>(number.front())))
    number.remove_prefix(1);
  while (!number.empty() && std::isspace(static_cast<unsigned char>(number.back())))
    number.remove_suffix(1);
  const bool bare = !number.empty() && number.find_first_not_of("0123456789.") ==
                                           std::string_view::npos;
  if (!bare) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        ParseDuration(text) + std::chrono::microseconds(500));
  }
  // The bare number with the unit's name appended: one parser for both.
  const std::string unit = bare_unit >= std::chrono::hours(24)    ? "d"
                           : bare_unit >= std::chrono::hours(1)     ? "h"
                           : bare_unit >= std::chrono::minutes(1) ? "m"
                           : bare_unit >= std::chrono::seconds(1) ? "s"
                                                                  : "ms";
  const auto parsed = ParseDuration(std::string(number) + unit);
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      parsed + std::chrono::microseconds(500));
}

}  // namespace chancho::common
