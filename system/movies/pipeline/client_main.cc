// movies-client: uploads the three input files of the movies dataset to the
// client-handler and writes the five query results it answers.
//
//   movies-client [--id ID] [--data DIR] [--results DIR]
//                 [--handler HOST:PORT] [--connect-timeout D] [--timeout D]
//                 [--rows-per-second N] [--log-level LEVEL]
//
// Each flag defaults from the environment: CLIENT_ID (else REPLICA_NAME),
// DATA_DIR (or its subdirectory named after the client id, when there is
// one), RESULTS_DIR (default $CHANCHO_RUN_DIR/results under ProcessRuntime,
// else "results"), CLIENT_HANDLER_ADDRESS
// (default "client-handler:12345"), ROWS_PER_SECOND (default unset: unpaced;
// a positive integer paces the upload, client.h), LOG_LEVEL (default INFO).
// Durations are like "30s" or "30m". CHANCHO_HOSTS_FILE and CHANCHO_BIND_IP
// are honoured. Exits 0 once all five results are written, 2 on invalid
// settings (ROWS_PER_SECOND negative or not an integer among them), 1 on any
// other failure, each failure reported as one log line.

#include <CLI/CLI.hpp>
#include <chrono>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "common/version.h"
#include "common/duration.h"
#include "system/common/config.h"
#include "system/common/host_port.h"
#include "system/common/log.h"
#include "system/common/service_main.h"
#include "system/movies/pipeline/client.h"
#include "system/movies/pipeline/client_protocol.h"

namespace chancho::movies {
namespace {

// The flags as written, before they are checked.
struct ClientFlags {
  std::string id;
  std::string data_dir;
  std::string results_dir;
  std::string handler;
  std::string connect_timeout = "60s";
  std::string timeout = "30m";
  std::string rows_per_second;
  std::string log_level;
};

ClientFlags FlagDefaults(const common::EnvLookup& env) {
  ClientFlags flags;
  flags.id = env("CLIENT_ID").value_or(env("REPLICA_NAME").value_or(""));
  flags.data_dir = env("DATA_DIR").value_or("");
  // Under ProcessRuntime results belong in the run directory.
  const auto run_dir = env("CHANCHO_RUN_DIR");
  flags.results_dir = env("RESULTS_DIR").value_or(
      run_dir ? *run_dir + "/results" : std::string("results"));
  flags.handler =
      env("CLIENT_HANDLER_ADDRESS").value_or("client-handler:12345");
  flags.rows_per_second = env(kRowsPerSecondEnv).value_or("");
  flags.log_level = env("LOG_LEVEL").value_or("INFO");
  return flags;
}

// Throws std::invalid_argument naming the flag at fault.
ClientOptions ToOptions(const ClientFlags& flags,
                        const common::EnvLookup& env) {
  if (!IsValidClientId(flags.id)) {
    throw std::invalid_argument(
        "invalid client id '" + flags.id + "' (--id, CLIENT_ID or " +
        "REPLICA_NAME): use 1 to " + std::to_string(kMaxClientIdBytes) +
        " of [A-Za-z0-9._-]");
  }
  if (flags.data_dir.empty()) {
    throw std::invalid_argument("no data directory: set --data or DATA_DIR");
  }
  ClientOptions options;
  options.client_id = flags.id;
  options.data_dir = flags.data_dir;
  // One data directory can serve several clients: <DATA_DIR>/<client id>
  // wins when it exists.
  if (std::filesystem::is_directory(options.data_dir / flags.id)) {
    options.data_dir /= flags.id;
  }
  options.results_dir = flags.results_dir;
  options.handler = common::ParseHostPort(flags.handler);
  options.connect_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          common::ParseDuration(flags.connect_timeout));
  options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      common::ParseDuration(flags.timeout));
  options.rows_per_second = ParseRowsPerSecond(flags.rows_per_second);
  options.env = env;
  return options;
}

}  // namespace
}  // namespace chancho::movies

int main(int argc, char** argv) {
  namespace movies = chancho::movies;
  namespace common = chancho::common;
  const common::EnvLookup env = common::ProcessEnv();
  movies::ClientFlags flags = movies::FlagDefaults(env);

  CLI::App app(
      "Client of the movies pipeline: uploads the dataset, writes "
      "the five query results.");
  app.set_version_flag("--version", std::string("movies-client (chancho ") + chancho::kVersion + ")");
  const auto option = [&app](const char* name, std::string& value,
                             const char* help) {
    app.add_option(name, value, help)->capture_default_str();
  };
  option("--id", flags.id, "client id (CLIENT_ID, REPLICA_NAME)");
  option("--data", flags.data_dir,
         "directory of the three CSV files (DATA_DIR)");
  option("--results", flags.results_dir,
         "results go to DIR/<id>/queryN.txt (RESULTS_DIR)");
  option("--handler", flags.handler,
         "client-handler host:port (CLIENT_HANDLER_ADDRESS)");
  option("--connect-timeout", flags.connect_timeout,
         "how long to retry connecting");
  option("--timeout", flags.timeout, "bound of the whole run");
  option("--rows-per-second", flags.rows_per_second,
         "pace the upload to N records per second; unset or 0: unpaced "
         "(ROWS_PER_SECOND)");
  option("--log-level", flags.log_level, "LOG_LEVEL");
  CLI11_PARSE(app, argc, argv);

  return common::ServiceMain("client", [&](common::Logger& logger) {
    logger.SetLevel(common::ParseLogLevel(flags.log_level));
    movies::ClientOptions options;
    try {
      options = movies::ToOptions(flags, env);
    } catch (const std::exception& e) {
      logger.Critical("config", "fail",
                      {{"error", common::ExceptionMessage(e)}});
      return 2;
    }
    logger.Info("config", "success",
                {{"client_id", options.client_id},
                 {"data", options.data_dir.string()},
                 {"results", options.results_dir.string()},
                 {"handler", flags.handler},
                 {"connect_timeout", flags.connect_timeout},
                 {"timeout", flags.timeout}});
    movies::RunClient(options, logger);
    return 0;
  });
}
