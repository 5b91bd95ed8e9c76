#pragma once

#include <atomic>
#include <exception>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>

#include "common/log_line.h"

namespace chancho::common {

// Severity of a log line; the names and order follow Python's logging module.
enum class LogLevel {
  kDebug = 10,
  kInfo = 20,
  kWarning = 30,
  kError = 40,
  kCritical = 50
};

// Parses a level name case-insensitively ("debug", "INFO", "Warning", also
// "WARN" and "FATAL"). Unknown or empty names give kInfo.
LogLevel ParseLogLevel(std::string_view name);

// "DEBUG", "INFO", "WARNING", "ERROR" or "CRITICAL".
std::string_view LogLevelName(LogLevel level);

// The text to log for an exception: what(), except that for
// boost::system::system_error it is the error code's message, without the
// source location Boost appends.
std::string ExceptionMessage(const std::exception& e);

// Writes event lines "YYYY-MM-DD HH:MM:SS LEVEL    action: ... | ..." (local
// time, level padded to 8 like Python's "%(levelname)-8s"; the event part is
// common/log_line.h's FormatEvent) to a stream, one flushed line per call.
//
// Thread-safe: lines from concurrent calls never interleave. The stream is not
// owned and must outlive the logger.
class Logger {
 public:
  explicit Logger(LogLevel threshold = LogLevel::kInfo);
  Logger(LogLevel threshold, std::ostream& out);

  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  void SetLevel(LogLevel threshold) { threshold_.store(threshold); }
  LogLevel level() const { return threshold_.load(); }
  bool Enabled(LogLevel level) const { return level >= threshold_.load(); }

  // Writes the line if `level` is at or above the threshold.
  void Log(LogLevel level, std::string_view action, std::string_view result,
           const LogFields& fields = {});

  void Debug(std::string_view action, std::string_view result,
             const LogFields& fields = {}) {
    Log(LogLevel::kDebug, action, result, fields);
  }
  void Info(std::string_view action, std::string_view result,
            const LogFields& fields = {}) {
    Log(LogLevel::kInfo, action, result, fields);
  }
  void Warning(std::string_view action, std::string_view result,
               const LogFields& fields = {}) {
    Log(LogLevel::kWarning, action, result, fields);
  }
  void Error(std::string_view action, std::string_view result,
             const LogFields& fields = {}) {
    Log(LogLevel::kError, action, result, fields);
  }
  void Critical(std::string_view action, std::string_view result,
                const LogFields& fields = {}) {
    Log(LogLevel::kCritical, action, result, fields);
  }

 private:
  std::atomic<LogLevel> threshold_;
  std::ostream& out_;
  std::mutex mutex_;
};

}  // namespace chancho::common
