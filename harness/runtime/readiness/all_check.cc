#include <vector>

#include "harness/runtime/readiness/readiness_check.h"

namespace chancho {
namespace {

// Every part, each tried until it passes once for the run; what it says it
// saw is that of the first part still waiting.
class AllCheck final : public ReadinessCheck {
 public:
  explicit AllCheck(const std::vector<Readiness>& parts) {
    for (const Readiness& part : parts) {
      parts_.push_back(MakeReadinessCheck(part));
    }
    passed_.assign(parts_.size(), false);
  }

  bool Try(const ReadinessTarget& target, std::chrono::milliseconds timeout,
           std::string& seen) override {
    if (run_ != target.run) {
      run_ = target.run;
      passed_.assign(parts_.size(), false);
    }
    for (std::size_t i = 0; i < parts_.size(); ++i) {
      if (passed_[i]) continue;
      std::string part_seen;
      passed_[i] = parts_[i]->Try(target, timeout, part_seen);
      if (!passed_[i]) {
        seen = parts_[i]->Describe() + ": " + part_seen;
        return false;
      }
    }
    return true;
  }

  std::string Describe() const override {
    std::string out = "all of (";
    for (std::size_t i = 0; i < parts_.size(); ++i) {
      out += (i == 0 ? "" : "; ") + parts_[i]->Describe();
    }
    return out + ")";
  }

 private:
  std::vector<std::unique_ptr<ReadinessCheck>> parts_;
  std::vector<bool> passed_;
  int run_ = -1;
};

}  // namespace

std::unique_ptr<ReadinessCheck> MakeAllCheck(const Readiness& readiness) {
  return std::make_unique<AllCheck>(readiness.all);
}

}  // namespace chancho
