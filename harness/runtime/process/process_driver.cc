#include "harness/runtime/process/process_driver.h"
#include "harness/runtime/process/process_runtime.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/process/v2/environment.hpp>
// Boost 1.81 header-only mode omits the definition of
// process_environment::on_setup; this file holds it.
#include <boost/process/v2/impl/environment.ipp>
#include <boost/process/v2/posix/default_launcher.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/start_dir.hpp>
#include <boost/process/v2/stdio.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <future>
#include <mutex>
#include <cstdio>
#include <random>
#include <sstream>
#include <thread>

#include "common/child_setup.h"
#include "common/subprocess.h"
#include "harness/runtime/control/control.h"
#include "harness/runtime/proxied_links.h"
#include "harness/runtime/run_dir.h"
#include "harness/runtime/runtime.h"
#include "harness/runtime/process/subnet.h"

namespace chancho {

namespace asio = boost::asio;
namespace bp = boost::process::v2;

namespace {

using Clock = std::chrono::steady_clock;

std::filesystem::path FindExecutable(
    const std::string& program, const std::filesystem::path& spec_dir,
    const std::vector<std::filesystem::path>& bin_dirs) {
  namespace fs = std::filesystem;
  if (program.find('/') != std::string::npos) {
    fs::path path = fs::path(program).is_absolute() ? fs::path(program)
                                                    : spec_dir / program;
    if (::access(path.c_str(), X_OK) == 0) return path;
    throw Error("executable " + path.string() + " not found or not runnable");
  }
  std::vector<fs::path> dirs = bin_dirs;
  std::string searched;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream list(path);
    for (std::string dir; std::getline(list, dir, ':');) {
      if (!dir.empty()) dirs.emplace_back(dir);
    }
  }
  for (const auto& dir : dirs) {
    const fs::path candidate = dir / program;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate))
      return fs::absolute(candidate);
    searched += (searched.empty() ? "" : ":") + dir.string();
  }
  throw Error("executable \"" + program + "\" not found in " + searched);
}

}  // namespace

bool SendSignal(int pid, int signal) {
  return ::kill(-pid, signal) == 0 || ::kill(pid, signal) == 0;
}

bool ProcessStopped(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), {});
  const auto paren = content.rfind(')');
  return paren != std::string::npos && paren + 2 < content.size() &&
         (content[paren + 2] == 'T' || content[paren + 2] == 't');
}

ProcessDriver::ProcessDriver(Deployment deployment, RuntimeOptions options)
    : deployment_(std::move(deployment)),
      options_(std::move(options)),
      random_(options_.seed != 0 ? options_.seed : std::random_device{}()),
      work_(io_.get_executor()) {
  if (deployment_.replicas.size() > 253) {
    throw Error(deployment_.project + ": " +
                std::to_string(deployment_.replicas.size()) +
                " replicas do not fit one loopback /24 (at most 253)");
  }
  run_dir_ = options_.run_dir.empty()
                 ? CreateRunDir(options_.runs_root, random_())
                 : std::filesystem::absolute(options_.run_dir);
  std::filesystem::create_directories(run_dir_ / "logs");
  {
    char bits[17];
    std::snprintf(bits, sizeof bits, "%016llx",
                  static_cast<unsigned long long>(random_()));
    reaper_ = std::make_unique<RunReaper>(run_dir_.filename().string() + "-" + bits);
  }
  subnet_ = std::make_unique<SubnetLease>(random_);
  replicas_.reserve(deployment_.replicas.size());
  int host = 2;  // .1 is left to the harness's own probes
  for (const ReplicaPlan& plan : deployment_.replicas) {
    Replica r;
    r.plan = &plan;
    r.address = subnet_->Address(host++);
    r.log_path = run_dir_ / "logs" / (plan.name + ".log");
    if (plan.command.empty()) {
      throw Error("replica " + plan.name + ": empty command");
    }
    try {
      r.executable = FindExecutable(plan.command[0], deployment_.spec_dir,
                                    options_.bin_dirs);
    } catch (const Error& e) {
      throw Error("replica " + plan.name + ": " + e.what());
    }
    replicas_.push_back(std::move(r));
  }
  std::map<std::string, std::string> addresses;
  for (const Replica& r : replicas_) addresses[r.plan->name] = r.address;
  // Each proxy gets an address of its own from the top of the /24 (.254,
  // .253, ...), so that it never takes a port of a replica: the linked
  // replica may well listen on the upstream's port itself.
  if (deployment_.replicas.size() + options_.links.size() > 253) {
    throw Error(deployment_.project + ": " +
                std::to_string(deployment_.replicas.size()) + " replicas and " +
                std::to_string(options_.links.size()) +
                " proxied links do not fit one loopback /24 (at most 253)");
  }
  links_ = std::make_unique<ProxiedLinks>(
      options_.links, deployment_,
      [&](const ProxiedLink&, const std::string& upstream, std::size_t index) {
        ProxyPlacement placement;
        placement.listen_ip = subnet_->Address(254 - static_cast<int>(index));
        placement.upstream_ip = addresses.at(upstream);
        return placement;
      },
      random_());
  for (Replica& r : replicas_) {
    r.environment = BuildEnvironment(*r.plan, r.address);
  }
  WriteHostsFiles();
  WriteFileAtomically(run_dir_ / "deployment.json",
                      DeploymentToJson(deployment_));
  io_thread_ = std::thread([this] { io_.run(); });
}

