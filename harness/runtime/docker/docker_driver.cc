#include "harness/runtime/docker/docker_driver.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <utility>

#include "common/subprocess.h"
#include "harness/compose/compose.h"
#include "harness/runtime/docker/docker_api.h"
#include "harness/runtime/docker/docker_cli.h"
#include "harness/runtime/docker/docker_inspect.h"
#include "harness/runtime/docker/docker_leftovers.h"
#include "harness/runtime/docker/docker_log.h"
#include "harness/runtime/proxied_links.h"
#include "harness/runtime/run_dir.h"
#include "harness/runtime/runtime.h"

namespace chancho {

using std::chrono::milliseconds;
using SystemClock = std::chrono::system_clock;

namespace {

constexpr milliseconds kDrain{2000};        // a follower's last lines
constexpr milliseconds kInspectEvery{200};  // state polls without events
constexpr milliseconds kUpTimeout{180000};  // compose up (creates all)
// `docker start` of one container on a busy engine (other runs starting
// and stopping) can take seconds.
constexpr milliseconds kStartTimeout{30000};

std::string NotRunning(std::string_view replica, ReplicaState state) {
  return "replica " + std::string(replica) + " is not running (" +
         std::string(ToString(state)) + ")";
}

}  // namespace

// The engine's events about the run's containers, from `docker events`:
// replayed from just before it was started, so that nothing between the
// start of the command and its subscription is missed.
class DockerEvents {
 public:
  using Handler = std::function<void(const ContainerEvent&)>;

  DockerEvents(const std::string& docker, const std::string& run_label,
               Handler handler)
      : handler_(std::move(handler)) {
    const auto since =
        std::chrono::duration_cast<std::chrono::seconds>(
            SystemClock::now().time_since_epoch()).count() - 1;
    stream_ = std::make_unique<LineStream>(
        std::vector<std::string>{docker, "events", "--format", "{{json .}}",
                                 "--filter", "type=container", "--filter",
                                 "label=" + run_label, "--since",
                                 std::to_string(since)},
        [this](const std::string& line) { OnLine(line); }, [] {});
  }

  bool Running() const { return stream_->Running(); }

 private:
  void OnLine(const std::string& line) {
    try {
      if (auto event = ParseContainerEvent(line)) handler_(*event);
    } catch (const std::exception& e) {
      std::cerr << "warning: docker events: " << e.what() << "\n";
    }
  }

