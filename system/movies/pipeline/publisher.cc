#include "system/movies/pipeline/publisher.h"

namespace chancho::movies {

void Publisher::Declare(const std::string& queue) {
  if (declared_.insert(queue).second) conn_.DeclareQueue(queue);
}

void Publisher::Send(const std::string& service, int replica,
                     const std::string& stream, const mq::Envelope& id,
                     mq::MessageKind kind, std::string_view payload) {
  const std::string queue = QueueName(service, replica, stream);
  Declare(queue);
  mq::Envelope e;
  e.client_id = id.client_id;
  e.producer = id.producer;
  e.sequence = id.sequence;
  e.kind = kind;
  e.payload = payload;
  conn_.Publish("", queue, mq::Encode(e));
}

void Publisher::Broadcast(const std::vector<OutputRoute>& routes,
                          const mq::Envelope& id, mq::MessageKind kind,
                          std::string_view payload) {
  for (const auto& route : routes) {
    for (const auto& node : route.nodes) {
      for (int r = 1; r <= node.replicas; ++r) {
        Send(node.service, r, route.stream, id, kind, payload);
      }
    }
  }
}

void Publisher::ToOwner(const OutputRoute& route, const mq::Envelope& id,
                        std::uint64_t key_hash, std::string_view payload) {
  for (const auto& node : route.nodes) {
    Send(node.service, Partition(key_hash, node.replicas), route.stream, id,
         mq::MessageKind::kData, payload);
  }
}

}  // namespace chancho::movies
