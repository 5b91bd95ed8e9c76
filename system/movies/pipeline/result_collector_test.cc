#include "system/movies/pipeline/result_collector.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "system/movies/pipeline/records.h"

namespace chancho::movies {
namespace {

// ResultCollector sends nothing, so publishing is an error here.
class FakeEmitter : public Emitter {
 public:
  Publisher& publisher() override {
    throw std::logic_error("ResultCollector must not publish");
  }
  mq::Envelope Derived(const mq::Envelope& in) const override {
    return {in.client_id, "collector<" + in.producer, in.sequence,
            mq::MessageKind::kData, ""};
  }
  mq::Envelope Final(const std::string& client,
                     std::uint64_t n) const override {
    return {client, "collector", n, mq::MessageKind::kEof, ""};
  }
};

using Delivery = std::tuple<std::string, int, std::string>;

// One message a result stream carries to the collector.
struct Message {
  std::string stream;
  std::string client;
  std::string producer;
  std::uint64_t sequence;
  std::string payload;
};

Message Q1Rows(std::string client, std::string producer, std::uint64_t seq,
               const std::vector<Q1Entry>& rows) {
  return {"q1", std::move(client), std::move(producer), seq, EncodeList(rows)};
}

Message Text(int query, std::string client, std::string text) {
  return {"q" + std::to_string(query), std::move(client), "producer", 0,
          std::move(text)};
}

// A collector whose deliveries are recorded.
class Collector {
 public:
  Collector()
      : role_([this](const std::string& client, int query, std::string text) {
          deliveries_.emplace_back(client, query, std::move(text));
        }) {}

  void Feed(const std::vector<Message>& messages) {
    for (const Message& m : messages) {
      role_.OnData(
          m.stream,
          {m.client, m.producer, m.sequence, mq::MessageKind::kData, m.payload},
          emitter_);
    }
  }
  void End(const std::string& stream, const std::string& client) {
    role_.OnStreamEnd(stream, client, emitter_);
  }
  void EndAll(const std::string& client) {
    for (const std::string& stream : role_.Inputs()) End(stream, client);
  }

  ResultCollector& role() { return role_; }
  const std::vector<Delivery>& deliveries() const { return deliveries_; }

