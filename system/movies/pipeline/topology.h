#pragma once

// How pipeline stages find each other. Every replica consumes its own
// durable queues, one per input stream, named
//   "<service>.<replica id>.<stream>"   e.g. "join-movie-ratings.2.ratings"
// and producers publish to them through the default exchange. A record goes
// to the replica `Partition(key, replicas)`, so the same key always reaches
// the same replica: that is what lets a stateful stage own its keys, and
// what makes the id of a message a stage derives from its input the same
// whichever copy of the input it processes.
//
// Which services a stage sends to, and how many replicas they have, comes
// from the environment the harness plans from compose-spec.json:
// "<PREFIX>OUTPUT_NODES=a,b" and "<PREFIX>OUTPUT_NODES_REPLICAS=3,1".

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "system/common/config.h"

namespace chancho::movies {

struct OutputNode {
  std::string service;
  int replicas = 1;
  bool operator==(const OutputNode&) const = default;
};

// The nodes of "<prefix>OUTPUT_NODES" (prefix "" or e.g. "MOVIES_"). Throws
// std::invalid_argument (one line) when the variable is missing, when the
// replica list does not match, or when a count is not a positive integer.
std::vector<OutputNode> OutputNodesFromEnv(const common::EnvLookup& env,
                                           std::string_view prefix = "");

// Who this replica is: SERVICE_NAME, REPLICA_ID (1-based), REPLICA_NAME and
// REPLICAS. SERVICE_NAME is required; the others default to one replica
// named after the service. Throws std::invalid_argument (one line) when
// SERVICE_NAME is missing or a number is malformed.
struct NodeIdentity {
  std::string service;
  int replica_id = 1;
  std::string replica_name;
  int replicas = 1;
};
NodeIdentity IdentityFromEnv(const common::EnvLookup& env);

std::string QueueName(std::string_view service, int replica_id,
                      std::string_view stream);
// The stream of a queue name: what follows the last '.'.
std::string_view StreamOfQueue(std::string_view queue);

// Stable across processes and builds (no std::hash).
std::uint64_t KeyHash(std::string_view key);
std::uint64_t KeyHash(std::int64_t key);
// The replica id, 1..replicas, that owns `hash`.
int Partition(std::uint64_t hash, int replicas);

}  // namespace chancho::movies
