#include "harness/runtime/readiness.h"
#include "harness/runtime/readiness/readiness_check.h"

namespace chancho {
namespace {

class HttpCheck final : public ReadinessCheck {
 public:
  HttpCheck(int port, std::string path, int status)
      : port_(port), path_(std::move(path)), status_(status) {}

  bool Try(const ReadinessTarget& target, std::chrono::milliseconds timeout,
           std::string& seen) override {
    if (target.address.empty()) {
      seen = "no address yet";
      return false;
    }
    const auto status = HttpGetStatus(target.address, port_, path_, timeout);
    if (status && *status == status_) return true;
    seen = status ? "status " + std::to_string(*status)
                  : "no HTTP answer from " + target.address + ":" +
                        std::to_string(port_);
    return false;
  }

  std::string Describe() const override {
    return "http GET :" + std::to_string(port_) + path_ + " -> " +
           std::to_string(status_);
  }

 private:
  int port_;
  std::string path_;
  int status_;
};

}  // namespace

std::unique_ptr<ReadinessCheck> MakeHttpCheck(const Readiness& readiness) {
  return std::make_unique<HttpCheck>(readiness.port, readiness.path,
                                     readiness.status);
}

}  // namespace chancho
