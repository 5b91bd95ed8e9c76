#include "harness/spec/tp0_spec.h"

#include <string>
#include <utility>

namespace chancho {

Spec Tp0Spec(int clients, const std::filesystem::path& tp0_dir) {
  if (clients < 0) {
    throw Error("tp0: expected a non-negative number of clients, got " +
                std::to_string(clients));
  }
  Spec spec;
  spec.name = "tp0";
  spec.dir = tp0_dir;

  ServiceSpec server;
  server.name = "server";
  server.role = "server";
  server.command = {"tp0-server"};
  server.image = "chancho/tp0-server:latest";
  server.config_files = {{"server/config.ini", "/config.ini", "CONFIG_FILE"}};
  server.readiness.kind = Readiness::Kind::kLogLine;
  server.readiness.pattern =
      R"(action: accept_connections \| result: in_progress)";
  server.readiness.timeout_s = 10.0;
  spec.services.push_back(std::move(server));

  for (int i = 1; i <= clients; ++i) {
    ServiceSpec client;
    client.name = "client" + std::to_string(i);
    client.role = "client";
    client.command = {"tp0-client"};
    client.image = "chancho/tp0-client:latest";
    client.environment = {{"CLI_ID", std::to_string(i)}};
    client.config_files = {
        {"client/config.yaml", "/config.yaml", "CONFIG_FILE"}};
    client.depends_on = {"server"};
    spec.services.push_back(std::move(client));
  }
  return spec;
}

}  // namespace chancho
