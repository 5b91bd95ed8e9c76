#include "system/common/log.h"

#include <algorithm>
#include <boost/system/system_error.hpp>
#include <cctype>
#include <chrono>
#include <ctime>
#include <iostream>

namespace chancho::common {
namespace {

std::string ToUpper(std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return upper;
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
