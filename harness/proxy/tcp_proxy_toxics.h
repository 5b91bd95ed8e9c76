#pragma once

// Internals of TcpProxy (tcp_proxy.h): the checks of faults and toxics, and
// the table of installed toxics. Not part of the library's interface.

#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "harness/proxy/tcp_proxy_link.h"

namespace chancho::tcp_proxy_internal {

// Throws chancho::Error, naming the kind, for a fault that makes no sense:
// a negative time, a bandwidth of 0, a slicer without a size or with a
// variation not below it, a toxicity outside [0, 1], or a stack that holds
// kNone, kReset, kPartition or a stack of its own.
void CheckFault(const LinkFault& fault);
// CheckFault(), and the toxic's own rules: a kind that is a toxic (not
// kNone, kReset or kPartition), one direction, nothing stacked.
void CheckToxic(const Toxic& toxic);

// The toxics of both directions: their names, ids, versions and durations,
// in state.toxics. Owned by the io thread; every change calls `kick` with
// the direction (0 or 1) so that each connection takes it on. Snapshot()
// may be called from any thread.
class ToxicTable {
 public:
  ToxicTable(ProxyState& state, std::function<void(int)> kick);

  // SetFault() on direction 0 or 1: `fault` and its stack replace the
  // direction's toxics; kNone leaves it with none.
  void Set(int direction, const LinkFault& fault);
  LinkFaultOutcome Add(Toxic toxic);
  LinkFaultOutcome Update(const Toxic& toxic);
  LinkFaultOutcome Remove(std::string_view name);
  // Cancels every duration (the proxy stops), so that no timer is left.
  void Stop() { expiry_.clear(); }

  std::vector<Toxic> Snapshot() const;

 private:
  // The toxic named `name`, and its direction; nullptr if there is none.
  InstalledToxic* Find(std::string_view name, int* direction);
  // `base`, or base_2, base_3, ...: the first that no toxic has.
  std::string FreeName(const std::string& base);
  // (Re)starts the toxic's duration; none for 0.
  void Arm(const InstalledToxic& toxic);
  void Changed(int direction);
  // "on client->server of 3 active connections and every new one"
  std::string Where(int direction) const;

  ProxyState& state_;
  std::function<void(int)> kick_;
  std::map<std::uint64_t, asio::steady_timer> expiry_;  // by toxic id
  std::uint64_t next_id_ = 0;
  std::uint64_t next_version_ = 0;
  mutable std::mutex mu_;
  std::vector<Toxic> snapshot_;  // guarded by mu_
};

}  // namespace chancho::tcp_proxy_internal
