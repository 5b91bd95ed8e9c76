#include "harness/faults/run_monitor.h"

#include <algorithm>
#include <fstream>

#include "harness/faults/trigger.h"

namespace chancho {
namespace {

using std::chrono::milliseconds;

milliseconds Between(RunMonitor::Clock::time_point from,
                     RunMonitor::Clock::time_point to) {
  return std::chrono::duration_cast<milliseconds>(to - from);
}

// A start after the first one: the replica came back.
int CountRevivals(const std::map<std::string, StateChange>& last) {
  int n = 0;
  for (const auto& [name, c] : last) n += std::max(0, c.starts - 1);
  return n;
}

}  // namespace

RunMonitor::RunMonitor(SystemView& view, std::vector<std::string> clients,
                       int faults_planned, StatusCallback status,
                       milliseconds status_period)
    : view_(view),
      clients_(std::move(clients)),
      faults_planned_(faults_planned),
      status_(std::move(status)),
      status_period_(status_period),
      started_(Clock::now()),
      zero_(started_),
      thread_([this] { Loop(); }) {}

RunMonitor::~RunMonitor() { Stop(); }

void RunMonitor::SetZero(Clock::time_point zero) {
  std::lock_guard lock(mutex_);
  zero_ = zero;
}

void RunMonitor::SetPhase(const std::string& phase) {
  std::lock_guard lock(mutex_);
  phase_ = phase;
}

void RunMonitor::FaultApplied() {
  std::lock_guard lock(mutex_);
  ++faults_applied_;
}

void RunMonitor::Stop() {
  {
    std::lock_guard lock(mutex_);
    phase_ = "done";
  }
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

// The last round comes after Stop(), so that the states the run ended with
// (the clients' exits) and their last progress lines are recorded too.
void RunMonitor::Loop() {
  auto next_status = Clock::now();
  auto next_progress = Clock::now();
  for (bool stopping = false; !stopping;) {
    stopping = stop_;
    PollStates();
    const auto now = Clock::now();
    if (stopping || now >= next_progress) {
      ReadProgress();
      next_progress = now + milliseconds(200);
    }
    if (status_ && (stopping || now >= next_status)) {
      RunStatus status;
      {
        std::lock_guard lock(mutex_);
        status = MakeStatus();
      }
      status_(status);
      next_status = now + status_period_;
    }
    if (!stopping) std::this_thread::sleep_for(milliseconds(20));
  }
}

void RunMonitor::PollStates() {
  const auto statuses = view_.Ps();
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  for (const auto& s : statuses) {
    StateChange c{milliseconds(0), s.name, s.state, s.pid, s.starts, s.ready};
    auto& prev = last_[s.name];
    if (prev.replica.empty()) order_.push_back(s.name);
    if (prev.replica.empty() || prev.state != c.state || prev.pid != c.pid ||
        prev.starts != c.starts || prev.ready != c.ready) {
      seen_.push_back({now, c});
      prev = c;
    }
  }
}

// Reads what each client appended to its log since the last round; a line
// cut at the end of the file waits for its rest.
void RunMonitor::ReadProgress() {
  for (const std::string& client : clients_) {
    std::ifstream in(view_.LogPath(client), std::ios::binary);
    if (!in) continue;
    std::uintmax_t offset;
    {
      std::lock_guard lock(mutex_);
      offset = log_offsets_[client];
    }
    in.seekg(static_cast<std::streamoff>(offset));
    std::string chunk(64 * 1024, '\0');
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    chunk.resize(static_cast<std::size_t>(in.gcount()));
    if (chunk.empty()) continue;
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    log_offsets_[client] = offset + chunk.size();
    std::string text = partial_lines_[client] + chunk;
    std::size_t begin = 0;
    for (std::size_t end; (end = text.find('\n', begin)) != std::string::npos;
         begin = end + 1) {
      const auto p = ParseProgress(std::string_view(text).substr(begin, end - begin));
      if (!p) continue;
      ClientProgress cp{milliseconds(0), client, p->file, p->done, p->total};
      auto& last = last_progress_[client];
      if (last.client.empty() || last.file != cp.file || last.done != cp.done) {
        progress_.push_back({now, cp});
        last = cp;
      }
    }
    partial_lines_[client] = text.substr(begin);
  }
}

RunStatus RunMonitor::MakeStatus() const {
  RunStatus s;
  s.phase = phase_;
  s.elapsed = Between(started_, Clock::now());
  s.faults_applied = faults_applied_;
  s.faults_planned = faults_planned_;
  s.revivals = CountRevivals(last_);
  // In the deployment's order, so that what waits first is named first.
  for (const std::string& name : order_) {
    if (std::find(clients_.begin(), clients_.end(), name) != clients_.end()) continue;
    const StateChange& c = last_.at(name);
    ++s.replicas;
    if (c.ready) {
      ++s.ready;
    } else {
      s.waiting.push_back(name);
    }
  }
  for (const std::string& name : clients_) {
    RunStatus::Client client{name, "created", std::nullopt};
    if (const auto it = last_.find(name); it != last_.end()) {
      client.state = std::string(ToString(it->second.state));
    }
    if (const auto it = last_progress_.find(name); it != last_progress_.end()) {
      client.progress = it->second;
    }
    s.clients.push_back(std::move(client));
  }
  return s;
}

template <typename T>
std::vector<T> RunMonitor::SinceZero(const std::vector<Timed<T>>& seen) const {
  std::vector<T> out;
  for (const auto& timed : seen) {
    out.push_back(timed.value);
    out.back().at = Between(zero_, timed.at);
  }
  return out;
}

std::vector<StateChange> RunMonitor::changes() const {
  std::lock_guard lock(mutex_);
  return SinceZero(seen_);
}

std::vector<ClientProgress> RunMonitor::progress() const {
  std::lock_guard lock(mutex_);
  return SinceZero(progress_);
}

RunStatus RunMonitor::Status() const {
  std::lock_guard lock(mutex_);
  return MakeStatus();
}

}  // namespace chancho
