#pragma once

// The movies-client's upload progress lines and its pacing (client.h
// describes both to users). Header-only: two small classes that the
// client's Session drives once per Data frame, never per record.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "system/common/log.h"

namespace chancho::movies {

// The `progress` lines of one file's upload:
//   action: progress | result: in_progress | file: F | done: D | total: T |
//   records: R
// one at Start, one each time `done` crosses another kSteps-th of `total`
// (5%: once per batch however many steps it crosses; the steps 5%..95%,
// and never with the whole file), and one at Finish with done == total. So
// at most kSteps + 1 lines per Start, a count fixed by the file and the
// batch cuts, not by time.
//
// `done` counts the bytes of the records sent (the header included), as the
// batches carry them; it never exceeds `total`. For a file with '\n' line
// ends and no broken records that is exactly the bytes of the file consumed;
// otherwise it lags by the bytes dropped (a "\r", a broken record) until
// Finish reports the whole file.
//
// Not thread-safe; the logger must outlive it.
class FileProgress {
 public:
  static constexpr int64_t kSteps = 20;

  FileProgress(std::string_view file, int64_t total, common::Logger& logger)
      : file_(file), total_(std::max<int64_t>(total, 0)), logger_(logger) {}

  // The upload starts with `done` bytes and `records` records already with
  // the handler (0 and 0, or what a resumed session skips).
  void Start(int64_t done, int64_t records) {
    done_ = done;
    Log(records);
  }

  // A batch of `bytes` went; `records` is the file's count so far.
  void Sent(int64_t bytes, int64_t records) {
    done_ += bytes;
    // The line with the whole file is Finish's.
    if (done_ >= next_ && done_ < total_) Log(records);
  }

  // The whole file went.
  void Finish(int64_t records) {
    done_ = total_;
    Log(records);
  }

 private:
  void Log(int64_t records) {
    const int64_t done = std::min(done_, total_);
    logger_.Info("progress", "in_progress",
                 {{"file", file_},
                  {"done", std::to_string(done)},
                  {"total", std::to_string(total_)},
                  {"records", std::to_string(records)}});
    // The first byte count at which the next step is reached:
    // done * kSteps >= total * step.
    const int64_t step = total_ == 0 ? kSteps : done * kSteps / total_ + 1;
    next_ = step >= kSteps ? std::numeric_limits<int64_t>::max()
                           : (total_ * step + kSteps - 1) / kSteps;
  }

  const std::string file_;
  const int64_t total_;
  common::Logger& logger_;
  int64_t done_ = 0;
  int64_t next_ = std::numeric_limits<int64_t>::max();
};

// Holds a connection's upload to `rows_per_second` records per second:
// after each batch, the next waits until records / rows_per_second seconds
// have passed since Start. Disabled (never waits) for a rate of 0.
class Pacer {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Pacer(int64_t rows_per_second)
      : rows_per_second_(std::max<int64_t>(rows_per_second, 0)) {}

  bool enabled() const { return rows_per_second_ > 0; }

  // The most records a batch may hold so that a wait is about 100 ms;
  // unlimited when disabled.
  int64_t BatchRecords() const {
    return enabled() ? std::max<int64_t>(rows_per_second_ / 10, 1)
                     : std::numeric_limits<int64_t>::max();
  }

  void Start(Clock::time_point now) {
    start_ = now;
    records_ = 0;
  }

  // `records` more were sent; returns when the next batch may go.
  Clock::time_point Sent(int64_t records) {
    records_ += records;
    if (!enabled()) return start_;
    const std::chrono::duration<double> due(static_cast<double>(records_) /
                                            rows_per_second_);
    return start_ + std::chrono::duration_cast<Clock::duration>(due);
  }

 private:
  const int64_t rows_per_second_;
  Clock::time_point start_{};
  int64_t records_ = 0;
};

}  // namespace chancho::movies