  Handler handler_;
  std::unique_ptr<LineStream> stream_;  // last: stopped first
};

DockerDriver::DockerDriver(Deployment deployment, RuntimeOptions options)
    : deployment_(std::move(deployment)),
      options_(std::move(options)),
      random_(options_.seed != 0 ? options_.seed : std::random_device{}()) {
  // Three independent checks, at once: each is a docker command or two.
  auto compose = std::async(std::launch::async, [this] { FindCompose(); });
  // Before anything is made: no run directory for a run that cannot be.
  auto images = std::async(std::launch::async, [this] { CheckImages(); });
  // A subnet that a leftover being reaped still holds is only passed over.
  auto subnet = std::async(std::launch::async, [this] {
    return options_.docker.subnet.empty() ? FreeSubnet()
                                          : options_.docker.subnet;
  });
  const ReapResult reaped = ReapDockerLeftovers(options_.docker.docker);
  for (const std::string& failure : reaped.failures) {
    std::cerr << "warning: a leftover of an earlier Docker run was not "
                 "removed: "
              << failure << "\n";
  }
  for (const std::string& held : reaped.held) {
    std::cerr << "warning: " << held << "\n";
  }
  engine_socket_ = options_.docker.docker_socket.empty()
                       ? EngineSocket()
                       : options_.docker.docker_socket;
  compose.get();
  images.get();
  subnet_ = subnet.get();
  link_upstreams_ = LinkUpstreams(options_.links, deployment_);
  run_dir_ = options_.run_dir.empty()
                 ? CreateRunDir(options_.runs_root, random_())
                 : std::filesystem::absolute(options_.run_dir);
  std::filesystem::create_directories(run_dir_ / "logs");
  std::filesystem::create_directories(run_dir_ / "results");
  run_id_ = run_dir_.filename().string();
  project_ = options_.docker.compose_project.empty()
                 ? ComposeProjectName(deployment_.project, run_id_)
                 : options_.docker.compose_project;
  network_ = ComposeNetworkName(project_, deployment_.network);
  compose_file_ = run_dir_ / "docker-compose.yaml";
  labels_ = OwnerLabels(run_id_);

  for (const ReplicaPlan& plan : deployment_.replicas) {
    Replica r;
    r.plan = &plan;
    r.container = options_.docker.prefix_container_names ? project_ + "-" + plan.name
                                                  : plan.name;
    r.log = std::make_unique<DockerLog>(
        options_.docker.docker, r.container,
        run_dir_ / "logs" / (plan.name + ".log"));
    for (const Mount& mount : plan.mounts) {
      if (mount.storage) {
        std::filesystem::create_directories(
            mount.host.is_relative() ? run_dir_ / mount.host : mount.host);
      }
    }
    replicas_.push_back(std::move(r));
  }

  WriteComposeFile();
  WriteFileAtomically(run_dir_ / "deployment.json",
                      DeploymentToJson(deployment_));
  // The compose file's own comment names the plan's project; this run's is
  // unique: `$(cat compose-command) ps` reaches it.
  WriteFileAtomically(
      run_dir_ / "compose-command",
      CommandLine(ComposeArgs(compose_, project_, compose_file_.string(), {})) +
          "\n");
  try {
    events_ = std::make_unique<DockerEvents>(
        options_.docker.docker, std::string(kRunLabel) + "=" + run_id_,
        [this](const ContainerEvent& event) {
          OnEvent(event.container, event.action, event.time,
                  event.exit_code);
        });
  } catch (const std::exception& e) {
    std::cerr << "warning: " << project_ << ": no event stream, state is "
              << "polled: " << e.what() << "\n";
  }
}


DockerDriver::~DockerDriver() {
  events_.reset();
  if (create_thread_.joinable()) create_thread_.join();
  try {
    Remove();
  } catch (...) {
    try {
      RemoveAll();  // the last resort: by label
    } catch (...) {
      // The next DockerDriver's ReapDockerLeftovers removes what is left.
    }
  }
}

CommandOptions DockerDriver::Options(Duration timeout, bool merge) const {
  return {timeout.count() > 0 ? timeout : options_.docker.command_timeout,
          merge};
}

std::string DockerDriver::Docker(std::vector<std::string> args,
                                 Duration timeout) const {
  args.insert(args.begin(), options_.docker.docker);
  return RunChecked(args, Options(timeout));
}

std::string DockerDriver::Compose(const std::vector<std::string>& args,
                                  Duration timeout) const {
  return RunChecked(
      ComposeArgs(compose_, project_, compose_file_.string(), args),
      Options(timeout));
}

DockerDriver::Replica& DockerDriver::Get(std::string_view name) {
  return const_cast<Replica&>(std::as_const(*this).Get(name));
}

const DockerDriver::Replica& DockerDriver::Get(std::string_view name) const {
  for (const Replica& r : replicas_) {
    if (r.plan->name == name) return r;
  }
  throw UnknownReplica(name, deployment_);
}

std::string DockerDriver::container(std::string_view replica) const {
  return Get(replica).container;
}

bool DockerDriver::created() const {
  std::lock_guard lock(mu_);
  return created_;
}

std::uint64_t DockerDriver::NextRandom() {
  std::lock_guard lock(mu_);
  return random_();
}

void DockerDriver::Watch(std::function<void()> changed) {
  std::lock_guard lock(mu_);
  on_change_ = std::move(changed);
}

void DockerDriver::Notify() {
  std::function<void()> callback;
  {
    std::lock_guard lock(mu_);
    callback = on_change_;
  }
  if (callback) callback();
}

bool DockerDriver::Streaming() const { return events_ && events_->Running(); }

DockerDriver::Duration DockerDriver::poll_interval() const {
  return Streaming() ? Duration(1000) : kInspectEvery;
}

ProxiedLinks* DockerDriver::links() {
  std::lock_guard lock(mu_);
  return links_.get();
}

void DockerDriver::Create() {
  std::lock_guard create(create_mu_);
  {
    std::lock_guard lock(mu_);
    if (created_) return;
    created_ = true;
    create_done_ = false;
    create_error_.clear();
    existing_.clear();
  }
  if (create_thread_.joinable()) create_thread_.join();
  create_thread_ = std::thread([this] {
    std::string error;
    try {
      CreateLocked();
      PlaceProxies();
    } catch (const std::exception& e) {
      error = e.what();
    }
    {
      std::lock_guard lock(mu_);
      create_done_ = true;
      create_error_ = error;
    }
    create_cv_.notify_all();
    Notify();
  });
}

void DockerDriver::AwaitCreated(const Replica& r, bool everything) {
  std::unique_lock lock(mu_);
  const bool done = create_cv_.wait_for(lock, kUpTimeout, [&] {
    return create_done_ ||
           (!everything && existing_.count(r.container) != 0);
  });
  if (create_done_ && !create_error_.empty()) throw Error(create_error_);
  if (!done) {
    throw Error("replica " + r.plan->name + ": its container was not created "
                "within " + std::to_string(kUpTimeout.count() / 1000) + " s");
  }
}

void DockerDriver::FindCompose() {
  compose_ = options_.docker.compose_command;
  if (!compose_.empty()) return;
  const CommandResult v2 =
      RunCommand({options_.docker.docker, "compose", "version"},
                 Options(milliseconds(15000)));
  if (!v2.timed_out && v2.exit_code == 0) {
    compose_ = {options_.docker.docker, "compose"};
  } else if (FindProgram("docker-compose")) {
    // Not `docker-compose version`: the Python v1 takes a second to start.
    compose_ = {"docker-compose"};
  } else {
    throw Error("neither `" + options_.docker.docker +
                " compose` (v2) nor docker-compose (v1) is available: " +
                OneLine(v2.err.empty() ? v2.out : v2.err, 200));
  }
}

void DockerDriver::CheckImages() {
  std::vector<std::string> args = {options_.docker.docker, "image", "inspect",
                                   "--format", "{{.Id}}"};
  for (const ReplicaPlan& plan : deployment_.replicas) {
    if (plan.image.empty()) {
      throw Error("replica " + plan.name + ": no image to run under Docker");
    }
    if (std::find(args.begin() + 5, args.end(), plan.image) == args.end()) {
      args.push_back(plan.image);
    }
  }
  if (args.size() == 5) return;
  // Compose would try to pull a missing image, and there may be no registry.
  const CommandResult result = RunCommand(args, Options());
  if (result.timed_out || result.exit_code != 0) {
    throw Error(deployment_.project + ": " + OneLine(result.err, 300) +
                "; build the images with ci/build-images.sh BUILD_DIR");
  }
}

std::string DockerDriver::FreeSubnet() {
  std::vector<std::string> inspect = {options_.docker.docker, "network", "inspect"};
  std::istringstream ids(Docker({"network", "ls", "-q", "--no-trunc"}));
  for (std::string id; std::getline(ids, id);) {
    if (!id.empty()) inspect.push_back(id);
  }
  // A network removed in between fails alone.
  const CommandResult result = RunCommand(inspect, Options());
  std::vector<std::string> used = {subnet_};
  for (const NetworkInfo& network :
       ParseNetworkInspect(result.out.empty() ? "[]" : result.out)) {
    used.insert(used.end(), network.subnets.begin(), network.subnets.end());
  }
  const auto subnet = ChooseSubnet(used, random_);
  if (!subnet) {
    throw Error(deployment_.project + ": no free /24 in 172.25-26.0.0/16");
  }
  return *subnet;
}

void DockerDriver::WriteComposeFile() {
  ComposeOptions compose;
  compose.output_dir = run_dir_;
  compose.internal_network = options_.docker.internal_network;
  compose.subnet = subnet_;
  if (options_.docker.prefix_container_names) {
    compose.container_name_prefix = project_ + "-";
  }
  compose.labels = labels_;
  compose.docker_socket = options_.docker.docker_socket;
  if (compose.docker_socket.empty()) {
    const char* host = std::getenv("DOCKER_HOST");
    const std::string_view unix_scheme = "unix://";
    compose.docker_socket =
        host != nullptr && std::string_view(host).starts_with(unix_scheme)
            ? std::filesystem::path(host + unix_scheme.size())
            : std::filesystem::path("/var/run/docker.sock");
  }
  compose.results_dir = run_dir_ / "results";
  if (!options_.links.empty()) {
    link_layout_ = PlanDockerLinks(options_.links, link_upstreams_, subnet_);
    compose.ip_range = link_layout_.ip_range;
    compose.addresses = link_layout_.upstream_addresses;
    compose.extra_hosts = link_layout_.extra_hosts;
  }
  WriteCompose(deployment_, compose, compose_file_);
}


void DockerDriver::CreateLocked() {
  for (int attempt = 1;; ++attempt) {
    {
      std::lock_guard lock(mu_);
      created_ = true;
    }
    const auto args = ComposeArgs(compose_, project_, compose_file_.string(),
                                  {"up", "--no-build", "--no-start"});
    const CommandResult result = RunCommand(args, Options(kUpTimeout));
    if (!result.timed_out && result.exit_code == 0) return;
    // Another run took the subnet between the choice and now.
    const bool overlap = result.err.find("overlaps") != std::string::npos;
    if (!overlap || !options_.docker.subnet.empty() || attempt == 3) {
      throw Error(DescribeFailure(args, result, Options(kUpTimeout)));
    }
    RemoveAll();
    subnet_ = FreeSubnet();
    WriteComposeFile();
  }
}

void DockerDriver::PlaceProxies() {
  if (options_.links.empty() || links()) return;
  const std::string bridge = InterfaceWithAddress(link_layout_.gateway);
  if (bridge.empty()) {
    throw Error(network_ + ": no interface of this host holds the network's "
                "gateway " + link_layout_.gateway +
                ", so the links' proxies have nowhere to listen");
  }
  for (const std::string& address : link_layout_.proxy_addresses) {
    AddInterfaceAddress(bridge, address);
  }
  std::uint64_t seed;
  {
    std::lock_guard lock(mu_);  // random_ is shared with EchoProbe
    seed = random_();
  }
  auto links = std::make_unique<ProxiedLinks>(
      options_.links, deployment_,
      [this](const ProxiedLink&, const std::string& upstream, std::size_t i) {
        return ProxyPlacement{link_layout_.proxy_addresses.at(i),
                              link_layout_.upstream_addresses.at(upstream)};
      },
      seed);
  std::lock_guard lock(mu_);
  links_ = std::move(links);
}


void DockerDriver::Refresh(const std::vector<Replica*>& replicas) {
  if (replicas.empty() || !created()) return;
  const auto asked = SystemClock::now();
  std::vector<std::string> args = {options_.docker.docker, "inspect", "--type",
                                   "container"};
  for (const Replica* r : replicas) args.push_back(r->container);
  const CommandResult result = RunCommand(args, Options());
  if (result.timed_out || (result.exit_code != 0 &&
                           result.err.find("No such") == std::string::npos)) {
    throw Error(DescribeFailure(args, result, Options()));
  }
  std::map<std::string, ContainerInfo> infos;
  for (ContainerInfo& info :
       ParseContainerInspect(result.out.empty() ? "[]" : result.out)) {
    infos.emplace(info.name, std::move(info));
  }
  std::lock_guard lock(mu_);
  for (Replica* r : replicas) {
    const auto it = infos.find(r->container);
    r->refreshed = Clock::now();
    if (it != infos.end()) {
      Observe(*r, it->second, asked);
    } else if (asked >= r->asked && Alive(r->last.state)) {
      r->last.state = ReplicaState::kExited;  // removed
      r->last.pid = 0;
      r->last.uptime = milliseconds(0);
    }
  }
}

void DockerDriver::Observe(Replica& r, const ContainerInfo& info,
                           SystemClock::time_point asked) {
  if (!info.started_at.empty() && info.started_at != r.started_at) {
    // A new run: ours, or one started from outside.
    const std::string since = r.started_at.empty() ? "" : info.finished_at;
    r.started_at = info.started_at;
    ++r.starts;
    r.log_offset = r.log->FollowNewRun(since, kDrain);
  }
  r.id = info.id;
  const auto address = info.networks.find(network_);
  if (address != info.networks.end() && !address->second.empty()) {
    r.address = address->second;
  }
  DriverStatus& s = r.last;
  s.address = r.address;
  s.starts = r.starts;
  s.log_offset = r.log_offset;
  // An answer asked before the last event applied is stale.
  if (asked < r.asked) return;
  r.asked = asked;
  s.state = StateOf(info);
  s.pid = Alive(s.state) ? info.pid : 0;
  s.uptime = milliseconds(0);
  if (Alive(s.state)) {
    if (const auto started = ParseDockerTime(info.started_at)) {
      s.uptime = std::max(milliseconds(0),
                          std::chrono::duration_cast<milliseconds>(
                              SystemClock::now() - *started));
    }
  }
  s.exit_code.reset();
  s.term_signal.reset();
  if (s.state == ReplicaState::kExited) {
    const ExitStatus exit = NormaliseExit(info.exit_code);
    s.exit_code = exit.exit_code;
    s.term_signal = exit.term_signal;
  }
}

// A death, a pause or its end is taken from the event as it is, so that it
// is seen at once; a start needs the container's new pid, address and
// start time, so it is inspected (on the events thread).
void DockerDriver::OnEvent(const std::string& container,
                           const std::string& action,
                           SystemClock::time_point time,
                           std::optional<int> exit_code) {
  Replica* r = nullptr;
  for (Replica& candidate : replicas_) {
    if (candidate.container == container) r = &candidate;
  }
  if (r == nullptr) return;
  if (action == "create") {
    {
      std::lock_guard lock(mu_);
      existing_.insert(container);
    }
    create_cv_.notify_all();
    return;
  }
  if (action == "start") {
    try {
      Refresh({r});
    } catch (const std::exception& e) {
      std::cerr << "warning: " << container << ": " << e.what() << "\n";
    }
    Notify();
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (time < r->asked) return;
    DriverStatus& s = r->last;
    if (action == "die") {
      r->asked = time;
      s.state = ReplicaState::kExited;
      s.pid = 0;
      s.uptime = milliseconds(0);
      const ExitStatus exit = NormaliseExit(exit_code.value_or(0));
      s.exit_code = exit.exit_code;
      s.term_signal = exit.term_signal;
    } else if (action == "pause" && s.state == ReplicaState::kRunning) {
      r->asked = time;
      s.state = ReplicaState::kPaused;
    } else if (action == "unpause" && s.state == ReplicaState::kPaused) {
      r->asked = time;
      s.state = ReplicaState::kRunning;
    } else if (action == "destroy" && Alive(s.state)) {
      r->asked = time;
      s.state = ReplicaState::kExited;
      s.pid = 0;
    } else {
      return;
    }
  }
  Notify();
}

DriverStatus DockerDriver::Inspect(std::string_view replica) {
  Replica& r = Get(replica);
  if (!Streaming()) {
    bool stale;
    {
      std::lock_guard lock(mu_);
      stale = Clock::now() - r.refreshed >= kInspectEvery;
    }
    if (stale) Refresh({&r});
  }
  std::lock_guard lock(mu_);
  return r.last;
}

std::vector<DriverStatus> DockerDriver::InspectAll() {
  if (!Streaming()) {
    std::vector<Replica*> all;
    for (Replica& r : replicas_) all.push_back(&r);
    Refresh(all);
  }
  std::lock_guard lock(mu_);
  std::vector<DriverStatus> out;
  for (const Replica& r : replicas_) out.push_back(r.last);
  return out;
}

// One `docker start` per container, a few at once: the engine starts the
// containers of one command one after another.
void DockerDriver::Start(const std::vector<std::string>& replicas) {
  std::vector<Replica*> batch;
  for (const std::string& name : replicas) batch.push_back(&Get(name));
  if (batch.empty()) return;
  std::mutex mu;
  std::deque<Replica*> queue(batch.begin(), batch.end());
  std::string errors;
  const auto worker = [&] {
    for (;;) {
      Replica* r;
      {
        std::lock_guard lock(mu);
        if (queue.empty()) return;
        r = queue.front();
        queue.pop_front();
      }
      try {
        const bool linked = std::any_of(
            options_.links.begin(), options_.links.end(),
            [&](const ProxiedLink& l) { return l.replica == r->plan->name; });
        AwaitCreated(*r, linked);
        ContainerAction(*r, "start", "",
                        {options_.docker.docker, "start", r->container},
                        options_.docker.command_timeout + kStartTimeout);
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        errors += (errors.empty() ? "" : "; ") + r->plan->name + ": " +
                  e.what();
      }
    }
  };
  const int threads = std::clamp(options_.docker.start_concurrency, 1,
                                 static_cast<int>(batch.size()));
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  Refresh(batch);
  Notify();
  if (!errors.empty()) throw Error(errors);
}

// Through the Engine API when its socket is reachable (one round trip),
// else the CLI.
void DockerDriver::ContainerAction(const Replica& r, const std::string& action,
                                   const std::string& query,
                                   std::vector<std::string> cli,
                                   Duration timeout) {
  if (!engine_socket_.empty()) {
    const auto reply = EngineRequest(
        engine_socket_, "POST",
        "/containers/" + r.container + "/" + action + query, timeout);
    if (reply) {
      // 304: already in the state asked for (a start of a started one).
      if (reply->status == 204 || reply->status == 304) return;
      throw Error("replica " + r.plan->name + ": " + CommandLine(cli) +
                  ": " + OneLine(EngineMessage(*reply), 300));
    }
  }
  Docker(std::vector<std::string>(cli.begin() + 1, cli.end()), timeout);
}

// A signal straight to the container's first process, from the host, when
// this process may send it: the engine's kill call waits for the engine's
// own bookkeeping (tens of ms for SIGKILL), the death is seen either way
// through the event stream. A pidfd makes sure that the process signalled
// is the one whose cgroup names the container, not a later one with a
// reused pid.
bool DockerDriver::SignalDirectly(const Replica& r, int signal) {
  int pid;
  std::string id;
  {
    std::lock_guard lock(mu_);
    if (r.last.state != ReplicaState::kRunning || r.last.pid <= 0 ||
        r.id.empty()) {
      return false;
    }
    pid = r.last.pid;
    id = r.id;
  }
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return false;
  std::ifstream cgroup("/proc/" + std::to_string(pid) + "/cgroup");
  const std::string text((std::istreambuf_iterator<char>(cgroup)), {});
  const bool ours = !text.empty() && text.find(id) != std::string::npos &&
                    ::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr,
                              0) == 0;
  ::close(pidfd);
  return ours;
}

