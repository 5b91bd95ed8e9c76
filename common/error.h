#pragma once

#include <stdexcept>
#include <string>

namespace chancho {

// The one error type for set-up and configuration failures. Its message is a
// single line that names the file, JSON pointer or service, and the cause.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace chancho
