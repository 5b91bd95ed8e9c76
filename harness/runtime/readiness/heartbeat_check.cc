#include "harness/runtime/readiness.h"
#include "harness/runtime/readiness/readiness_check.h"

namespace chancho {
namespace {

class HeartbeatCheck final : public ReadinessCheck {
 public:
  bool Try(const ReadinessTarget& target, std::chrono::milliseconds timeout,
           std::string& seen) override {
    if (target.address.empty() || target.heartbeat_port == 0) {
      seen = target.address.empty() ? "no address yet" : "no heartbeat port";
      return false;
    }
    if (HeartbeatAnswers(target.address, target.heartbeat_port, timeout)) {
      return true;
    }
    seen = "no PONG from " + target.address + ":" +
           std::to_string(target.heartbeat_port);
    return false;
  }
  std::string Describe() const override { return "heartbeat"; }
};

}  // namespace

std::unique_ptr<ReadinessCheck> MakeHeartbeatCheck(const Readiness&) {
  return std::make_unique<HeartbeatCheck>();
}

}  // namespace chancho