void DockerDriver::Signal(std::string_view replica, int signal) {
  Replica& r = Get(replica);
  if (SignalDirectly(r, signal)) {
    std::lock_guard lock(mu_);
    r.refreshed = {};
    return;
  }
  ContainerAction(r, "kill", "?signal=" + std::to_string(signal),
                  {options_.docker.docker, "kill", "-s",
                   std::to_string(signal), r.container},
                  options_.docker.command_timeout);
  std::lock_guard lock(mu_);
  r.refreshed = {};
}

void DockerDriver::Terminate(std::string_view replica) {
  Replica& r = Get(replica);
  bool paused;
  {
    std::lock_guard lock(mu_);
    paused = r.last.state == ReplicaState::kPaused;
  }
  Signal(replica, SIGTERM);
  // A frozen container handles the signal once it is thawed; the engine
  // may have thawed it already, so a refusal is no error.
  if (paused) {
    RunCommand({options_.docker.docker, "unpause", r.container}, Options());
  }
}

void DockerDriver::Pause(std::string_view replica) {
  Replica& r = Get(replica);
  ContainerAction(r, "pause", "", {options_.docker.docker, "pause", r.container},
                  options_.docker.command_timeout);
  Refresh({&r});
  std::lock_guard lock(mu_);
  if (r.last.state != ReplicaState::kPaused) {
    throw Error("replica " + std::string(replica) +
                ": docker pause returned, but it is " +
                std::string(ToString(r.last.state)));
  }
}