ProcessDriver::~ProcessDriver() {
  work_.reset();
  io_.stop();
  if (io_thread_.joinable()) io_thread_.join();
  // Anything the graceful Down missed dies with its bp::process object
  // (SIGKILL and reap); done here because those objects hold descriptors of
  // io_, which is destroyed before replicas_.
  for (Replica& r : replicas_) r.process.reset();
}

ProcessDriver::Replica& ProcessDriver::Get(
    std::string_view name) {
  return const_cast<Replica&>(std::as_const(*this).Get(name));
}

const ProcessDriver::Replica& ProcessDriver::Get(
    std::string_view name) const {
  for (const Replica& r : replicas_) {
    if (r.plan->name == name) return r;
  }
  throw UnknownReplica(name, deployment_);
}

void ProcessDriver::WriteHostsFiles() const {
  // `overrides`: replica name -> the address to give for it instead.
  const auto text = [&](const std::map<std::string, std::string>& overrides) {
    std::string hosts =
        "# Names of run " + run_dir_.filename().string() + "\n";
    for (const Replica& r : replicas_) {
      const auto o = overrides.find(r.plan->name);
      hosts += (o != overrides.end() ? o->second : r.address) + " " +
               r.plan->name;
      // A single-replica service is also known by its service name.
      if (r.plan->name != r.plan->service &&
          deployment_.Match(r.plan->service).size() == 1) {
        hosts += " " + r.plan->service;
      }
      hosts += "\n";
    }
    return hosts;
  };
  WriteFileAtomically(run_dir_ / "hosts", text({}));
  for (const Replica& r : replicas_) {
    const auto overrides = links_->Overrides(r.plan->name);
    if (overrides.empty()) continue;
    std::filesystem::create_directories(run_dir_ / "hosts.d");
    WriteFileAtomically(HostsFile(r.plan->name), text(overrides));
  }
}

std::filesystem::path ProcessDriver::HostsFile(
    const std::string& replica) const {
  // Its upstreams through their proxies, for a replica with proxied links.
  if (links_ && !links_->Overrides(replica).empty()) {
    return run_dir_ / "hosts.d" / replica;
  }
  return run_dir_ / "hosts";
}

