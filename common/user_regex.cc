#include "common/user_regex.h"

namespace chancho {

std::regex CompileUserRegex(const std::string& pattern) {
  if (pattern.size() > kMaxUserRegexLength) {
    throw UserRegexError("a regular expression of " + std::to_string(pattern.size()) +
                         " characters is longer than the " +
                         std::to_string(kMaxUserRegexLength) + " allowed");
  }
  // Repetition counts: {n}, {n,}, {n,m}. Escaped braces are literal.
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i] != '{') continue;
    long value = 0;
    for (std::size_t j = i + 1; j < pattern.size() && pattern[j] != '}'; ++j) {
      if (pattern[j] >= '0' && pattern[j] <= '9') {
        value = value * 10 + (pattern[j] - '0');
        if (value > kMaxUserRegexRepeat) {
          throw UserRegexError("a repetition count above " +
                               std::to_string(kMaxUserRegexRepeat) +
                               " in a regular expression");
        }
      } else if (pattern[j] == ',') {
        value = 0;
      } else {
        break;  // not a repetition: a literal brace
      }
    }
  }
  return std::regex(pattern);
}

bool SearchLine(std::string_view line, const std::regex& regex) {
  if (line.size() > kMaxMatchedLine) line = line.substr(0, kMaxMatchedLine);
  return std::regex_search(line.begin(), line.end(), regex);
}

}  // namespace chancho