void DockerDriver::Resume(std::string_view replica) {
  Replica& r = Get(replica);
  ContainerAction(r, "unpause", "",
                  {options_.docker.docker, "unpause", r.container},
                  options_.docker.command_timeout);
  Refresh({&r});
}

std::string DockerDriver::Logs(std::string_view replica) {
  const Replica& r = Get(replica);
  if (created()) {
    const CommandResult logs =
        RunCommand({options_.docker.docker, "logs", r.container},
                   Options(milliseconds(0), true));
    if (!logs.timed_out && logs.exit_code == 0) return logs.out;
  }
  return ReadFile(r.log->path());
}

std::filesystem::path DockerDriver::LogPath(std::string_view replica) const {
  return Get(replica).log->path();
}

std::optional<int> DockerDriver::Exec(std::string_view replica,
                                      const std::vector<std::string>& command,
                                      Duration timeout, std::string* output) {
  const Replica& r = Get(replica);
  std::vector<std::string> argv = {options_.docker.docker, "exec",
                                   r.container};
  argv.insert(argv.end(), command.begin(), command.end());
  return RunForExitCode(argv, timeout, output);
}

void DockerDriver::Remove() {
  std::lock_guard create(create_mu_);
  if (create_thread_.joinable()) create_thread_.join();
  if (!created()) return;
  std::string error;
  const auto note = [&error](const std::exception& e) {
    error += (error.empty() ? "" : "; ") + std::string(e.what());
  };
  try {
    SaveLogs();
  } catch (const std::exception& e) {
    note(e);
  }
  // compose down can fail while a health-checker's `docker start` is still
  // in flight (seen after a bomb); the removal by label that follows takes
  // whatever it left, so its failure counts only if that fails too.
  std::string compose_error;
  try {
    Compose({"down", "--volumes", "--remove-orphans", "-t", "0"},
            options_.docker.command_timeout);
  } catch (const std::exception& e) {
    compose_error = e.what();
  }
  // Probe containers and anything compose missed. If this fails, the
  // run stays marked as created, so that the destructor tries again.
  try {
    RemoveAll();
  } catch (const std::exception& e) {
    if (!compose_error.empty()) {
      error += (error.empty() ? "" : "; ") + compose_error;
    }
    note(e);
    throw Error(project_ + ": remove: " + error);
  }
  {
    std::lock_guard lock(mu_);
    created_ = false;
    for (Replica& r : replicas_) {
      r.log->StopFollowing(milliseconds(0));
      if (Alive(r.last.state)) r.last.state = ReplicaState::kExited;
      r.last.pid = 0;
      r.last.uptime = milliseconds(0);
      r.asked = SystemClock::now();
    }
  }
  Notify();
  if (!error.empty()) throw Error(project_ + ": remove: " + error);
}

