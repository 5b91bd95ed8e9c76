#include "harness/probes/log_line.h"

namespace chancho {
namespace {

constexpr std::string_view kSeparator = " | ";

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::optional<std::string> LogEvent::Get(std::string_view key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::optional<LogEvent> ParseLogLine(std::string_view line) {
  const auto start = line.find("action: ");
  if (start == std::string_view::npos) return std::nullopt;
  line = Trim(line.substr(start));
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!line.empty()) {
    const auto end = line.find(kSeparator);
    const std::string_view field = line.substr(0, end);
    const auto colon = field.find(": ");
    if (colon == std::string_view::npos) {
      // A value holding " | " without a key after it: part of the previous
      // value.
      if (pairs.empty()) return std::nullopt;
      pairs.back().second += std::string(kSeparator) + std::string(field);
    } else {
      pairs.emplace_back(std::string(field.substr(0, colon)),
                         std::string(field.substr(colon + 2)));
    }
    if (end == std::string_view::npos) break;
    line.remove_prefix(end + kSeparator.size());
  }
  if (pairs.size() < 2 || pairs[0].first != "action" ||
      pairs[1].first != "result") {
    return std::nullopt;
  }
  LogEvent event;
  event.action = pairs[0].second;
  event.result = pairs[1].second;
  event.fields.assign(pairs.begin() + 2, pairs.end());
  return event;
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

}  // namespace chancho
