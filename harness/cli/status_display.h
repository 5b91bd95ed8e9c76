#pragma once

// How `chancho up` and `chancho run` show a run to a person:
// - live (a terminal): a status block of a few lines, redrawn in place,
//   with the run's log lines scrolling above it;
// - plain (not a terminal, or --plain): the log lines, and every few
//   seconds the status as one log-format line (action: status);
// - quiet (--quiet): only the final line (the verdict).
//
// Thread-safe: Update and Line may come from different threads.

#include <CLI/CLI.hpp>
#include <chrono>
#include <mutex>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

#include "harness/faults/run_monitor.h"

namespace chancho::cli {

enum class OutputMode { kLive, kPlain, kQuiet };

// kQuiet with `quiet`, kPlain with `plain` or when `fd` is not a terminal
// (or TERM is "dumb"), kLive otherwise.
OutputMode ChooseOutputMode(bool plain, bool quiet, int fd);

// --plain and --quiet on `command`.
void AddOutputOptions(CLI::App* command, bool& plain, bool& quiet);

// The status block: a summary line, then one line per client. Lines are
// cut to `width` columns.
std::vector<std::string> FormatStatus(const RunStatus& status, std::size_t width);

// The readiness of `statuses` (a `ps` of a live run) as a status of phase
// "up".
RunStatus ReadinessStatus(const std::vector<ReplicaStatus>& statuses,
                          std::chrono::milliseconds elapsed);

// The status as one log-format line.
std::string FormatStatusLine(const RunStatus& status);

class StatusDisplay {
 public:
  // `kept_when_quiet`: in quiet mode, the log lines that start with one of
  // these are still printed (the verdict).
  StatusDisplay(std::ostream& out, OutputMode mode,
                std::vector<std::string> kept_when_quiet,
                std::chrono::milliseconds plain_period = std::chrono::seconds(3));
  ~StatusDisplay();

  void Update(const RunStatus& status);
  // A log line (no newline).
  void Line(const std::string& line);
  // Clears the live block; later Updates are ignored. Idempotent.
  void Finish();

  // A stream whose complete lines go to Line(), for code that prints to an
  // std::ostream (ScenarioRunOptions::progress).
  std::ostream& lines() { return lines_; }

 private:
  class LineBuf : public std::streambuf {
   public:
    explicit LineBuf(StatusDisplay& display) : display_(display) {}

   protected:
    int overflow(int c) override;
    int sync() override;

   private:
    StatusDisplay& display_;
    std::string pending_;
  };

  void Clear();  // under mutex_, live mode
  void Draw();   // under mutex_, live mode

  std::ostream& out_;
  const OutputMode mode_;
  const std::vector<std::string> kept_when_quiet_;
  const std::chrono::milliseconds plain_period_;
  std::mutex mutex_;
  std::vector<std::string> block_;  // what is drawn now
  bool finished_ = false;
  std::chrono::steady_clock::time_point next_plain_;
  std::size_t width_ = 100;
  LineBuf buf_;
  std::ostream lines_;
};

}  // namespace chancho::cli
