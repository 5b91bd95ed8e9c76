#include "system/tp0/protocol.h"

namespace chancho::tp0 {

std::string FormatClientMessage(std::string_view client_id, int64_t n) {
  // Spelled as bytes so that the source encoding cannot change the wire
  // format that outside test suites compare against.
  std::string message = "[CLIENT ";
  message += client_id;
  message += "] Message N\xC2\xB0";
  message += std::to_string(n);
  return message;
}

std::string_view StripLineEnd(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace chancho::tp0
