// client-handler: the movies pipeline's front door (client_handler.h).
//
// Environment: CLIENT_HANDLER_PORT (12345), MAX_SESSIONS, MOVIES_/CREDITS_/
// RATINGS_OUTPUT_NODES(_REPLICAS), STORAGE_DIR, MESSAGES_PER_COMMIT,
// BROKER_HOST/PORT/USER/PASSWORD, HEARTBEAT_PORT, LOG_LEVEL, and the
// identity variables of every replica. Exits 0 after SIGTERM.

#include "system/common/config.h"
#include "system/common/service_main.h"
#include "system/movies/pipeline/client_handler.h"
#include "system/movies/pipeline/service_signals.h"

int main(int argc, char** argv) {
  constexpr char kUsage[] =
      "Usage: client-handler\nThe movies pipeline's front door; configured "
      "by its environment (CLIENT_HANDLER_PORT, MAX_SESSIONS, BROKER_HOST, ...).";
  return chancho::common::ServiceMain(argc, argv, "client-handler", kUsage, [](auto& logger) {
    namespace movies = chancho::movies;
    const auto env = chancho::common::ProcessEnv();
    logger.SetLevel(
        chancho::common::ParseLogLevel(env("LOG_LEVEL").value_or("INFO")));
    movies::ClientHandler handler(movies::ClientHandlerOptionsFromEnv(env),
                                  logger);
    movies::ServiceSignals signals([&handler] { handler.Stop(); }, env, logger);
    handler.Run();
    logger.Info("exit", "success", {});
    return 0;
  });
}
