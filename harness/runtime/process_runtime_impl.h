#pragma once

// Internals of ProcessRuntime, shared by process_runtime.cc (the public
// methods) and process_runtime_impl.cc (spawning, reaping, readiness).
// Not part of the library's interface.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/process/v2/process.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "harness/runtime/control.h"
#include "harness/runtime/process_runtime.h"
#include "harness/runtime/subnet.h"

namespace chancho {

// Signals the replica's process group, or the process alone in the instant
// after fork before the child made its own group.
bool SendSignal(int pid, int signal);

// True once /proc says the process is stopped (state T).
bool ProcessStopped(int pid);

class ProcessRuntime::Impl {
 public:
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
    bool ready = false;
    int pid = 0;
    Clock::time_point started;
    int starts = 0;
    std::uint64_t generation = 0;
    std::uintmax_t log_offset = 0;  // log size when last started
    std::optional<int> exit_code;
    std::optional<int> term_signal;
  };

  Impl(Deployment deployment, ProcessRuntimeOptions options);
  ~Impl();

  Deployment deployment_;
  ProcessRuntimeOptions options_;
  std::mt19937_64 random_;
  std::filesystem::path run_dir_;
  std::unique_ptr<SubnetLease> subnet_;
  std::vector<Replica> replicas_;
  std::unique_ptr<ProxiedLinks> links_;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::function<void()> on_down_;

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work_;
  std::thread io_thread_;
  std::unique_ptr<ControlServer> control_;

  Replica& Get(std::string_view name);
  const Replica& Get(std::string_view name) const;
  ReplicaStatus StatusLocked(const Replica& r) const;
  void WriteHostsFiles() const;
  std::filesystem::path HostsFile(const std::string& replica) const;
  std::vector<std::string> BuildEnvironment(const ReplicaPlan& plan,
                                            const std::string& address) const;
  void Spawn(Replica& r);  // io thread, mu_ held by the caller
  void OnExit(std::string name, std::uint64_t generation, int status);
  void SignalGroup(const Replica& r, int signal) const;
  static bool CheckReady(const ReplicaPlan& plan, const std::string& address,
                         const std::filesystem::path& log_path,
                         std::uintmax_t log_offset, Duration timeout);
  bool WaitExitLocked(std::unique_lock<std::mutex>& lock, Replica& r,
                      Clock::time_point deadline);

  // Runs `task` on the io thread and waits for it; exceptions propagate.
  template <typename F>
  auto OnIoThread(F task) -> decltype(task()) {
    std::packaged_task<decltype(task())()> packaged(std::move(task));
    auto result = packaged.get_future();
    boost::asio::post(io_, [&packaged] { packaged(); });
    return result.get();
  }
};

}  // namespace chancho
