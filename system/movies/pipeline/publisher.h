#pragma once

// Publishes pipeline messages to the replica queues of topology.h, over one
// Connection in confirm mode, declaring each durable queue before its first
// message (so nothing is lost when the receiver has not started yet). Not
// thread-safe, like the Connection it borrows.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "system/movies/mq/connection.h"
#include "system/movies/mq/envelope.h"
#include "system/movies/pipeline/topology.h"

namespace chancho::movies {

// Where a stage's output goes: the stream name the receivers consume it as,
// and the receiving services.
struct OutputRoute {
  std::string stream;
  std::vector<OutputNode> nodes;
};

class Publisher {
 public:
  explicit Publisher(mq::Connection& conn) : conn_(conn) {}

  void Declare(const std::string& queue);
  // `id` with `kind` and `payload` to queue (service, replica, stream).
  void Send(const std::string& service, int replica, const std::string& stream,
            const mq::Envelope& id, mq::MessageKind kind,
            std::string_view payload);
  // To every replica of every node of every route.
  void Broadcast(const std::vector<OutputRoute>& routes, const mq::Envelope& id,
                 mq::MessageKind kind, std::string_view payload);
  // To replica `Partition(key_hash)` of every node of `route`.
  void ToOwner(const OutputRoute& route, const mq::Envelope& id,
               std::uint64_t key_hash, std::string_view payload);

  // Records split by key: each replica of each node gets the records it
  // owns, as one EncodeList message; replicas that own none get nothing.
  template <typename T, typename KeyHashFn>
  void SendPartitioned(const OutputRoute& route, const mq::Envelope& id,
                       const std::vector<T>& records, KeyHashFn key_hash);

  mq::Connection& connection() { return conn_; }

 private:
  mq::Connection& conn_;
  std::set<std::string, std::less<>> declared_;
};

}  // namespace chancho::movies

#include "system/movies/pipeline/records.h"

namespace chancho::movies {

// The EncodeList payloads of `records` split among `replicas` by
// Partition(hashes[i]), in their order; "" for a replica that owns none.
template <typename T>
std::vector<std::string> EncodeParts(const std::vector<T>& records,
                                     const std::vector<std::uint64_t>& hashes,
                                     int replicas) {
  std::vector<int> owner(records.size());
  std::vector<std::size_t> counts(replicas);
  for (std::size_t i = 0; i < records.size(); ++i) {
    owner[i] = Partition(hashes[i], replicas) - 1;
    ++counts[owner[i]];
  }
  // Encoded in place, as EncodeList would: the count, then the records.
  std::vector<Writer> parts(replicas);
  for (int r = 0; r < replicas; ++r) {
    if (counts[r] > 0) parts[r].U64(counts[r]);
  }
  for (std::size_t i = 0; i < records.size(); ++i) {
    Put(parts[owner[i]], records[i]);
  }
  std::vector<std::string> out;
  for (Writer& part : parts) out.push_back(part.Take());
  return out;
}

template <typename T, typename KeyHashFn>
void Publisher::SendPartitioned(const OutputRoute& route,
                                const mq::Envelope& id,
                                const std::vector<T>& records,
                                KeyHashFn key_hash) {
  if (records.empty()) return;
  std::vector<std::uint64_t> hashes;
  hashes.reserve(records.size());
  for (const T& r : records) hashes.push_back(key_hash(r));
  for (const auto& node : route.nodes) {
    const std::vector<std::string> parts =
        EncodeParts(records, hashes, node.replicas);
    for (int r = 1; r <= node.replicas; ++r) {
      if (parts[r - 1].empty()) continue;
      Send(node.service, r, route.stream, id, mq::MessageKind::kData,
           parts[r - 1]);
    }
  }
}

}  // namespace chancho::movies
