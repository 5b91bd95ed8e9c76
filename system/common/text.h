#pragma once

#include <cctype>
#include <cstddef>
#include <string_view>

namespace chancho::common {

// ASCII case-insensitive equality (config keys, log levels, host names).
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace chancho::common
