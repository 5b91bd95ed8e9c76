// tp0-server: the echo server of the tp0 system under test.
//
// Environment: CONFIG_FILE (default config.ini), SERVER_PORT, SERVER_IP,
// SERVER_LISTEN_BACKLOG, LOGGING_LEVEL, HEARTBEAT_PORT, CHANCHO_BIND_IP,
// CHANCHO_HOSTS_FILE. Exits 0 after SIGTERM/SIGINT, 1 on a setup failure.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/system_error.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "system/common/bind_address.h"
#include "system/common/config.h"
#include "system/common/heartbeat.h"
#include "system/common/log.h"
#include "system/common/resolve.h"
#include "system/common/service_main.h"
#include "system/common/shutdown.h"
#include "system/tp0/server/server.h"
#include "system/tp0/server/server_config.h"

namespace chancho::tp0 {
namespace {

int Run(common::Logger& logger) {
  const common::EnvLookup env = common::ProcessEnv();
  const std::string path = common::EnvOr("CONFIG_FILE", "config.ini");
  ServerConfig config;
  try {
    config = LoadServerConfig(path, env);
  } catch (const std::exception& e) {
    logger.Critical("config", "fail", {{"error", common::ExceptionMessage(e)}});
    return 1;
  }
  logger.SetLevel(common::ParseLogLevel(config.logging_level));
  if (!config.file_found) {
    logger.Warning("read_config_file", "fail",
                   {{"file", path},
                    {"error", "not found; using defaults and environment"}});
  }
  logger.Info("config", "success", ConfigLogFields(config));

  asio::io_context io(1);
  std::unique_ptr<Server> server;
  std::unique_ptr<common::HeartbeatResponder> heartbeat;
  // Installed before listening, so that a SIGTERM right after the readiness
  // line is already a graceful shutdown.
  common::ShutdownSignals signals(io, [&](int) {
    if (server) server->Shutdown();
    if (heartbeat) heartbeat->Stop();
    // Sessions and the listener are closed; their aborted handlers have
    // nothing left to do, so there is no reason to wait for them.
    io.stop();
  });

  const std::string bind_ip = common::BindAddress(config.ip, env);
  try {
    const asio::ip::address address =
        asio::ip::make_address(common::ResolveAddress(bind_ip, env));
    server = std::make_unique<Server>(
        io, asio::ip::tcp::endpoint(address, config.port),
        config.listen_backlog, logger);
  } catch (const std::exception& e) {
    logger.Critical("accept_connections", "fail",
                    {{"ip", bind_ip},
                     {"port", std::to_string(config.port)},
                     {"error", common::ExceptionMessage(e)}});
    return 1;
  }
  if (config.heartbeat_port) {
    try {
      heartbeat = std::make_unique<common::HeartbeatResponder>(
          io, server->local_endpoint().address().to_string(),
          *config.heartbeat_port);
    } catch (const std::exception& e) {
      logger.Critical("heartbeat", "fail",
                      {{"port", std::to_string(*config.heartbeat_port)},
                       {"error", common::ExceptionMessage(e)}});
      return 1;
    }
  }

  server->Start();
  logger.Info("accept_connections", "in_progress");
  io.run();
  logger.Info("shutdown", "success");
  return 0;
}

}  // namespace
}  // namespace chancho::tp0

int main(int argc, char** argv) {
  return chancho::common::ServiceMain(
      argc, argv, "tp0-server",
      "Usage: tp0-server\nThe tp0 echo server; configured by config.ini and its "
      "environment (SERVER_PORT, SERVER_LISTEN_BACKLOG, LOGGING_LEVEL).",
      chancho::tp0::Run);
}
