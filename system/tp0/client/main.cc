// tp0-client: the echo client of the tp0 system under test.
//
// Environment: CLI_ID (required), CONFIG_FILE (default config.yaml),
// CLI_SERVER_ADDRESS, CLI_LOOP_AMOUNT, CLI_LOOP_PERIOD, CLI_LOG_LEVEL,
// CHANCHO_BIND_IP, CHANCHO_HOSTS_FILE. Exits 0 when every message was echoed
// or after SIGTERM/SIGINT, 1 on a setup failure or a failed message.

#include <boost/asio/io_context.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

#include "system/common/bind_address.h"
#include "system/common/config.h"
#include "system/common/log.h"
#include "system/common/service_main.h"
#include "system/common/shutdown.h"
#include "system/tp0/client/client.h"
#include "system/tp0/client/client_config.h"

namespace chancho::tp0 {
namespace {

int Run(common::Logger& logger) {
  // Created first so that SIGTERM is handled gracefully from here on; the
  // callback only runs inside io.run(), by when `client` is set.
  asio::io_context io(1);
  Client* client = nullptr;
  struct {
    int exit_code = 0;
    bool stopped_by_signal = false;
  } outcome;
  common::ShutdownSignals signals(io, [&](int) {
    if (client) client->Stop();
    outcome.stopped_by_signal = true;
    io.stop();
  });

  const common::EnvLookup env = common::ProcessEnv();
  const std::string path = common::EnvOr("CONFIG_FILE", "config.yaml");
  ClientConfig config;
  std::optional<asio::ip::address> source;
  try {
    config = LoadClientConfig(path, env);
    if (std::optional<std::string> ip = common::SourceAddress(env)) {
      boost::system::error_code ec;
      source = asio::ip::make_address(*ip, ec);
      if (ec) {
        throw std::invalid_argument(std::string(common::kBindIpEnv) + ": '" +
                                    *ip + "' is not an IP address");
      }
    }
  } catch (const std::exception& e) {
    logger.Critical("config", "fail", {{"error", common::ExceptionMessage(e)}});
    return 1;
  }
  logger.SetLevel(common::ParseLogLevel(config.log_level));
  if (!config.file_found) {
    logger.Warning("read_config_file", "fail",
                   {{"file", path},
                    {"error", "not found; using defaults and environment"}});
  }
  logger.Info("config", "success", ConfigLogFields(config));

  Client instance(
      io, std::move(config), logger, env, source,
      [&](bool all_succeeded) {
        outcome.exit_code = all_succeeded ? 0 : 1;
        signals.Cancel();
      },
      Client::Timeouts{});
  client = &instance;
  instance.Start();
  io.run();
  if (outcome.stopped_by_signal) {
    // Here, not after returning: destroying `io` joins Asio's resolver
    // thread, which may sit in getaddrinfo for seconds when DNS is slow. A
    // stopped client holds nothing the kernel does not reclaim, and every log
    // line is already flushed.
    std::fflush(stdout);
    std::_Exit(0);
  }
  return outcome.exit_code;
}

}  // namespace
}  // namespace chancho::tp0

int main(int argc, char** argv) {
  return chancho::common::ServiceMain(
      argc, argv, "tp0-client",
      "Usage: tp0-client\nA tp0 client: sends numbered messages to the echo "
      "server; configured by config.yaml and its environment (CLI_ID, "
      "CLI_SERVER_ADDRESS, CLI_LOOP_AMOUNT, CLI_LOOP_PERIOD, CLI_LOG_LEVEL).",
      chancho::tp0::Run);
}
