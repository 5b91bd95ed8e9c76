// health-checker: watches its share of the system's services over UDP
// heartbeats and revives the ones that stop answering (health_checker.h).
//
// Environment: see config.h (GRACE_PERIOD, PING_INTERVAL, MAX_RETRIES,
// MAX_CONCURRENT_HEALTH_CHECKS, HEARTBEAT_PORT, LOG_LEVEL, SERVICE_NAME,
// REPLICA_ID, REPLICAS, REPLICA_NAME, OUTPUT_NODES(_REPLICAS),
// REVIVE_COMMAND, REVIVE_TIMEOUT, CHANCHO_CONTROL, CHANCHO_RUN_DIR,
// CHANCHO_BIN, CONTAINER_PREFIX), CHANCHO_BIND_IP, CHANCHO_HOSTS_FILE.
// Exits 0 after SIGTERM/SIGINT, 1 on a setup failure.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>

#include "system/common/bind_address.h"
#include "system/common/config.h"
#include "system/common/heartbeat.h"
#include "system/common/log.h"
#include "system/common/service_main.h"
#include "system/common/shutdown.h"
#include "system/healthcheck/config.h"
#include "system/healthcheck/health_checker.h"
#include "system/healthcheck/shell_reviver.h"

namespace chancho::healthcheck {
namespace {

// How long a stopping checker waits for cancelled work (revive commands
// being killed, DNS lookups) before it exits anyway.
constexpr std::chrono::seconds kDrainTimeout(2);

std::filesystem::path SelfDir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

// "2", "0.5": the way the spec writes them.
std::string Seconds(std::chrono::milliseconds value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g",
                std::chrono::duration<double>(value).count());
  return text;
}

int Run(common::Logger& logger) {
  const common::EnvLookup env = common::ProcessEnv();
  HealthCheckConfig config;
  try {
    config = LoadConfig(env, SelfDir());
  } catch (const std::exception& e) {
    logger.Critical("config", "fail", {{"error", common::ExceptionMessage(e)}});
    return 1;
  }
  logger.SetLevel(config.log_level);
  logger.Info(
      "config", "success",
      {{"replica", config.replica_name},
       {"grace_period", Seconds(config.grace_period)},
       {"ping_interval", Seconds(config.ping_interval)},
       {"max_retries", std::to_string(config.max_retries)},
       {"max_concurrent_health_checks", std::to_string(config.max_concurrent)},
       {"heartbeat_port", std::to_string(config.heartbeat_port)},
       {"revive_command", config.revive_command}});

  asio::io_context io(1);
  const std::string bind_ip = common::BindAddress("", env);
  std::unique_ptr<common::HeartbeatResponder> heartbeat;
  try {
    heartbeat = std::make_unique<common::HeartbeatResponder>(
        io, bind_ip, config.heartbeat_port);
  } catch (const std::exception& e) {
    logger.Critical("heartbeat", "fail",
                    {{"ip", bind_ip},
                     {"port", std::to_string(config.heartbeat_port)},
                     {"error", common::ExceptionMessage(e)}});
    return 1;
  }
  logger.Info(
      "heartbeat", "success",
      {{"ip", bind_ip}, {"port", std::to_string(config.heartbeat_port)}});

  CheckerOptions options;
  options.grace_period = config.grace_period;
  options.ping_interval = config.ping_interval;
  options.ping_timeout = PingTimeout(config.ping_interval);
  options.max_retries = config.max_retries;
  options.max_concurrent = config.max_concurrent;
  options.source_ip = common::SourceAddress(env);

  ShellReviver reviver(io, config.revive_command, config.revive_timeout);
  HealthChecker checker(
      io, options, config.watched, MakeResolver(io, config.heartbeat_port, env),
      [&reviver](const std::string& name, HealthChecker::ReviveHandler done) {
        reviver.Revive(name, std::move(done));
      },
      logger);
  bool stopping = false;
  common::ShutdownSignals signals(io, [&](int) {
    stopping = true;
    checker.Stop();
    reviver.Cancel();
    heartbeat->Stop();
    io.stop();
  });

  if (config.watched.empty()) {
    logger.Warning("health_check", "fail",
                   {{"error",
                     "nothing to watch (OUTPUT_NODES is empty and "
                     "there is no other checker)"}});
  }
  checker.Start();
  io.run();
  if (stopping) {
    // Let the cancelled work report back (one revive line per revival),
    // but do not hang on a DNS lookup that cannot be interrupted.
    io.restart();
    io.run_for(kDrainTimeout);
  }
  logger.Info("shutdown", "success");
  return 0;
}

}  // namespace
}  // namespace chancho::healthcheck

int main(int argc, char** argv) {
  return chancho::common::ServiceMain(
      argc, argv, "health-checker",
      "Usage: health-checker\nWatches the heartbeats of the services it is "
      "given in its environment and starts the dead ones again.",
      chancho::healthcheck::Run);
}
