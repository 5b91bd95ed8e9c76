// movies-node: one stage of the movies pipeline (roles.h).
//
// Usage: movies-node [STAGE]; STAGE defaults to SERVICE_NAME. Environment:
// SERVICE_NAME, REPLICA_ID, REPLICA_NAME, REPLICAS, OUTPUT_NODES(_REPLICAS),
// MESSAGES_PER_COMMIT, STORAGE_DIR (stateful stages), BROKER_HOST/PORT/
// USER/PASSWORD, HEARTBEAT_PORT, LOG_LEVEL. Exits 0 after SIGTERM, 1 on a
// setup or broker failure (state on disk and unacked messages survive it).

#include <string>

#include "system/common/config.h"
#include "system/common/service_main.h"
#include "system/movies/pipeline/node.h"
#include "system/movies/pipeline/roles.h"
#include "system/movies/pipeline/service_signals.h"

int main(int argc, char** argv) {
  constexpr char kUsage[] =
      "Usage: movies-node [STAGE]\nOne stage of the movies pipeline; STAGE "
      "defaults to SERVICE_NAME; configured by its environment.";
  return chancho::common::ServiceMain(argc, argv, "movies-node", kUsage, [&](auto& logger) {
    namespace movies = chancho::movies;
    const auto env = chancho::common::ProcessEnv();
    logger.SetLevel(
        chancho::common::ParseLogLevel(env("LOG_LEVEL").value_or("INFO")));
    movies::NodeOptions options = movies::NodeOptionsFromEnv(env);
    const std::string stage =
        argc > 1 ? std::string(argv[1]) : options.identity.service;
    auto role = movies::MakeRole(stage, env);
    movies::Node node(std::move(options), *role, logger);
    movies::ServiceSignals signals([&node] { node.Stop(); }, env, logger);
    logger.Info("start", "success", {{"stage", stage}});
    node.Run();
    const auto& s = node.stats();
    logger.Info("exit", "success",
                {{"stage", stage},
                 {"processed", std::to_string(s.processed)},
                 {"duplicates", std::to_string(s.duplicates)},
                 {"garbage", std::to_string(s.garbage)}});
    return 0;
  }, /*max_positional=*/1);
}
