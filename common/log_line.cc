#include "common/log_line.h"

#include <iterator>

namespace chancho::common {
namespace {

constexpr std::string_view kSeparator = " | ";
constexpr std::string_view kActionKey = "action: ";
constexpr std::string_view kResultKey = "result: ";

// A raw newline would split one event into two lines and break every reader
// that works line by line, and other control bytes (NUL, escape sequences
// from a peer) confuse terminals and text tools; all are escaped instead.
void AppendEscaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
}

// A field segment is "key: value" where the key is a non-empty word.
bool SplitField(std::string_view segment, std::string_view& key,
                std::string_view& value) {
  const std::size_t colon = segment.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  key = segment.substr(0, colon);
  if (key.find_first_of(" \t|") != std::string_view::npos) return false;
  value = segment.substr(colon + 1);
  if (!value.empty()) {
    if (value.front() != ' ') return false;
    value.remove_prefix(1);
  }
  return true;
}

// Parses `line`, which starts with "action: ", as a whole event.
std::optional<LogEvent> ParseEvent(std::string_view line) {
  LogFields all;
  while (true) {
    const std::size_t sep = line.find(kSeparator);
    const std::string_view segment = line.substr(0, sep);
    std::string_view key;
    std::string_view value;
    if (SplitField(segment, key, value)) {
      all.emplace_back(std::string(key), std::string(value));
    } else {
      // Not "key: value": the previous value contained the separator.
      all.back().second += kSeparator;
      all.back().second += segment;
    }
    if (sep == std::string_view::npos) break;
    line.remove_prefix(sep + kSeparator.size());
  }
  if (all.size() < 2 || all[0].first != "action" || all[1].first != "result") {
    return std::nullopt;
  }
  LogEvent event;
  event.action = std::move(all[0].second);
  event.result = std::move(all[1].second);
  event.fields.assign(std::make_move_iterator(all.begin() + 2),
                      std::make_move_iterator(all.end()));
  return event;
}

}  // namespace

std::string FormatEvent(std::string_view action, std::string_view result,
                        const LogFields& fields) {
  std::string line;
  line.reserve(64);
  line += kActionKey;
  AppendEscaped(line, action);
  line += kSeparator;
  line += kResultKey;
  AppendEscaped(line, result);
  for (const auto& [key, value] : fields) {
    line += kSeparator;
    AppendEscaped(line, key);
    line += ": ";
    AppendEscaped(line, value);
  }
  return line;
}

std::optional<std::string> LogEvent::Get(std::string_view key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::optional<LogEvent> ParseLogLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  // Every candidate start is tried in order: a prefix may hold "action: "
  // itself (a value, or a key such as "last_action: "), and only a start
  // that a "result: " segment follows is the event.
  for (std::size_t start = line.find(kActionKey);
       start != std::string_view::npos;
       start = line.find(kActionKey, start + 1)) {
    if (start > 0 && line[start - 1] != ' ') continue;
    if (auto event = ParseEvent(line.substr(start))) return event;
  }
  return std::nullopt;
}

std::vector<LogEvent> ParseLogEvents(std::string_view text) {
  std::vector<LogEvent> events;
  while (!text.empty()) {
    const auto end = text.find('\n');
    if (auto event = ParseLogLine(text.substr(0, end))) {
      events.push_back(std::move(*event));
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return events;
}

}  // namespace chancho::common
