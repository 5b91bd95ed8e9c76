#pragma once

// The one line format that system binaries log and the harness reads:
//   [prefix] action: <verb> | result: success|fail|in_progress | key: value
// One formatter and one parser, shared by the services (system/common's
// Logger writes it) and the harness (probes, triggers, fixtures).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chancho::common {

// Ordered key/value pairs that follow "action" and "result" on a line.
using LogFields = std::vector<std::pair<std::string, std::string>>;

// Formats the event part of a line, without prefix or newline:
// "action: <action> | result: <result> | key: value | ...".
// Inside any part, newlines and carriage returns are written as the two
// characters "\n" and "\r" and other control bytes except tab as "\xNN", so
// that one event is always exactly one line of text.
std::string FormatEvent(std::string_view action, std::string_view result,
                        const LogFields& fields = {});

// One parsed event line.
struct LogEvent {
  std::string action;
  std::string result;
  LogFields fields;  // in line order

  // The value of the first field named `key`, if any.
  std::optional<std::string> Get(std::string_view key) const;
};

// Parses "action: A | result: R | k: v | ...", optionally preceded by any
// prefix such as "2024-01-31 12:00:00 INFO     " or "server-1  | ".
//
// Where the event starts: at the first "action: " that begins the line or
// follows a space, and whose next segment is "result: ". So a key that
// ends in "action" ("last_action: kill") is never taken for it, and neither
// is "action: " inside a prefix's value ("note: the action: x | ...") unless
// "result: " follows it directly.
//
// Segments are separated by " | "; a field segment is "key: value" where
// the key is a non-empty word (no blank or '|'). Values may contain ':' and
// spaces, and may be empty; a segment that is not "key: value" is taken as
// part of the previous value (so values may even contain " | "). A trailing
// "\r\n" is ignored; other trailing blanks belong to the last value.
// Returns nullopt if no such "action: ... | result: ..." start exists.
std::optional<LogEvent> ParseLogLine(std::string_view line);

// Every event line of a log text ('\n'-separated), in order; other lines are
// skipped.
std::vector<LogEvent> ParseLogEvents(std::string_view text);

}  // namespace chancho::common
