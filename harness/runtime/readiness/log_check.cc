#include <optional>

#include "harness/runtime/readiness.h"
#include "harness/runtime/readiness/readiness_check.h"

namespace chancho {
namespace {

// Counts the matching lines of one run, reading only what was appended
// since the last try.
class LogCheck final : public ReadinessCheck {
 public:
  LogCheck(std::string pattern, int count)
      : pattern_(std::move(pattern)), count_(count) {}

  bool Try(const ReadinessTarget& target, std::chrono::milliseconds,
           std::string& seen) override {
    try {
      if (!scanner_ || run_ != target.run) {
        run_ = target.run;
        scanner_.emplace(target.log_path, pattern_, target.log_offset);
      }
      const int matched = scanner_->Count();
      seen = std::to_string(matched) + " matching line(s)";
      return matched >= count_;
    } catch (const std::exception& e) {
      seen = e.what();
      return false;
    }
  }

  std::string Describe() const override {
    return "log /" + pattern_ + "/" +
           (count_ > 1 ? " " + std::to_string(count_) + " times" : "");
  }

 private:
  std::string pattern_;
  int count_;
  int run_ = -1;
  std::optional<LogLineScanner> scanner_;
};

}  // namespace

std::unique_ptr<ReadinessCheck> MakeLogCheck(const Readiness& readiness) {
  return std::make_unique<LogCheck>(readiness.pattern, readiness.count);
}

}  // namespace chancho
