#include "system/movies/pipeline/topology.h"

#include <algorithm>
#include <stdexcept>

namespace chancho::movies {
namespace {

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string item(text.substr(start, comma - start));
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

std::string Required(const common::EnvLookup& env, const std::string& name) {
  auto value = env(name.c_str());
  if (!value) throw std::invalid_argument(name + " is not set");
  return *value;
}

}  // namespace

std::vector<OutputNode> OutputNodesFromEnv(const common::EnvLookup& env,
                                           std::string_view prefix) {
  const std::string key = std::string(prefix) + "OUTPUT_NODES";
  const auto names = SplitList(Required(env, key));
  const auto counts = SplitList(Required(env, key + "_REPLICAS"));
  if (names.empty()) throw std::invalid_argument(key + " is empty");
  if (counts.size() != names.size()) {
    throw std::invalid_argument(
        key + "_REPLICAS has " + std::to_string(counts.size()) +
        " entries for " + std::to_string(names.size()) + " nodes");
  }
  std::vector<OutputNode> nodes;
  for (std::size_t i = 0; i < names.size(); ++i) {
    nodes.push_back({names[i], static_cast<int>(common::ParseInteger(
                                   counts[i], key + "_REPLICAS", 1, 1000))});
  }
  return nodes;
}

NodeIdentity IdentityFromEnv(const common::EnvLookup& env) {
  NodeIdentity id;
  id.service = Required(env, "SERVICE_NAME");
  id.replica_name = env("REPLICA_NAME").value_or(id.service);
  id.replica_id = static_cast<int>(common::ParseInteger(
      env("REPLICA_ID").value_or("1"), "REPLICA_ID", 1, 1000));
  id.replicas = static_cast<int>(
      common::ParseInteger(env("REPLICAS").value_or("1"), "REPLICAS", 1, 1000));
  if (id.replica_id > id.replicas) {
    throw std::invalid_argument("REPLICA_ID " + std::to_string(id.replica_id) +
                                " exceeds REPLICAS " +
                                std::to_string(id.replicas));
  }
  return id;
}

std::string QueueName(std::string_view service, int replica_id,
                      std::string_view stream) {
  return std::string(service) + "." + std::to_string(replica_id) + "." +
         std::string(stream);
}

std::string_view StreamOfQueue(std::string_view queue) {
  const auto dot = queue.rfind('.');
  return dot == std::string_view::npos ? queue : queue.substr(dot + 1);
}

std::uint64_t KeyHash(std::string_view key) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::uint64_t KeyHash(std::int64_t key) {
  // splitmix64's finaliser: consecutive ids spread evenly.
  auto z = static_cast<std::uint64_t>(key) + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

int Partition(std::uint64_t hash, int replicas) {
  return static_cast<int>(hash % static_cast<std::uint64_t>(replicas)) + 1;
}

}  // namespace chancho::movies
