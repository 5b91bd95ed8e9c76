#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/process/v2/process.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "harness/runtime/driver.h"
#include "harness/runtime/run_reaper.h"
#include "harness/runtime/process/subnet.h"

namespace chancho {

// Runs every replica as a local process, started with Boost.Process v2:
// - each in its own process group, with PR_SET_PDEATHSIG, so nothing
//   outlives the harness even after a SIGKILL;
// - each with its own address in a loopback /24 leased for the run
//   (CHANCHO_BIND_IP), and names resolved through the hosts file
//   <run_dir>/hosts (CHANCHO_HOSTS_FILE), or <run_dir>/hosts.d/<replica>
//   for a replica with a proxied link;
// - stdout and stderr appended to <run_dir>/logs/<replica>.log;
// - mounts passed as environment variables that name the host path, and
//   storage in <run_dir>/storage/<replica>/;
// - CHANCHO_CONTROL names the run's control socket when options serve one;
// - CHANCHO_RUN_TOKEN marks the run's processes, so that a per-run reaper
//   (run_reaper.h) kills what a replica forked and left behind (a daemon
//   in a session of its own) when the run ends or the harness dies.
// Processes are spawned and reaped on one internal thread, which lives as
// long as the object: exits are seen as they happen (poll_interval is only
// a safety net). The destructor kills and reaps whatever still runs.
class ProcessDriver final : public Driver {
 public:
  // Throws chancho::Error when a replica's executable is not found, or the
  // replicas do not fit one /24.
  ProcessDriver(Deployment deployment, RuntimeOptions options);
  ~ProcessDriver() override;
  ProcessDriver(const ProcessDriver&) = delete;
  ProcessDriver& operator=(const ProcessDriver&) = delete;

  const Deployment& deployment() const override { return deployment_; }
  const std::filesystem::path& run_dir() const override { return run_dir_; }

  void Create() override {}
  void Start(const std::vector<std::string>& replicas) override;
  void Signal(std::string_view replica, int signal) override;
  void Terminate(std::string_view replica) override;
  void Pause(std::string_view replica) override;
  void Resume(std::string_view replica) override;

  DriverStatus Inspect(std::string_view replica) override;
  std::vector<DriverStatus> InspectAll() override;
  Duration poll_interval() const override { return Duration(1000); }
  void Watch(std::function<void()> changed) override;

  std::string Logs(std::string_view replica) override;
  std::filesystem::path LogPath(std::string_view replica) const override;
  std::optional<int> Exec(std::string_view replica,
                          const std::vector<std::string>& command,
                          Duration timeout, std::string* output) override;
  ProxiedLinks* links() override { return links_.get(); }
  void Remove() override;

 private:
  using Clock = std::chrono::steady_clock;

  struct Replica {
    const ReplicaPlan* plan = nullptr;
    std::string address;
    std::filesystem::path log_path;
    std::filesystem::path executable;
    std::vector<std::string> environment;  // "KEY=VALUE"
    std::optional<boost::process::v2::process>
        process;  // touched on the io thread only
    ReplicaState state = ReplicaState::kCreated;
    int pid = 0;
    Clock::time_point started;
    int starts = 0;
    std::uint64_t generation = 0;
    std::uintmax_t log_offset = 0;  // log size when last started
    std::optional<int> exit_code;
    std::optional<int> term_signal;
  };

  Replica& Get(std::string_view name);
  const Replica& Get(std::string_view name) const;
  DriverStatus StatusLocked(const Replica& r) const;
  void WriteHostsFiles() const;
  std::filesystem::path HostsFile(const std::string& replica) const;
  std::vector<std::string> BuildEnvironment(const ReplicaPlan& plan,
                                            const std::string& address) const;
  void Spawn(Replica& r);  // io thread, mu_ held by the caller
  void OnExit(std::string name, std::uint64_t generation, int status);
  void SignalGroup(const Replica& r, int signal) const;
  void Notify();

  // Runs `task` on the io thread and waits for it; exceptions propagate.
  template <typename F>
  auto OnIoThread(F task) -> decltype(task()) {
    std::packaged_task<decltype(task())()> packaged(std::move(task));
    auto result = packaged.get_future();
    boost::asio::post(io_, [&packaged] { packaged(); });
    return result.get();
  }

  Deployment deployment_;
  RuntimeOptions options_;
  std::mt19937_64 random_;
  std::filesystem::path run_dir_;
  std::unique_ptr<SubnetLease> subnet_;
  std::vector<Replica> replicas_;
  std::unique_ptr<ProxiedLinks> links_;
  // Kills what the replicas forked and left behind when the run ends or the
  // harness dies (run_reaper.h).
  std::unique_ptr<RunReaper> reaper_;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::function<void()> on_change_;

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work_;
  std::thread io_thread_;
};

// Signals the replica's process group, or the process alone in the instant
// after fork before the child made its own group.
bool SendSignal(int pid, int signal);

// True once /proc says the process is stopped (state T).
bool ProcessStopped(int pid);

}  // namespace chancho
