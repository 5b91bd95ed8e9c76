#pragma once

// The stages of the movies pipeline as Roles of the Node engine (node.h).
//
//   client-handler ─movies─▶ filter-argentina ─▶ filter-spain-2000 ─q1─▶
//   handler
//                  │                         └─▶ filter-after-2000 ─┬▶
//                  join-movie-ratings │ └▶ join-movie-credits ├─movies─▶
//                  filter-only-one-country ─▶ group-by-country-sum ├─movies─▶
//                  sentiment ─▶ group-by-overview-average ├─ratings─▶
//                  join-movie-ratings ─▶ group-by-movie-average └─credits─▶
//                  join-movie-credits ─▶ group-by-actor-count
//   group-by-X ─partials─▶ master-group-by-X ─▶ top-k (Q2-Q4) or handler (Q5)
//   top-five-country-budget ─q2─▶, first-and-last ─q3─▶,
//   top-ten-cast-movie ─q4─▶, master-group-by-overview-average ─q5─▶ handler
//
// Filters, sentiment and top-k are stateless; joins, group-by and masters
// are stateful. Every role reads where it sends from OUTPUT_NODES.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "system/common/config.h"
#include "system/movies/pipeline/node.h"

namespace chancho::movies {

// The role of service `name` (SERVICE_NAME; a group-by, master or top-k
// name as in roles.h). Throws std::invalid_argument for an unknown name, or
// when the role's OUTPUT_NODES are missing.
std::unique_ptr<Role> MakeRole(std::string_view name,
                               const common::EnvLookup& env);

// Every service name MakeRole knows.
std::vector<std::string> RoleNames();

// The route of OUTPUT_NODES, consumed as `stream`.
OutputRoute RouteFromEnv(const common::EnvLookup& env, std::string stream);

// Factories by kind, for roles.cc.
std::unique_ptr<Role> MakeStatelessRole(std::string_view name,
                                        const common::EnvLookup& env);
std::unique_ptr<Role> MakeStatefulRole(std::string_view name,
                                       const common::EnvLookup& env);

}  // namespace chancho::movies
