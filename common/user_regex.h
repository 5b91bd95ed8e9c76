#pragma once

// Regular expressions that users write (a spec's log readiness, regex:
// selectors, log triggers, chaos --containers, compare's file pattern).
// libstdc++'s std::regex compiles and matches by recursion: a pattern of
// thousands of characters overflows the stack while it compiles, a
// repetition count such as {4444444444444444444} overflows an integer, and
// a long subject line can overflow the stack while it matches. Patterns
// past these limits are refused, and lines are matched on a bounded prefix.

#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>

namespace chancho {

inline constexpr std::size_t kMaxUserRegexLength = 256;
inline constexpr long kMaxUserRegexRepeat = 1000;
// What of a line a user regex sees (a log line longer than this is matched
// on its start).
inline constexpr std::size_t kMaxMatchedLine = 4096;

// A refused pattern; what() says why in one line.
class UserRegexError : public std::regex_error {
 public:
  explicit UserRegexError(std::string why)
      : std::regex_error(std::regex_constants::error_complexity), why_(std::move(why)) {}
  const char* what() const noexcept override { return why_.c_str(); }

 private:
  std::string why_;
};

// Compiles `pattern` (ECMAScript). Throws UserRegexError past the limits,
// and std::regex_error for a pattern that does not compile.
std::regex CompileUserRegex(const std::string& pattern);

// std::regex_search on at most kMaxMatchedLine bytes of `line`.
bool SearchLine(std::string_view line, const std::regex& regex);

}  // namespace chancho
