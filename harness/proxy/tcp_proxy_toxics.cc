#include "harness/proxy/tcp_proxy_toxics.h"

#include <algorithm>
#include <utility>

#include "common/error.h"

namespace chancho::tcp_proxy_internal {
namespace {

using boost::system::error_code;

bool IsToxic(LinkFaultKind kind) {
  return kind != LinkFaultKind::kNone && kind != LinkFaultKind::kReset &&
         kind != LinkFaultKind::kPartition;
}

std::string What(const LinkFault& fault) {
  return "tcp proxy: " + std::string(ToString(fault.kind));
}

// The checks of one fault, without its stack.
void CheckOne(const LinkFault& fault) {
  const std::string what = What(fault);
  if (fault.delay.count() < 0 || fault.jitter.count() < 0 ||
      fault.duration.count() < 0 || fault.timeout.count() < 0 ||
      fault.slice_delay.count() < 0) {
    throw Error(what +
                ": delay, jitter, duration, timeout and slice_delay must not "
                "be negative");
  }
  if (fault.kind == LinkFaultKind::kBandwidth && fault.bytes_per_second == 0) {
    throw Error(what + ": bytes_per_second must be positive");
  }
  if (fault.kind == LinkFaultKind::kSlicer && fault.average_size == 0) {
    throw Error(what + ": average_size must be positive");
  }
  if (fault.kind == LinkFaultKind::kSlicer &&
      fault.size_variation >= fault.average_size) {
    throw Error(what + ": size_variation must be below average_size");
  }
  if (!(fault.toxicity >= 0 && fault.toxicity <= 1)) {
    throw Error(what + ": toxicity must be between 0 and 1");
  }
}

std::string DefaultName(LinkFaultKind kind, Direction stream) {
  return std::string(ToString(kind)) + "_" + std::string(StreamName(stream));
}

}  // namespace

void CheckFault(const LinkFault& fault) {
  CheckOne(fault);
  if (!fault.stacked.empty() && !IsToxic(fault.kind)) {
    throw Error(What(fault) + ": only toxics stack, and this is not one");
  }
  for (const LinkFault& next : fault.stacked) {
    CheckOne(next);
    if (!IsToxic(next.kind)) {
      throw Error(What(next) + ": not a toxic, so it cannot be stacked");
    }
    if (!next.stacked.empty()) {
      throw Error(What(next) + ": a stacked fault has no stack of its own");
    }
  }
}

void CheckToxic(const Toxic& toxic) {
  CheckOne(toxic.fault);
  const std::string what = What(toxic.fault) + " toxic \"" + toxic.name + "\"";
  if (!IsToxic(toxic.fault.kind)) {
    throw Error(what + ": not a toxic (SetFault() sets it)");
  }
  if (toxic.stream == Direction::kBoth) {
    throw Error(what + ": a toxic is on one direction, not both");
  }
  if (!toxic.fault.stacked.empty()) {
    throw Error(what + ": a toxic has nothing stacked (add one per toxic)");
  }
}

ToxicTable::ToxicTable(ProxyState& state, std::function<void(int)> kick)
    : state_(state), kick_(std::move(kick)) {}

void ToxicTable::Set(int direction, const LinkFault& fault) {
  std::vector<InstalledToxic>& toxics = state_.toxics[direction];
  for (const InstalledToxic& toxic : toxics) expiry_.erase(toxic.id);
  toxics.clear();
  const auto install = [&](const LinkFault& one) {
    InstalledToxic toxic;
    toxic.toxic.stream = static_cast<Direction>(direction);
    toxic.toxic.name = FreeName(DefaultName(one.kind, toxic.toxic.stream));
    toxic.toxic.fault = one;
    toxic.toxic.fault.stacked.clear();
    toxic.id = ++next_id_;
    toxic.version = ++next_version_;
    toxics.push_back(std::move(toxic));
    Arm(toxics.back());
  };
  if (fault.kind != LinkFaultKind::kNone) {
    install(fault);
    for (const LinkFault& next : fault.stacked) install(next);
  }
  Changed(direction);
}

LinkFaultOutcome ToxicTable::Add(Toxic toxic) {
  LinkFaultOutcome outcome;
  if (toxic.name.empty()) {
    toxic.name = DefaultName(toxic.fault.kind, toxic.stream);
  }
  if (Find(toxic.name, nullptr) != nullptr) {
    outcome.detail = "a toxic named \"" + toxic.name + "\" exists";
    return outcome;
  }
  const int direction = static_cast<int>(toxic.stream);
  outcome.detail = "added " + toxic.name + " (" +
                   std::string(ToString(toxic.fault.kind)) + ") " +
                   Where(direction);
  state_.toxics[direction].push_back(
      {std::move(toxic), ++next_id_, ++next_version_});
  Arm(state_.toxics[direction].back());
  Changed(direction);
  outcome.took_effect = true;
  return outcome;
}

LinkFaultOutcome ToxicTable::Update(const Toxic& toxic) {
  LinkFaultOutcome outcome;
  int direction = 0;
  InstalledToxic* installed = Find(toxic.name, &direction);
  if (installed == nullptr) {
    outcome.detail = "no toxic named \"" + toxic.name + "\"";
    return outcome;
  }
  const Toxic& old = installed->toxic;
  if (old.stream != toxic.stream || old.fault.kind != toxic.fault.kind) {
    outcome.detail = "toxic \"" + toxic.name + "\" is " +
                     std::string(ToString(old.fault.kind)) + " on " +
                     std::string(ToString(old.stream)) +
                     ": remove it and add another";
    return outcome;
  }
  installed->toxic = toxic;
  installed->version = ++next_version_;
  Arm(*installed);
  Changed(direction);
  outcome.took_effect = true;
  outcome.detail = "updated " + toxic.name + " " + Where(direction);
  return outcome;
}

LinkFaultOutcome ToxicTable::Remove(std::string_view name) {
  LinkFaultOutcome outcome;
  int direction = 0;
  const InstalledToxic* installed = Find(name, &direction);
  if (installed == nullptr) {
    outcome.detail = "no toxic named \"" + std::string(name) + "\"";
    return outcome;
  }
  expiry_.erase(installed->id);
  std::vector<InstalledToxic>& toxics = state_.toxics[direction];
  toxics.erase(toxics.begin() + (installed - toxics.data()));
  Changed(direction);
  outcome.took_effect = true;
  outcome.detail = "removed " + std::string(name) + " " + Where(direction);
  return outcome;
}

std::vector<Toxic> ToxicTable::Snapshot() const {
  std::lock_guard lock(mu_);
  return snapshot_;
}

InstalledToxic* ToxicTable::Find(std::string_view name, int* direction) {
  for (int d = 0; d < 2; ++d) {
    for (InstalledToxic& toxic : state_.toxics[d]) {
      if (toxic.toxic.name != name) continue;
      if (direction != nullptr) *direction = d;
      return &toxic;
    }
  }
  return nullptr;
}

std::string ToxicTable::FreeName(const std::string& base) {
  std::string name = base;
  for (int n = 2; Find(name, nullptr) != nullptr; ++n) {
    name = base + "_" + std::to_string(n);
  }
  return name;
}

void ToxicTable::Arm(const InstalledToxic& toxic) {
  expiry_.erase(toxic.id);  // a wait for it completes as aborted
  if (toxic.toxic.fault.duration.count() <= 0) return;
  asio::steady_timer& timer =
      expiry_.try_emplace(toxic.id, state_.io).first->second;
  timer.expires_after(toxic.toxic.fault.duration);
  timer.async_wait(
      [this, id = toxic.id, version = toxic.version](const error_code& ec) {
        if (ec) return;
        for (int d = 0; d < 2; ++d) {
          std::vector<InstalledToxic>& toxics = state_.toxics[d];
          const auto it =
              std::find_if(toxics.begin(), toxics.end(), [&](const auto& t) {
                return t.id == id && t.version == version;
              });
          if (it == toxics.end()) continue;
          toxics.erase(it);
          expiry_.erase(id);  // this timer: its wait is over
          Changed(d);
          return;
        }
      });
}

void ToxicTable::Changed(int direction) {
  {
    std::lock_guard lock(mu_);
    snapshot_.clear();
    for (const auto& toxics : state_.toxics) {
      for (const InstalledToxic& toxic : toxics) {
        snapshot_.push_back(toxic.toxic);
      }
    }
  }
  kick_(direction);
}

std::string ToxicTable::Where(int direction) const {
  return "on " + std::string(ToString(static_cast<Direction>(direction))) +
         " of " + std::to_string(state_.connections.size()) +
         " active connections and every new one";
}

}  // namespace chancho::tcp_proxy_internal
