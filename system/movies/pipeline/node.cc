#include "system/movies/pipeline/node.h"

#include <deque>
#include <limits>

#include "system/movies/mq/dedup_tracker.h"
#include "system/movies/mq/state_store.h"

namespace chancho::movies {
namespace {

// Sequences of the control messages, above any data sequence.
constexpr std::uint64_t kEofSequence =
    std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t kAbortSequence = kEofSequence - 1;
constexpr std::uint32_t kStateVersion = 1;
constexpr auto kConfirmTimeout = std::chrono::seconds(120);

std::uint64_t ParseExpected(const std::string& payload) {
  return static_cast<std::uint64_t>(
      common::ParseInteger(payload, "EOF count", 1, 1'000'000'000));
}

struct Pending {
  mq::Delivery delivery;
  mq::Envelope envelope;
  std::string stream;
};

}  // namespace

NodeOptions NodeOptionsFromEnv(const common::EnvLookup& env) {
  NodeOptions options;
  options.identity = IdentityFromEnv(env);
  options.broker = mq::OptionsFromEnv(env);
  if (auto v = env("MESSAGES_PER_COMMIT")) {
    options.messages_per_commit = static_cast<int>(
        common::ParseInteger(*v, "MESSAGES_PER_COMMIT", 1, 100000));
  }
  options.storage_dir = env("STORAGE_DIR").value_or("");
  if (auto bug = env("MOVIES_PLANTED_BUG"); bug && !bug->empty()) {
    if (*bug != "ack-before-save") {
      throw std::invalid_argument("MOVIES_PLANTED_BUG is \"" + *bug +
                                  "\": the only planted bug is ack-before-save");
    }
    options.planted_ack_before_save = true;
  }
  return options;
}

class Node::Impl : public Emitter {
 public:
  Impl(NodeOptions options, Role& role, common::Logger& logger,
       NodeStats& stats)
      : options_(std::move(options)),
        role_(role),
        logger_(logger),
        stats_(stats),
        me_(options_.identity.replica_name) {
    if (options_.prefetch <= 0) {
      options_.prefetch = std::max(64, 2 * options_.messages_per_commit);
    }
    if (role_.stateful()) {
      if (options_.storage_dir.empty()) {
        throw std::invalid_argument(
            "STORAGE_DIR is not set: a stateful stage needs storage");
      }
      store_.emplace(options_.storage_dir, "state");
    }
  }

  void Run(const std::atomic<bool>& stop) {
    conn_ = std::make_unique<mq::Connection>(options_.broker);
    conn_->EnableConfirms();
    publisher_.emplace(*conn_);
    Restore();
    for (const auto& stream : role_.Inputs()) {
      const std::string queue = QueueName(options_.identity.service,
                                          options_.identity.replica_id, stream);
      publisher_->Declare(queue);
      conn_->Consume(queue, options_.prefetch);
    }
    logger_.Info("consume", "success",
                 {{"replica", me_},
                  {"messages_per_commit",
                   std::to_string(options_.messages_per_commit)}});
    if (options_.planted_ack_before_save && store_) {
      logger_.Info("planted_bug", "success",
                   {{"replica", me_}, {"bug", "ack-before-save"}});
    }
    while (!stop) {
      auto delivery = conn_->Next(options_.idle_commit);
      if (!delivery) {
        if (!acks_.empty()) Commit();
        continue;
      }
      Handle(std::move(*delivery));
      if (uncommitted_ >= options_.messages_per_commit) Commit();
    }
    Commit();
    SaveHeldState();
    conn_->Close();
  }

  // ---- Emitter ----

  Publisher& publisher() override { return *publisher_; }

  mq::Envelope Derived(const mq::Envelope& in) const override {
    mq::Envelope out;
    out.client_id = in.client_id;
    out.producer = me_ + "<" + in.producer;
    out.sequence = in.sequence;
    return out;
  }

  mq::Envelope Final(const std::string& client,
                     std::uint64_t n) const override {
    mq::Envelope out;
    out.client_id = client;
    out.producer = me_;
    out.sequence = n;
    return out;
  }

 private:
  void Broadcast(const mq::Envelope& id, mq::MessageKind kind,
                 const std::string& payload) {
    publisher_->Broadcast(role_.Outputs(), id, kind, payload);
  }

  void Handle(mq::Delivery delivery) {
    Pending p;
    p.stream = std::string(StreamOfQueue(delivery.routing_key));
    try {
      p.envelope = mq::Decode(delivery.body);
    } catch (const mq::EnvelopeError& e) {
      ++stats_.garbage;
      logger_.Warning("receive", "fail",
                      {{"stream", p.stream}, {"error", e.what()}});
      Done(delivery.tag);
      return;
    }
    p.delivery = std::move(delivery);
    const std::string& client = p.envelope.client_id;
    if (role_.stateful() && finished_.count(client) != 0) {
      Done(p.delivery.tag);
      return;
    }
    if (p.envelope.kind == mq::MessageKind::kAbort) {
      Abort(p);
      return;
    }
    if (!role_.Ready(p.stream, client, eofs_)) {
      deferred_.push_back(std::move(p));
      return;
    }
    Process(p);
  }

  void Process(const Pending& p) {
    const mq::Envelope& in = p.envelope;
    if (role_.stateful()) {
      const std::string producer = p.stream + "/" + in.producer;
      if (!processed_.Mark(in.client_id, producer, in.sequence)) {
        ++stats_.duplicates;
        Done(p.delivery.tag);
        return;
      }
    }
    if (in.kind == mq::MessageKind::kData) {
      try {
        role_.OnData(p.stream, in, *this);
        ++stats_.processed;
      } catch (const WireError& e) {
        ++stats_.garbage;
        logger_.Warning("receive", "fail",
                        {{"message", in.Id()}, {"error", e.what()}});
      }
      Done(p.delivery.tag);
      return;
    }
    // An EOF.
    std::uint64_t expected = 0;
    try {
      expected = ParseExpected(in.payload);
    } catch (const std::invalid_argument& e) {
      ++stats_.garbage;
      logger_.Warning("receive", "fail",
                      {{"message", in.Id()}, {"error", e.what()}});
      Done(p.delivery.tag);
      return;
    }
    Done(p.delivery.tag);
    if (!role_.stateful()) {
      Broadcast(Derived(in), mq::MessageKind::kEof,
                std::to_string(expected * options_.identity.replicas));
      return;
    }
    save_held_ = true;  // the planted bug saves what an EOF ends
    if (!eofs_.Add(in.client_id, p.stream, in.producer, expected)) return;
    role_.OnStreamEnd(p.stream, in.client_id, *this);
    RetryDeferred(in.client_id);
    MaybeFinish(in.client_id);
  }

  void RetryDeferred(const std::string& client) {
    std::deque<Pending> waiting;
    waiting.swap(deferred_);
    for (auto& p : waiting) {
      if (p.envelope.client_id == client &&
          role_.Ready(p.stream, client, eofs_) &&
          finished_.count(client) == 0) {
        Process(p);
      } else {
        deferred_.push_back(std::move(p));
      }
    }
  }

  void MaybeFinish(const std::string& client) {
    if (finished_.count(client) != 0) return;
    for (const auto& stream : role_.Inputs()) {
      if (!eofs_.Ended(client, stream)) return;
    }
    Broadcast(Final(client, kEofSequence), mq::MessageKind::kEof,
              std::to_string(options_.identity.replicas));
    ForgetClient(client);
    logger_.Info("client_done", "success",
                 {{"client", client}, {"replica", me_}});
  }

  void Abort(const Pending& p) {
    const std::string& client = p.envelope.client_id;
    Done(p.delivery.tag);
    if (!role_.stateful()) {
      Broadcast(Derived(p.envelope), mq::MessageKind::kAbort, "");
      return;
    }
    // Deferred messages of the client are dropped with it.
    std::deque<Pending> waiting;
    waiting.swap(deferred_);
    for (auto& d : waiting) {
      if (d.envelope.client_id == client) {
        Done(d.delivery.tag);
      } else {
        deferred_.push_back(std::move(d));
      }
    }
    Broadcast(Final(client, kAbortSequence), mq::MessageKind::kAbort, "");
    ForgetClient(client);
    logger_.Info("client_abort", "success",
                 {{"client", client}, {"replica", me_}});
  }

  void ForgetClient(const std::string& client) {
    role_.Forget(client);
    processed_.ForgetClient(client);
    eofs_.Forget(client);
    finished_.insert(client);
    save_held_ = true;
  }

  // The delivery is handled; it is acked at the next commit.
  void Done(std::uint64_t tag) {
    acks_.push_back(tag);
    ++uncommitted_;
  }

  void Commit() {
    if (acks_.empty()) return;
    conn_->WaitForConfirms(kConfirmTimeout);
    if (store_ && options_.planted_ack_before_save) {
      // The planted bug (NodeOptions): the save waits for an EOF.
      if (save_held_) SaveHeldState();
    } else if (store_) {
      store_->Save(Snapshot());
    }
    for (std::uint64_t tag : acks_) conn_->Ack(tag);
    acks_.clear();
    uncommitted_ = 0;
    ++stats_.commits;
  }

  void SaveHeldState() {
    if (store_ && options_.planted_ack_before_save) store_->Save(Snapshot());
    save_held_ = false;
  }

  mq::Snapshot Snapshot() const {
    Writer w;
    w.U64(kStateVersion);
    eofs_.Put(w);
    w.U64(finished_.size());
    for (const auto& c : finished_) w.Str(c);
    w.Str(role_.SaveState());
    return {w.Take(), processed_};
  }

  void Restore() {
    if (!store_) return;
    auto snapshot = store_->Load();
    if (!snapshot) return;
    try {
      Reader r(snapshot->state);
      if (r.U64() != kStateVersion) throw WireError("unknown state version");
      eofs_.Get(r);
      for (std::size_t n = r.Count(); n > 0; --n) finished_.insert(r.Str());
      role_.LoadState(r.Str());
      r.ExpectEnd();
    } catch (const WireError& e) {
      throw mq::StateStoreError(store_->path().string() +
                                ": malformed state: " + e.what());
    }
    processed_ = std::move(snapshot->processed);
    logger_.Info("restore", "success",
                 {{"replica", me_},
                  {"finished_clients", std::to_string(finished_.size())}});
  }

  NodeOptions options_;
  Role& role_;
  common::Logger& logger_;
  NodeStats& stats_;
  const std::string me_;
  std::unique_ptr<mq::Connection> conn_;
  std::optional<mq::StateStore> store_;
  std::optional<Publisher> publisher_;
  mq::DedupTracker processed_;
  EofTracker eofs_;
  std::set<std::string> finished_;
  std::deque<Pending> deferred_;
  std::vector<std::uint64_t> acks_;
  int uncommitted_ = 0;
  bool save_held_ = false;  // the planted bug: an EOF came since the save
};

Node::Node(NodeOptions options, Role& role, common::Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(options), role, logger, stats_)) {}

Node::~Node() = default;

void Node::Run() { impl_->Run(stop_); }

}  // namespace chancho::movies
