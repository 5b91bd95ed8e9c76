#include "system/movies/pipeline/roles.h"

#include <stdexcept>

namespace chancho::movies {

std::vector<std::string> RoleNames() {
  return {"filter-argentina",
          "filter-spain-2000",
          "filter-after-2000",
          "filter-only-one-country",
          "sentiment",
          "join-movie-ratings",
          "join-movie-credits",
          "group-by-country-sum",
          "group-by-movie-average",
          "group-by-actor-count",
          "group-by-overview-average",
          "master-group-by-country-sum",
          "master-group-by-movie-average",
          "master-group-by-actor-count",
          "master-group-by-overview-average",
          "top-five-country-budget",
          "first-and-last",
          "top-ten-cast-movie"};
}

OutputRoute RouteFromEnv(const common::EnvLookup& env, std::string stream) {
  return {std::move(stream), OutputNodesFromEnv(env)};
}

std::unique_ptr<Role> MakeRole(std::string_view name,
                               const common::EnvLookup& env) {
  if (auto role = MakeStatelessRole(name, env)) return role;
  if (auto role = MakeStatefulRole(name, env)) return role;
  std::string known;
  for (const auto& n : RoleNames()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown pipeline stage '" + std::string(name) +
                              "'; known: " + known);
}

}  // namespace chancho::movies