std::vector<std::string> ProcessDriver::BuildEnvironment(
    const ReplicaPlan& plan, const std::string& address) const {
  std::map<std::string, std::string> env;
  // The sanitizers' options reach a replica built with them, so that its
  // reports go where the harness's own go.
  for (const char* inherited :
       {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "ASAN_OPTIONS",
        "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"}) {
    if (const char* value = std::getenv(inherited)) env[inherited] = value;
  }
  for (const auto& [key, value] : options_.environment) env[key] = value;
  for (const auto& [key, value] : plan.environment) env[key] = value;
  for (const Mount& mount : plan.mounts) {
    std::filesystem::path host = mount.host;
    if (host.is_relative()) host = run_dir_ / host;
    if (mount.storage) std::filesystem::create_directories(host);
    env[mount.env] = host.string();
  }
  if (deployment_.address_shim) {
    if (options_.address_shim.empty() ||
        !std::filesystem::exists(options_.address_shim)) {
      throw Error("replica " + plan.name +
                  ": the spec asks for the address shim, but " +
                  (options_.address_shim.empty()
                       ? std::string("no path to it was given")
                       : options_.address_shim.string() + " does not exist"));
    }
    env["LD_PRELOAD"] = options_.address_shim.string();
  }
  env["CHANCHO_BIND_IP"] = address;
  env["CHANCHO_HOSTS_FILE"] = HostsFile(plan.name).string();
  env["CHANCHO_RUN_DIR"] = run_dir_.string();
  env["CHANCHO_REPLICA"] = plan.name;
  env[RunReaper::kVariable] = reaper_->token();
  if (options_.serve_control) env["CHANCHO_CONTROL"] = ControlName(run_dir_);
  std::vector<std::string> out;
  for (const auto& [key, value] : env) out.push_back(key + "=" + value);
  return out;
}

void ProcessDriver::Spawn(Replica& r) {
  const int log_fd = ::open(r.log_path.c_str(),
                            O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    throw Error(r.log_path.string() +
                ": cannot open log: " + std::strerror(errno));
  }
  struct stat info {};
  ::fstat(log_fd, &info);
  std::vector<std::string> args(r.plan->command.begin() + 1,
                                r.plan->command.end());
  boost::system::error_code ec;
  bp::process process = bp::posix::default_launcher()(
      io_.get_executor(), ec, bp::filesystem::path(r.executable.string()), args,
      bp::process_stdio{nullptr, log_fd, log_fd},
      bp::process_environment(r.environment),
      bp::process_start_dir(run_dir_.string()), common::ChildSetup{::getpid()});
  ::close(log_fd);
  if (ec) {
    throw Error("replica " + r.plan->name + ": cannot start " +
                r.executable.string() + ": " + ec.message());
  }
  r.pid = process.id();
  r.state = ReplicaState::kRunning;
  r.started = Clock::now();
  r.log_offset = static_cast<std::uintmax_t>(info.st_size);
  r.exit_code.reset();
  r.term_signal.reset();
  ++r.starts;
  const std::uint64_t generation = ++r.generation;
  r.process.emplace(std::move(process));
  r.process->handle().async_wait([this, name = r.plan->name, generation](
                                     boost::system::error_code, int status) {
    OnExit(name, generation, status);
  });
}

void ProcessDriver::OnExit(std::string name, std::uint64_t generation,
                           int status) {
  {
    std::lock_guard lock(mu_);
    Replica& r = Get(name);
    if (r.generation != generation) return;
    r.state = ReplicaState::kExited;
    r.pid = 0;
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
    // Already reaped: dropping the handle sends no signal.
    r.process.reset();
  }
  Notify();
}

void ProcessDriver::SignalGroup(const Replica& r, int signal) const {
  if (r.state != ReplicaState::kRunning && r.state != ReplicaState::kPaused) {
    throw Error("replica " + r.plan->name + " is not running (" +
                std::string(ToString(r.state)) + ")");
  }
  if (!SendSignal(r.pid, signal)) {
    throw Error("replica " + r.plan->name + ": signal " +
                std::to_string(signal) +
                " not delivered: " + std::strerror(errno));
  }
}

DriverStatus ProcessDriver::StatusLocked(const Replica& r) const {
  DriverStatus s;
  s.address = r.address;
  s.state = r.state;
  s.pid = r.pid;
  if (Alive(r.state)) {
    s.uptime = std::chrono::duration_cast<std::chrono::milliseconds>(
        Clock::now() - r.started);
  }
  s.starts = r.starts;
  s.exit_code = r.exit_code;
  s.term_signal = r.term_signal;
  s.log_offset = r.log_offset;
  return s;
}

void ProcessDriver::Notify() {
  std::function<void()> callback;
  {
    std::lock_guard lock(mu_);
    callback = on_change_;
  }
  changed_.notify_all();
  if (callback) callback();
}

