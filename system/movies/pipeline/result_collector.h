#pragma once

// The client-handler's receiving side: a stateful Role (node.h) that
// consumes the five result streams q1..q5, keeps each client's results
// until their stream ends, and then hands the finished text to `deliver`.
// Q1 arrives as rows from the filter-spain-2000 replicas and is sorted here;
// Q2-Q5 arrive as finished text from a single producer.

#include <array>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "system/movies/pipeline/node.h"
#include "system/movies/queries.h"
#include "system/movies/reference.h"

namespace chancho::movies {

class ResultCollector : public Role {
 public:
  // Called on the node's thread, once per client and query (1-5).
  using Deliver = std::function<void(const std::string& client, int query,
                                     std::string text)>;

  explicit ResultCollector(Deliver deliver) : deliver_(std::move(deliver)) {}

  std::vector<std::string> Inputs() const override;
  std::vector<OutputRoute> Outputs() const override { return {}; }
  bool stateful() const override { return true; }

  void OnData(const std::string& stream, const mq::Envelope& in,
              Emitter& out) override;
  void OnStreamEnd(const std::string& stream, const std::string& client,
                   Emitter& out) override;
  void Forget(const std::string& client) override { clients_.erase(client); }
  std::string SaveState() const override;
  void LoadState(std::string_view state) override;

 private:
  struct Results {
    std::vector<Q1Entry> q1;
    std::array<std::string, kQueryCount> text;  // [0] unused
  };

  Deliver deliver_;
  std::map<std::string, Results> clients_;
};

// "q1".."q5" -> 1..5; 0 for anything else.
int QueryOfStream(std::string_view stream);

}  // namespace chancho::movies
