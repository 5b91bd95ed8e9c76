#include "harness/runtime/readiness.h"
#include "harness/runtime/readiness/readiness_check.h"

namespace chancho {
namespace {

class TcpCheck final : public ReadinessCheck {
 public:
  explicit TcpCheck(int port) : port_(port) {}
  bool Try(const ReadinessTarget& target, std::chrono::milliseconds timeout,
           std::string& seen) override {
    if (target.address.empty()) {
      seen = "no address yet";
      return false;
    }
    if (TcpAccepts(target.address, port_, timeout)) return true;
    seen = target.address + ":" + std::to_string(port_) + " refused";
    return false;
  }
  std::string Describe() const override {
    return "tcp port " + std::to_string(port_);
  }

 private:
  int port_;
};

}  // namespace

std::unique_ptr<ReadinessCheck> MakeTcpCheck(const Readiness& readiness) {
  return std::make_unique<TcpCheck>(readiness.port);
}

}  // namespace chancho
