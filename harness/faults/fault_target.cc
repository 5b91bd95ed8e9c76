#include "harness/faults/fault_target.h"

#include "harness/runtime/control/control.h"
#include "harness/runtime/control/control_commands.h"
#include "harness/runtime/control/link_json.h"

namespace chancho {
namespace {

class RuntimeTarget : public FaultTarget {
 public:
  explicit RuntimeTarget(Runtime& runtime) : runtime_(runtime) {}
  std::vector<ReplicaStatus> Ps() override { return runtime_.Ps(); }
  void Kill(const std::string& r, int signal) override {
    runtime_.Kill(r, signal);
  }
  void Stop(const std::string& r, Duration grace) override {
    runtime_.Stop(r, grace);
  }
  void Pause(const std::string& r) override { runtime_.Pause(r); }
  void Resume(const std::string& r) override { runtime_.Resume(r); }
  void Start(const std::string& r) override { runtime_.Start(r); }
  std::vector<LinkStatus> Links() override { return runtime_.Links(); }
  LinkFaultOutcome SetLinkFault(const std::string& r,
                                const DirectedLinkFault& fault) override {
    return runtime_.SetLinkFault(r, fault);
  }

 private:
  Runtime& runtime_;
};

// Each operation is one request on the control socket; the runtime behind
// it answers with an error when the operation did not take effect.
class ControlTarget : public FaultTarget {
 public:
  explicit ControlTarget(std::string name) : name_(std::move(name)) {}
  std::vector<ReplicaStatus> Ps() override {
    return StatusesFromJson(Ask("ps", kShort));
  }
  void Kill(const std::string& r, int signal) override {
    Ask("kill " + r + " " + std::to_string(signal), kShort);
  }
  void Stop(const std::string& r, Duration grace) override {
    Ask("stop " + r + " " + std::to_string(grace.count()), grace + kShort);
  }
  void Pause(const std::string& r) override { Ask("pause " + r, kShort); }
  void Resume(const std::string& r) override { Ask("resume " + r, kShort); }
  void Start(const std::string& r) override { Ask("start " + r, kStart); }
  std::vector<LinkStatus> Links() override {
    return LinksFromJson(Ask("links", kShort));
  }
  LinkFaultOutcome SetLinkFault(const std::string& r,
                                const DirectedLinkFault& fault) override {
    return LinkOutcomeFromJson(
        Ask("link " + r + " " + FormatLinkFault(fault), kShort));
  }

 private:
  static constexpr Duration kShort{10000};
  // Start waits for the replica's readiness.
  static constexpr Duration kStart{180000};

  std::string Ask(const std::string& request, Duration timeout) {
    return ControlRequest(name_, request, timeout);
  }

  std::string name_;
};

}  // namespace

std::unique_ptr<FaultTarget> MakeRuntimeTarget(Runtime& runtime) {
  return std::make_unique<RuntimeTarget>(runtime);
}

std::unique_ptr<FaultTarget> MakeControlTarget(std::string control_name) {
  return std::make_unique<ControlTarget>(std::move(control_name));
}

}  // namespace chancho
