#include "harness/faults/trigger_watch.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "common/user_regex.h"
#include "common/error.h"

namespace chancho {
namespace {

using std::chrono::milliseconds;

class RuntimeView : public SystemView {
 public:
  explicit RuntimeView(Runtime& runtime) : runtime_(runtime) {}
  std::vector<ReplicaStatus> Ps() override { return runtime_.Ps(); }
  std::filesystem::path LogPath(const std::string& replica) override {
    return runtime_.LogPath(replica);
  }

 private:
  Runtime& runtime_;
};

bool Has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A line for the report: long lines are cut.
std::string Shorten(const std::string& line) {
  constexpr std::size_t kMax = 200;
  return line.size() <= kMax ? line : line.substr(0, kMax) + "...";
}

}  // namespace

std::unique_ptr<SystemView> MakeRuntimeView(Runtime& runtime) {
  return std::make_unique<RuntimeView>(runtime);
}

std::vector<std::string> TriggerReplicas(
    const Trigger& trigger, const std::vector<ReplicaStatus>& replicas) {
  if (trigger.kind == Trigger::Kind::kFault) return {};
  Exclusions none;
  none.roles.clear();

  std::mt19937_64 unused(0);
  try {
    return Select(trigger.replicas, replicas, none, unused);
  } catch (const Error& e) {
    throw Error("trigger " + Describe(trigger) + ": " + e.what());
  }
}

void CheckTriggers(const std::vector<FaultEvent>& plan,
                   const std::vector<ReplicaStatus>& replicas) {
  const auto check = [&](const FaultEvent& e, const Trigger& t) {
    if (t.kind != Trigger::Kind::kFault) {
      try {
        TriggerReplicas(t, replicas);
      } catch (const Error& error) {
        throw Error("event " + e.id + ": " + error.what());
      }
      return;
    }
    const bool known = std::any_of(plan.begin(), plan.end(), [&](const FaultEvent& o) {
      return o.id == t.fault && o.id != e.id;
    });
    if (!known) {
      throw Error("event " + e.id + ": trigger " + Describe(t) +
                  " names no other event of the plan");
    }
  };
  for (const FaultEvent& e : plan) {
    if (e.trigger) check(e, *e.trigger);
    if (e.until) check(e, *e.until);
  }
}

std::vector<Trigger> PlanTriggers(const std::vector<FaultEvent>& plan) {
  std::vector<Trigger> out;
  const auto add = [&](const std::optional<Trigger>& t) {
    if (t && std::find(out.begin(), out.end(), *t) == out.end()) out.push_back(*t);
  };
  for (const FaultEvent& e : plan) {
    add(e.trigger);
    add(e.until);
  }
  return out;
}

TriggerWatch::TriggerWatch(SystemView& view, std::vector<Trigger> triggers,
                           Clock::time_point start, milliseconds period)
    : view_(view), start_(start), period_(period) {
  const std::vector<ReplicaStatus> replicas =
      triggers.empty() ? std::vector<ReplicaStatus>{} : view_.Ps();
  for (auto& t : triggers) {
    Watched w;
    w.replicas = TriggerReplicas(t, replicas);
    if (t.kind == Trigger::Kind::kLog) w.regex = CompileUserRegex(t.regex);
    if (t.kind == Trigger::Kind::kFault || t.kind == Trigger::Kind::kExited) {
      needs_states_ = true;
    }
    if (t.kind == Trigger::Kind::kLog || t.kind == Trigger::Kind::kProgress) {
      for (const auto& name : w.replicas) tails_[name];
    }
    w.report.trigger = std::move(t);
    watched_.push_back(std::move(w));
  }
  for (auto& [name, tail] : tails_) tail.path = view_.LogPath(name);
  thread_ = std::thread([this] { Run(); });
}

TriggerWatch::~TriggerWatch() { Stop(); }

void TriggerWatch::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

std::optional<milliseconds> TriggerWatch::FiredAt(const Trigger& trigger) const {
  std::lock_guard lock(mu_);
  for (const auto& w : watched_) {
    if (w.report.trigger == trigger) return w.report.fired;
  }
  return std::nullopt;
}

void TriggerWatch::FaultApplied(const std::string& id,
                                std::vector<std::pair<std::string, int>> starts) {
  std::lock_guard lock(mu_);
  applied_[id] = std::move(starts);
}

std::vector<TriggerWatch::Report> TriggerWatch::Reports() const {
  std::lock_guard lock(mu_);
  std::vector<Report> out;
  for (const auto& w : watched_) out.push_back(w.report);
  return out;
}

std::uint64_t TriggerWatch::polls() const {
  std::lock_guard lock(mu_);
  return polls_;
}

void TriggerWatch::Run() {
  if (watched_.empty()) return;
  std::unique_lock lock(mu_);
  // One last round after Stop(): what happened up to then is seen.
  for (bool stopping = false; !stopping;) {
    stopping = stop_;
    lock.unlock();
    Poll();
    lock.lock();
    ++polls_;
    if (!stopping) wake_.wait_for(lock, period_, [this] { return stop_; });
  }
}

void TriggerWatch::Poll() {
  const auto now = std::chrono::duration_cast<milliseconds>(Clock::now() - start_);
  for (auto& [name, tail] : tails_) ReadLog(name, tail, now);
  if (!needs_states_) return;
  std::map<std::string, ReplicaStatus> states;
  for (auto& s : view_.Ps()) states[s.name] = std::move(s);
  std::lock_guard lock(mu_);
  for (auto& w : watched_) {
    const Trigger& t = w.report.trigger;
    if (w.report.fired) continue;
    if (t.kind == Trigger::Kind::kExited) {
      int exited = 0;
      std::string last;
      for (const auto& name : w.replicas) {
        const auto it = states.find(name);
        if (it != states.end() && it->second.state == ReplicaState::kExited &&
            it->second.starts > 0) {
          ++exited;
          last = name;
        }
      }
      if (exited > 0 && (t.any || exited == static_cast<int>(w.replicas.size()))) {
        Fire(w, now, last + " exited");
      }
    } else if (t.kind == Trigger::Kind::kFault) {
      const auto applied = applied_.find(t.fault);
      if (applied == applied_.end() || applied->second.empty()) continue;
      bool all = true;
      for (const auto& [name, before] : applied->second) {
        const auto it = states.find(name);
        all = all && it != states.end() && it->second.starts > before &&
              it->second.state == ReplicaState::kRunning &&
              (!t.ready || it->second.ready);
      }
      if (all) Fire(w, now, std::string(t.ready ? "ready" : "revived") + " after " + t.fault);
    }
  }
}

void TriggerWatch::ReadLog(const std::string& replica, Tail& tail,
                           milliseconds now) {
  struct stat st {};
  if (::stat(tail.path.c_str(), &st) != 0) return;
  const auto inode = static_cast<std::uintmax_t>(st.st_ino);
  const auto size = static_cast<std::uintmax_t>(st.st_size);
  if (inode != tail.inode || size < tail.offset) {
    // A new file: its first lines are the ones already seen.
    if (tail.inode != 0) {
      tail.skip = tail.lines;
      tail.lines = 0;
    }
    tail.inode = inode;
    tail.offset = 0;
    tail.partial.clear();
  }
  if (size == tail.offset) return;
  std::ifstream in(tail.path, std::ios::binary);
  if (!in) return;
  in.seekg(static_cast<std::streamoff>(tail.offset));
  std::string chunk(size - tail.offset, '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  chunk.resize(static_cast<std::size_t>(in.gcount()));
  tail.offset += chunk.size();
  tail.partial += chunk;
  std::size_t begin = 0;
  for (std::size_t end; (end = tail.partial.find('\n', begin)) != std::string::npos;
       begin = end + 1) {
    ++tail.lines;
    if (tail.skip > 0) {
      --tail.skip;
      continue;
    }
    OnLine(replica, tail.partial.substr(begin, end - begin), now);
  }
  tail.partial.erase(0, begin);
}

void TriggerWatch::OnLine(const std::string& replica, const std::string& line,
                          milliseconds now) {
  std::optional<std::optional<Progress>> progress;  // parsed once, if needed
  std::lock_guard lock(mu_);
  for (auto& w : watched_) {
    if (w.report.fired || !Has(w.replicas, replica)) continue;
    const Trigger& t = w.report.trigger;
    if (t.kind == Trigger::Kind::kLog) {
      if (SearchLine(line, w.regex) && ++w.matches == t.nth) {
        Fire(w, now, replica + ": " + Shorten(line));
      }
    } else if (t.kind == Trigger::Kind::kProgress) {
      if (!progress) progress = ParseProgress(line);
      if (*progress && Reaches(t, **progress)) {
        Fire(w, now, replica + ": " + Shorten(line));
      }
    }
  }
}

void TriggerWatch::Fire(Watched& w, milliseconds now, std::string what) {
  w.report.fired = now;
  w.report.what = std::move(what);
}

}  // namespace chancho