void ProcessDriver::Watch(std::function<void()> changed) {
  std::lock_guard lock(mu_);
  on_change_ = std::move(changed);
}

void ProcessDriver::Start(const std::vector<std::string>& replicas) {
  for (const std::string& name : replicas) Get(name);
  // Spawned on the io thread: PR_SET_PDEATHSIG fires when the thread that
  // forked ends, and that thread lives as long as the driver. The lock is
  // taken there, never held while waiting for the io thread, which also
  // needs it to record exits.
  OnIoThread([this, &replicas] {
    std::lock_guard lock(mu_);
    for (const std::string& name : replicas) {
      Replica& r = Get(name);
      if (!Alive(r.state)) Spawn(r);
    }
  });
  Notify();
}

void ProcessDriver::Signal(std::string_view replica, int signal) {
  std::lock_guard lock(mu_);
  SignalGroup(Get(replica), signal);
}

void ProcessDriver::Terminate(std::string_view replica) {
  std::lock_guard lock(mu_);
  const Replica& r = Get(replica);
  SignalGroup(r, SIGTERM);
  // A paused process must run to handle SIGTERM.
  if (r.state == ReplicaState::kPaused) {
    SendSignal(r.pid, SIGCONT);
  }
}

void ProcessDriver::Pause(std::string_view replica) {
  {
    std::unique_lock lock(mu_);
    Replica& r = Get(replica);
    if (r.state == ReplicaState::kPaused) return;
    SignalGroup(r, SIGSTOP);
    const int pid = r.pid;
    const auto deadline = Clock::now() + std::chrono::seconds(2);
    while (!ProcessStopped(pid)) {
      if (Clock::now() > deadline || r.state != ReplicaState::kRunning) {
        throw Error("replica " + std::string(replica) +
                    ": SIGSTOP sent, but the process is not stopped");
      }
      changed_.wait_for(lock, std::chrono::milliseconds(1));
    }
    r.state = ReplicaState::kPaused;
  }
  Notify();
}

void ProcessDriver::Resume(std::string_view replica) {
  {
    std::lock_guard lock(mu_);
    Replica& r = Get(replica);
    SignalGroup(r, SIGCONT);
    r.state = ReplicaState::kRunning;
  }
  Notify();
}

DriverStatus ProcessDriver::Inspect(std::string_view replica) {
  std::lock_guard lock(mu_);
  return StatusLocked(Get(replica));
}

std::vector<DriverStatus> ProcessDriver::InspectAll() {
  std::lock_guard lock(mu_);
  std::vector<DriverStatus> out;
  for (const Replica& r : replicas_) out.push_back(StatusLocked(r));
  return out;
}

std::string ProcessDriver::Logs(std::string_view replica) {
  std::ifstream in(LogPath(replica), std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::filesystem::path ProcessDriver::LogPath(std::string_view replica) const {
  std::lock_guard lock(mu_);
  return Get(replica).log_path;
}

std::optional<int> ProcessDriver::Exec(std::string_view replica,
                                       const std::vector<std::string>& command,
                                       Duration timeout, std::string* output) {
  std::vector<std::string> argv = {"env", "-i"};
  {
    std::lock_guard lock(mu_);
    const Replica& r = Get(replica);
    argv.insert(argv.end(), r.environment.begin(), r.environment.end());
  }
  argv.insert(argv.end(), command.begin(), command.end());
  return RunForExitCode(argv, timeout, output);
}

// Whatever still runs after the runtime's waves gets SIGKILL; returns once
// every replica was reaped.
void ProcessDriver::Remove() {
  std::unique_lock lock(mu_);
  for (const Replica& r : replicas_) {
    if (Alive(r.state)) SendSignal(r.pid, SIGKILL);
  }
  changed_.wait_for(lock, std::chrono::seconds(10), [this] {
    return std::none_of(replicas_.begin(), replicas_.end(),
                        [](const Replica& r) { return Alive(r.state); });
  });
}

}  // namespace chancho

namespace chancho {

ProcessRuntime::ProcessRuntime(Deployment deployment, RuntimeOptions options)
    : Runtime(std::make_unique<ProcessDriver>(std::move(deployment), options),
              options) {}

}  // namespace chancho
