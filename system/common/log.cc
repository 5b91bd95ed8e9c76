#include "system/common/log.h"

#include <algorithm>
#include <boost/system/system_error.hpp>
#include <cctype>
#include <chrono>
#include <ctime>
#include <iostream>

namespace chancho::common {
namespace {

constexpr std::string_view kSeparator = " | ";
constexpr std::string_view kActionKey = "action: ";
constexpr std::string_view kResultKey = "result: ";

std::string ToUpper(std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return upper;
}

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

// Same layout as Python's "%Y-%m-%d %H:%M:%S" asctime, which tp0's original
// services print; local time like Python's logging.
std::string Timestamp() {
  const std::time_t now =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  const std::size_t size =
      std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &local);
  return std::string(text, size);
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

}  // namespace

LogLevel ParseLogLevel(std::string_view name) {
  const std::string upper = ToUpper(name);
  if (upper == "DEBUG") return LogLevel::kDebug;
  if (upper == "WARNING" || upper == "WARN") return LogLevel::kWarning;
  if (upper == "ERROR") return LogLevel::kError;
  if (upper == "CRITICAL" || upper == "FATAL") return LogLevel::kCritical;
  return LogLevel::kInfo;
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARNING";
    case LogLevel::kError:
      return "ERROR";
    case LogLevel::kCritical:
      return "CRITICAL";
  }
  return "INFO";
}

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
  // "action: " must start the line or follow a space, so that a key such as
  // "last_action: " in a prefix is not mistaken for it.
  std::size_t start = line.find(kActionKey);
  while (start != std::string_view::npos && start > 0 &&
         line[start - 1] != ' ') {
    start = line.find(kActionKey, start + 1);
  }
  if (start == std::string_view::npos) return std::nullopt;
  line.remove_prefix(start);

  std::vector<std::string_view> segments;
  while (true) {
    const std::size_t sep = line.find(kSeparator);
    if (sep == std::string_view::npos) {
      segments.push_back(line);
      break;
    }
    segments.push_back(line.substr(0, sep));
    line.remove_prefix(sep + kSeparator.size());
  }

  LogEvent event;
  LogFields all;
  for (std::string_view segment : segments) {
    std::string_view key;
    std::string_view value;
    if (SplitField(segment, key, value)) {
      all.emplace_back(std::string(key), std::string(value));
    } else if (!all.empty()) {
      // Not "key: value": the previous value contained the separator.
      all.back().second += kSeparator;
      all.back().second += segment;
    }
  }
  if (all.size() < 2 || all[0].first != "action" || all[1].first != "result") {
    return std::nullopt;
  }
  event.action = std::move(all[0].second);
  event.result = std::move(all[1].second);
  event.fields.assign(std::make_move_iterator(all.begin() + 2),
                      std::make_move_iterator(all.end()));
  return event;
}

std::string ExceptionMessage(const std::exception& e) {
  if (const auto* system_error =
          dynamic_cast<const boost::system::system_error*>(&e)) {
    return system_error->code().message();
  }
  return e.what();
}

Logger::Logger(LogLevel threshold) : Logger(threshold, std::cout) {}

Logger::Logger(LogLevel threshold, std::ostream& out)
    : threshold_(threshold), out_(out) {}

void Logger::Log(LogLevel level, std::string_view action,
                 std::string_view result, const LogFields& fields) {
  if (!Enabled(level)) return;
  std::string line = Timestamp();
  line += ' ';
  const std::string_view name = LogLevelName(level);
  line += name;
  // "%(levelname)-8s " pads to eight characters plus one space.
  line.append(name.size() < 8 ? 8 - name.size() : 0, ' ');
  line += ' ';
  line += FormatEvent(action, result, fields);
  line += '\n';
  // One write per line and a flush under the lock: a reader that tails the
  // output (the harness waits for readiness lines) sees whole lines at once.
  std::lock_guard<std::mutex> lock(mutex_);
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  out_.flush();
}

}  // namespace chancho::common
