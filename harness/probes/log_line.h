#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chancho {

// One event line of the system log format:
//   [prefix] action: <verb> | result: success|fail|in_progress | key: value
struct LogEvent {
  std::string action;
  std::string result;
  std::vector<std::pair<std::string, std::string>> fields;  // in line order

  // The value of `key`, if the line has it.
  std::optional<std::string> Get(std::string_view key) const;
};

// Parses one line; anything before "action: " (a timestamp, a level) is
// ignored. Values may hold ':' and spaces; " | " separates fields. Returns
// nullopt for a line that is not an event line.
std::optional<LogEvent> ParseLogLine(std::string_view line);

// Every event line of a log text, in order.
std::vector<LogEvent> ParseLogEvents(std::string_view text);

}  // namespace chancho