 private:
  std::vector<Delivery> deliveries_;
  FakeEmitter emitter_;
  ResultCollector role_;
};

const std::vector<Q1Entry> kAliceQ1 = {{"Zama", "Drama"},
                                       {"Alpha", "Comedy"},
                                       {"Kamchatka", "Drama,History"},
                                       {"Alpha", "Action"}};

// Alice's and Bob's results, interleaved, q1 from two producers.
std::vector<Message> Interleaved() {
  return {Q1Rows("alice", "filter-2", 1, {kAliceQ1[0], kAliceQ1[1]}),
          Text(2, "alice", "AR|300\n"),
          Q1Rows("bob", "filter-1", 1, {{"Bob's movie", "Horror"}}),
          Q1Rows("alice", "filter-1", 1, {kAliceQ1[2]}),
          Text(2, "alice", "ES|100\n"),
          Text(3, "bob", "High|5.000000\nLow|1.000000\n"),
          Q1Rows("alice", "filter-2", 2, {}),
          Q1Rows("alice", "filter-1", 2, {kAliceQ1[3]}),
          Text(4, "alice", "Ricardo Darín|3\n"),
          Text(5, "alice", "POSITIVE|1.500000\nNEGATIVE|0.000000\n"),
          Text(5, "bob", "POSITIVE|2.000000\nNEGATIVE|1.000000\n")};
}

std::vector<Delivery> ExpectedDeliveries() {
  return {
      {"alice", 1, FormatQ1(kAliceQ1)},
      {"alice", 2, "AR|300\nES|100\n"},
      {"alice", 3, ""},
      {"alice", 4, "Ricardo Darín|3\n"},
      {"alice", 5, "POSITIVE|1.500000\nNEGATIVE|0.000000\n"},
      {"bob", 1, "Bob's movie|Horror\n"},
      {"bob", 2, ""},
      {"bob", 3, "High|5.000000\nLow|1.000000\n"},
      {"bob", 4, ""},
      {"bob", 5, "POSITIVE|2.000000\nNEGATIVE|1.000000\n"},
  };
}

TEST(QueryOfStream, KnowsOnlyTheFiveResultStreams) {
  const std::vector<std::string> streams = {"q1", "q2", "q3", "q4", "q5"};
  for (int n = 1; n <= 5; ++n) EXPECT_EQ(QueryOfStream(streams[n - 1]), n);
  for (const char* other : {"", "q", "q0", "q6", "q10", "Q1", "x1", "q1 "}) {
    EXPECT_EQ(QueryOfStream(other), 0) << other;
  }
}

TEST(ResultCollector, ConsumesTheFiveResultStreamsStatefully) {
  Collector c;
  EXPECT_EQ(c.role().Inputs(),
            (std::vector<std::string>{"q1", "q2", "q3", "q4", "q5"}));
  EXPECT_TRUE(c.role().Outputs().empty());
  EXPECT_TRUE(c.role().stateful());
}

TEST(ResultCollector, DeliversEachQueryOfEachClient) {
  Collector c;
  c.Feed(Interleaved());
  EXPECT_TRUE(c.deliveries().empty());
  c.EndAll("alice");
  c.EndAll("bob");
  EXPECT_EQ(c.deliveries(), ExpectedDeliveries());
}

TEST(ResultCollector, SortsQ1RowsFromAllProducers) {
  Collector c;
  c.Feed(Interleaved());
  c.End("q1", "alice");
  ASSERT_EQ(c.deliveries().size(), 1u);
  // Hand-sorted by title, then genres; both "Alpha" rows stay.
  EXPECT_EQ(c.deliveries()[0],
            Delivery("alice", 1,
                     "Alpha|Action\nAlpha|Comedy\nKamchatka|Drama,History\n"
                     "Zama|Drama\n"));
}

TEST(ResultCollector, AClientWithoutResultsGetsEmptyTexts) {
  Collector c;
  c.EndAll("nobody");
  ASSERT_EQ(c.deliveries().size(), 5u);
  for (int q = 1; q <= 5; ++q) {
    EXPECT_EQ(c.deliveries()[q - 1], Delivery("nobody", q, ""));
  }
}

TEST(ResultCollector, RejectsOtherStreamsAndGarbageRowsWithoutHarm) {
  Collector c;
  c.Feed({Q1Rows("alice", "filter-1", 1, {{"Zama", "Drama"}})});
  EXPECT_THROW(c.Feed({Text(6, "alice", "x")}), WireError);
  EXPECT_THROW(c.Feed({{"movies", "alice", "p", 0, ""}}), WireError);
  const std::string rows = EncodeList(std::vector<Q1Entry>{{"Alpha", "A"}});
  for (std::size_t n = 0; n < rows.size(); ++n) {
    EXPECT_THROW(c.Feed({{"q1", "alice", "p", n, rows.substr(0, n)}}),
                 WireError);
  }
  EXPECT_THROW(c.Feed({{"q1", "alice", "p", 9, rows + "!"}}), WireError);
  c.EndAll("alice");
  EXPECT_EQ(c.deliveries()[0], Delivery("alice", 1, "Zama|Drama\n"));
}

TEST(ResultCollector, ARestoredCollectorDeliversTheSame) {
  const std::vector<Message> all = Interleaved();
  for (std::size_t cut = 0; cut <= all.size(); ++cut) {
    const std::vector<Message> first(all.begin(), all.begin() + cut);
    const std::vector<Message> rest(all.begin() + cut, all.end());
    Collector before_crash;
    before_crash.Feed(first);
    Collector after_crash;
    after_crash.Feed({Text(2, "stale", "dropped by LoadState\n")});
    after_crash.role().LoadState(before_crash.role().SaveState());
    EXPECT_EQ(after_crash.role().SaveState(), before_crash.role().SaveState());
    after_crash.Feed(rest);
    after_crash.EndAll("alice");
    after_crash.EndAll("bob");
    EXPECT_EQ(after_crash.deliveries(), ExpectedDeliveries()) << cut;
  }
}

TEST(ResultCollector, ForgetDropsOnlyThatClient) {
  Collector both;
  both.Feed(Interleaved());
  both.role().Forget("alice");
  Collector only_bob;
  for (const Message& m : Interleaved()) {
    if (m.client == "bob") only_bob.Feed({m});
  }
  EXPECT_EQ(both.role().SaveState(), only_bob.role().SaveState());
}

TEST(ResultCollector, RejectsEveryTruncatedState) {
  Collector c;
  c.Feed(Interleaved());
  const std::string state = c.role().SaveState();
  for (std::size_t n = 0; n < state.size(); ++n) {
    Collector restored;
    EXPECT_THROW(
        restored.role().LoadState(std::string_view(state).substr(0, n)),
        WireError)
        << n;
  }
  Collector trailing;
  EXPECT_THROW(trailing.role().LoadState(state + "x"), WireError);
}

}  // namespace
}  // namespace chancho::movies
