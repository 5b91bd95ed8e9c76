#pragma once

// Test support: a FaultTarget whose replicas change state as a runtime's
// would, without any process behind them. Thread-safe, like a Runtime.

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "harness/faults/fault_target.h"
#include "harness/faults/targeting.h"

namespace chancho::fake {

inline ReplicaStatus Replica(std::string name, std::string role,
                             std::string service) {
  ReplicaStatus s;
  s.name = std::move(name);
  s.role = std::move(role);
  s.service = std::move(service);
  s.state = ReplicaState::kRunning;
  s.pid = 100;
  s.starts = 1;
  return s;
}

// A small movies-like system: a broker, a client-handler, a client, workers,
// a master and two health-checkers.
// What the movies spec spares: the broker, the clients and the
// client-handler, and one health-checker.
inline Exclusions MoviesExclusions() {
  Exclusions exclusions;
  exclusions.roles = {"broker", "client", "client-handler"};
  exclusions.keep_one = {"health-checker"};
  return exclusions;
}

inline std::vector<ReplicaStatus> Movies() {
  return {Replica("rabbitmq", "broker", "rabbitmq"),
          Replica("client-handler", "client-handler", "client-handler"),
          Replica("client-1", "client", "client"),
          Replica("filter-1", "worker", "filter"),
          Replica("filter-2", "worker", "filter"),
          Replica("join-1", "worker", "join"),
          Replica("master", "master", "master"),
          Replica("health-checker-1", "health-checker", "health-checker"),
          Replica("health-checker-2", "health-checker", "health-checker")};
}

// Replicas that die on kill, pause on pause, and so on; `inert_` names
// ignore every operation, like a replica that shrugs a fault off. `calls_`
// lists the replica of every operation, in order.
class FakeTarget : public FaultTarget {
 public:
  explicit FakeTarget(std::vector<ReplicaStatus> replicas) {
    for (auto& r : replicas) replicas_[r.name] = r;
  }
  std::vector<ReplicaStatus> Ps() override {
    std::lock_guard lock(mu_);
    std::vector<ReplicaStatus> out;
    for (auto& [name, r] : replicas_) out.push_back(r);
    return out;
  }
  void Kill(const std::string& r, int) override {
    Set(r, ReplicaState::kExited);
  }
  void Stop(const std::string& r, Duration) override {
    Set(r, ReplicaState::kExited);
  }
  void Pause(const std::string& r) override { Set(r, ReplicaState::kPaused); }
  void Resume(const std::string& r) override { Set(r, ReplicaState::kRunning); }
  void Start(const std::string& r) override {
    Set(r, ReplicaState::kRunning);
    std::lock_guard lock(mu_);
    if (!inert_.count(r)) ++replicas_.at(r).starts;
  }

  // Replicas named in `linked_` have a proxied link; a link fault on one of
  // `inert_` does not take effect.
  std::vector<LinkStatus> Links() override {
    std::lock_guard lock(mu_);
    std::vector<LinkStatus> out;
    for (const auto& [name, fault] : linked_) {
      LinkStatus l;
      l.replica = name;
      l.upstream = "rabbitmq";
      l.fault = fault;
      out.push_back(l);
    }
    return out;
  }
  LinkFaultOutcome SetLinkFault(const std::string& r,
                                const DirectedLinkFault& fault) override {
    std::lock_guard lock(mu_);
    calls_.push_back(r);
    if (!linked_.count(r)) throw Error("replica " + r + " has no proxied link");
    LinkFaultOutcome out;
    out.took_effect = !inert_.count(r);
    if (out.took_effect) linked_[r] = FormatLinkFault(fault);
    out.detail = out.took_effect ? "set" : "ignored";
    return out;
  }

  ReplicaState State(const std::string& r) {
    std::lock_guard lock(mu_);
    return replicas_.at(r).state;
  }

  std::set<std::string> inert_;
  std::vector<std::string> calls_;
  std::map<std::string, std::string> linked_;  // replica -> its fault

 private:
  void Set(const std::string& r, ReplicaState state) {
    std::lock_guard lock(mu_);
    calls_.push_back(r);
    if (!replicas_.count(r)) throw Error("unknown replica " + r);
    if (!inert_.count(r)) replicas_.at(r).state = state;
  }
  std::mutex mu_;
  std::map<std::string, ReplicaStatus> replicas_;
};

}  // namespace chancho::fake
