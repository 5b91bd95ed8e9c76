#include "harness/runtime/readiness/readiness_check.h"

namespace chancho {
namespace {

class NoCheck final : public ReadinessCheck {
 public:
  bool Try(const ReadinessTarget&, std::chrono::milliseconds,
           std::string& seen) override {
    seen = "running";
    return true;
  }
  std::string Describe() const override { return "none"; }
};

}  // namespace

std::unique_ptr<ReadinessCheck> MakeReadinessCheck(const Readiness& readiness) {
  switch (readiness.kind) {
    case Readiness::Kind::kNone:
      break;
    case Readiness::Kind::kTcp:
      return MakeTcpCheck(readiness);
    case Readiness::Kind::kLogLine:
      return MakeLogCheck(readiness);
    case Readiness::Kind::kHeartbeat:
      return MakeHeartbeatCheck(readiness);
    case Readiness::Kind::kHttp:
      return MakeHttpCheck(readiness);
    case Readiness::Kind::kExec:
      return MakeExecCheck(readiness);
    case Readiness::Kind::kAll:
      return MakeAllCheck(readiness);
  }
  return std::make_unique<NoCheck>();
}

}  // namespace chancho
