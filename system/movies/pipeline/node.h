#pragma once

// The engine every pipeline stage runs on. A Role says what a stage does
// with its input; the Node does the rest the same way for all of them:
// consuming, duplicate detection, end-of-stream counting, commits and acks.
//
// Message ids. A message derived from an input message gets the id
//   (client, "<my replica><<input producer>", input sequence)
// so reprocessing the input after a crash, by this replica or its
// successor, sends the same ids again. Messages a stateful stage emits at
// the end of a client's stream get (client, "<my replica>", 0, 1, ...).
//
// End of stream. An EOF carries the number of EOFs its receiver must count
// for that stream. A stateless stage relays each EOF at once, multiplying
// the count by its own replica count; a stateful stage counts the distinct
// EOFs of each input stream and, when every input stream of a client has
// ended, emits its results and one EOF (count = its replica count) to each
// downstream replica. Because a producer sends a client's data and then its
// EOF in order on one channel, the last EOF means all the data is in.
//
// Commits. Outputs are published with confirms. Every `messages_per_commit`
// messages, or when the input goes idle, the node waits for the confirms,
// saves its snapshot (stateful roles: role state + processed ids + EOF
// counts + finished clients, atomically) and only then acks. A crash at any
// instant therefore replays unacked input, whose effects are either in the
// snapshot (the ids are known: dropped) or not (processed again), and whose
// outputs downstream recognises by id.
//
// Threads: Run() blocks on its own thread; Stop() may be called from any
// thread (a signal handler thread).

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "system/common/log.h"
#include "system/movies/mq/connection.h"
#include "system/movies/mq/envelope.h"
#include "system/movies/pipeline/eof_tracker.h"
#include "system/movies/pipeline/publisher.h"
#include "system/movies/pipeline/topology.h"

namespace chancho::movies {

// What a Role sends through while it handles a message.
class Emitter {
 public:
  virtual ~Emitter() = default;
  virtual Publisher& publisher() = 0;
  // The id of a message derived from `in`, and of the n-th end message.
  virtual mq::Envelope Derived(const mq::Envelope& in) const = 0;
  virtual mq::Envelope Final(const std::string& client,
                             std::uint64_t n) const = 0;
};

class Role {
 public:
  virtual ~Role() = default;

  // The streams it consumes.
  virtual std::vector<std::string> Inputs() const = 0;
  // Where EOFs (and aborts) go; every route the role sends to.
  virtual std::vector<OutputRoute> Outputs() const = 0;
  virtual bool stateful() const = 0;

  // False defers a data message (it stays unacked) until another stream of
  // the same client ends; a join waits for its movies like this.
  virtual bool Ready(const std::string& /*stream*/,
                     const std::string& /*client*/,
                     const EofTracker& /*eofs*/) const {
    return true;
  }
  // One data message. Throwing WireError marks it garbage: logged, dropped.
  virtual void OnData(const std::string& stream, const mq::Envelope& in,
                      Emitter& out) = 0;
  // Stateful roles: `stream` of `client` has ended.
  virtual void OnStreamEnd(const std::string& /*stream*/,
                           const std::string& /*client*/, Emitter& /*out*/) {}
  // Stateful roles: the client is over (all streams ended, or aborted).
  virtual void Forget(const std::string& /*client*/) {}
  virtual std::string SaveState() const { return {}; }
  // Throws WireError on a malformed state.
  virtual void LoadState(std::string_view /*state*/) {}
};

struct NodeOptions {
  NodeIdentity identity;
  mq::ConnectionOptions broker;
  int messages_per_commit = 100;
  int prefetch = 0;  // 0: 2 x messages_per_commit, at least 64
  std::chrono::milliseconds idle_commit{50};
  std::string storage_dir;  // required by stateful roles
  // A bug planted on purpose, for showing what `chancho shrink` finds; off
  // unless MOVIES_PLANTED_BUG names it. "ack-before-save": a stateful node
  // acknowledges each batch of data at once but saves the state that holds
  // it only with the next end of a stream (EOF) or when it stops cleanly, so
  // a crash in between loses every batch since the last save (and the EOFs
  // are never lost: the run ends, with wrong results, rather than hangs).
  bool planted_ack_before_save = false;
};

// Reads MESSAGES_PER_COMMIT, STORAGE_DIR, MOVIES_PLANTED_BUG, the identity
// and the broker. Throws std::invalid_argument on a bad value.
NodeOptions NodeOptionsFromEnv(const common::EnvLookup& env);

// Counters, for logs and tests.
struct NodeStats {
  std::int64_t processed = 0;   // data messages handled
  std::int64_t duplicates = 0;  // dropped: already processed
  std::int64_t garbage = 0;     // dropped: malformed
  std::int64_t commits = 0;
};

class Node {
 public:
  Node(NodeOptions options, Role& role, common::Logger& logger);
  ~Node();

  // Connects, restores the snapshot, consumes until Stop(). Throws on a
  // broker or storage failure (the process then exits non-zero and is
  // restarted; nothing unacked is lost).
  void Run();
  void Stop() { stop_ = true; }
  const NodeStats& stats() const { return stats_; }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_{false};
  NodeStats stats_;
};

}  // namespace chancho::movies