void DockerDriver::SaveLogs() {
  for (Replica& r : replicas_) {
    {
      std::lock_guard lock(mu_);
      r.log->StopFollowing(kDrain);
    }
    const CommandResult logs = RunCommand(
        {options_.docker.docker, "logs", r.container}, Options(milliseconds(0), true));
    if (!logs.timed_out && logs.exit_code == 0) r.log->Replace(logs.out);
  }
}

// Everything of the run, by its label: what compose down would remove, and
// probe containers. The engine may still hold an endpoint of a container
// it is removing (or one that a `docker start` in flight brought back), and
// after many endpoints went at once it may take a moment to count them
// down, so a network that is still in use is tried again, a few times. A
// network the engine still refuses although nothing is attached is one
// whose endpoint count it lost (docker_leftovers.h): only a restart of the
// engine frees it, so it is left, labelled, with a warning.
void DockerDriver::RemoveAll() {
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    std::vector<std::string> held;
    try {
      held = RemoveAllOnce();
    } catch (const Error&) {
      if (attempt == kAttempts) throw;
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (held.empty()) return;
    if (attempt == kAttempts) {
      for (const std::string& network : held) {
        std::cerr << "warning: " << project_ << ": "
                  << HeldNetworkMessage(network) << "\n";
      }
      return;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

std::vector<std::string> DockerDriver::RemoveAllOnce() {
  const std::string filter = std::string("label=") + kRunLabel + "=" + run_id_;
  std::string errors;
  const auto list = [&](std::vector<std::string> argv) {
    std::vector<std::string> ids;
    const CommandResult result = RunCommand(argv, Options());
    if (result.exit_code != 0 || result.timed_out) {
      errors += DescribeFailure(argv, result, Options()) + "; ";
      return ids;
    }
    std::istringstream lines(result.out);
    for (std::string id; std::getline(lines, id);) {
      if (!id.empty()) ids.push_back(id);
    }
    return ids;
  };
  std::vector<std::string> rm = {options_.docker.docker, "rm", "-f", "-v"};
  const std::size_t command_size = rm.size();
  for (std::string& id :
       list({options_.docker.docker, "ps", "-aq", "--filter", filter})) {
    rm.push_back(std::move(id));
  }
  if (rm.size() > command_size) {
    const CommandResult done = RunCommand(rm, Options());
    if (done.exit_code != 0 || done.timed_out) {
      errors += DescribeFailure(rm, done, Options()) + "; ";
    }
  }
  NetworkRemoval networks;
  // A network is tried only once its containers are gone.
  if (errors.empty()) {
    networks = RemoveNetworks(
        options_.docker.docker,
        list({options_.docker.docker, "network", "ls", "-q", "--filter", filter}),
        options_.docker.command_timeout);
  }
  for (const std::string& failure : networks.failures) errors += failure + "; ";
  if (!errors.empty()) {
    throw Error(project_ + ": cannot remove the run's containers: " +
                errors.substr(0, errors.size() - 2));
  }
  return networks.held;
}

}  // namespace chancho
