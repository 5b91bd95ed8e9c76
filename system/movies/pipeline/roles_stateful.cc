// Joins, group-by and masters: state per client, saved with every commit
// (node.h), emitted when the client's input streams have ended.

#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "system/movies/pipeline/records.h"
#include "system/movies/pipeline/roles.h"

namespace chancho::movies {
namespace {

// Per-client state `State` with Put/Get; the base of every stateful role.
template <typename State>
class StatefulRole : public Role {
 public:
  bool stateful() const override { return true; }
  void Forget(const std::string& client) override { clients_.erase(client); }

  std::string SaveState() const override {
    Writer w;
    w.U64(clients_.size());
    for (const auto& [client, state] : clients_) {
      w.Str(client);
      PutState(w, state);
    }
    return w.Take();
  }

  void LoadState(std::string_view bytes) override {
    clients_.clear();
    Reader r(bytes);
    for (std::size_t n = r.Count(); n > 0; --n) {
      const std::string client = r.Str();
      GetState(r, clients_[client]);
    }
    r.ExpectEnd();
  }

 protected:
  virtual void PutState(Writer& w, const State& state) const = 0;
  virtual void GetState(Reader& r, State& state) const = 0;

  State& Of(const std::string& client) { return clients_[client]; }

 private:
  std::map<std::string, State> clients_;
};

// ---- joins: the Argentine movies since 2000 first, then the other side ----

// What both joins share: the movies stream, then `other`, whose messages
// wait (unacked) until the client's movies have ended.
template <typename State>
class Join : public StatefulRole<State> {
 public:
  Join(std::string other, OutputRoute output)
      : other_(std::move(other)), output_(std::move(output)) {}

  std::vector<std::string> Inputs() const override {
    return {"movies", other_};
  }
  std::vector<OutputRoute> Outputs() const override { return {output_}; }

  bool Ready(const std::string& stream, const std::string& client,
             const EofTracker& eofs) const override {
    return stream == "movies" || eofs.Ended(client, "movies");
  }

 protected:
  const std::string& other() const { return other_; }
  const OutputRoute& output() const { return output_; }

 private:
  std::string other_;
  OutputRoute output_;
};

// join-movie-credits: one count per distinct actor of each movie, sent on
// with every credits message.
using MovieTitles = std::map<std::int64_t, std::string>;

class CreditsJoin : public Join<MovieTitles> {
 public:
  explicit CreditsJoin(OutputRoute output)
      : Join("credits", std::move(output)) {}

  void OnData(const std::string& stream, const mq::Envelope& in,
              Emitter& out) override {
    MovieTitles& titles = Of(in.client_id);
    if (stream == "movies") {
      for (const Movie& m : DecodeList<Movie>(in.payload)) {
        titles[m.id] = m.title;
      }
      return;
    }
    std::vector<KeyedAmount> counts;
    for (const Credit& c : DecodeList<Credit>(in.payload)) {
      if (!titles.contains(c.movie_id)) continue;
      KeyedTotals actors;
      AddQ4Cast(c.cast, actors);
      for (const auto& [name, n] : actors.totals()) counts.push_back({name, n});
    }
    out.publisher().SendPartitioned(
        output(), out.Derived(in), counts,
        [](const KeyedAmount& a) { return KeyHash(a.key); });
  }

 protected:
  void PutState(Writer& w, const MovieTitles& titles) const override {
    w.U64(titles.size());
    for (const auto& [id, title] : titles) {
      w.I64(id);
      w.Str(title);
    }
  }
  void GetState(Reader& r, MovieTitles& titles) const override {
    for (std::size_t n = r.Count(); n > 0; --n) {
      const std::int64_t id = r.I64();
      titles[id] = r.Str();
    }
  }
};

// Rating sums per movie, with its title: the state of join-movie-ratings
// and of group-by-movie-average.
using MovieSums = std::unordered_map<std::int64_t, RatedMovie>;

void Put(Writer& w, const MovieSums& sums) {
  w.U64(sums.size());
  for (const auto& [id, movie] : sums) Put(w, movie);
}

void Get(Reader& r, MovieSums& sums) {
  for (std::size_t n = r.Count(); n > 0; --n) {
    RatedMovie movie;
    Get(r, movie);
    sums[movie.id] = std::move(movie);
  }
}

// join-movie-ratings: sums the ratings of each joined movie, and sends the
// movies that have any when the client's ratings have ended. Ratings are
// most of the rows, and a movie's ratings are spread over every message:
// summing here sends each movie once instead of once per message.
class RatingsJoin : public Join<MovieSums> {
 public:
  explicit RatingsJoin(OutputRoute output)
      : Join("ratings", std::move(output)) {}

  void OnData(const std::string& stream, const mq::Envelope& in,
              Emitter&) override {
    MovieSums& sums = Of(in.client_id);
    if (stream == "movies") {
      for (const Movie& m : DecodeList<Movie>(in.payload)) {
        RatedMovie& movie = sums[m.id];
        movie.id = m.id;
        movie.title = m.title;
      }
      return;
    }
    // Decoded whole first: a garbage message must not half-apply.
    for (const MovieRating& r : DecodeList<MovieRating>(in.payload)) {
      const auto found = sums.find(r.movie_id);
      if (found != sums.end()) found->second.ratings.Add(r.tenths);
    }
  }

  void OnStreamEnd(const std::string& stream, const std::string& client,
                   Emitter& out) override {
    if (stream != other()) return;
    std::vector<RatedMovie> rated;
    for (const auto& [id, movie] : Of(client)) {
      if (movie.ratings.count > 0) rated.push_back(movie);
    }
    out.publisher().SendPartitioned(
        output(), out.Final(client, 0), rated,
        [](const RatedMovie& m) { return KeyHash(m.id); });
  }

 protected:
  void PutState(Writer& w, const MovieSums& sums) const override {
    Put(w, sums);
  }
  void GetState(Reader& r, MovieSums& sums) const override { Get(r, sums); }
};

// ---- group-by and masters: one aggregate per client ----

// Adds every data message of `input` into the client's State, and sends
// `emit(state)` to `output` when the client's input has ended.
template <typename State>
class Aggregator : public StatefulRole<State> {
 public:
  using AddFn = std::function<void(State&, std::string_view)>;
  using EmitFn = std::function<std::string(const State&)>;

  Aggregator(std::string input, OutputRoute output, AddFn add, EmitFn emit)
      : input_(std::move(input)),
        output_(std::move(output)),
        add_(std::move(add)),
        emit_(std::move(emit)) {}

  std::vector<std::string> Inputs() const override { return {input_}; }
  std::vector<OutputRoute> Outputs() const override { return {output_}; }

  // `add` decodes the whole payload before it changes the state, so a
  // garbage message (WireError) leaves the state as it was.
  void OnData(const std::string&, const mq::Envelope& in, Emitter&) override {
    add_(this->Of(in.client_id), in.payload);
  }

  void OnStreamEnd(const std::string&, const std::string& client,
                   Emitter& out) override {
    out.publisher().ToOwner(output_, out.Final(client, 0), 0,
                            emit_(this->Of(client)));
  }

 protected:
  void PutState(Writer& w, const State& state) const override { Put(w, state); }
  void GetState(Reader& r, State& state) const override { Get(r, state); }

 private:
  std::string input_;
  OutputRoute output_;
  AddFn add_;
  EmitFn emit_;
};

// A group-by's partial or a master's merge, sent as is.
template <typename State>
std::string Encoded(const State& state) {
  return EncodeOne(state);
}

template <typename State>
void MergeEncoded(State& state, std::string_view payload) {
  state.Merge(DecodeOne<State>(payload));
}

void AddAmounts(KeyedTotals& totals, std::string_view payload) {
  for (const auto& a : DecodeList<KeyedAmount>(payload)) {
    totals.Add(a.key, a.amount);
  }
}

void AddMovieSums(MovieSums& sums, std::string_view payload) {
  for (const auto& m : DecodeList<RatedMovie>(payload)) {
    RatedMovie& total = sums[m.id];
    total.id = m.id;
    total.title = m.title;
    total.ratings.Merge(m.ratings);
  }
}

std::string EncodeExtremes(const MovieSums& sums) {
  Q3Extremes extremes;
  for (const auto& [id, movie] : sums) extremes.Add(movie);
  return EncodeOne(extremes);
}

}  // namespace

std::unique_ptr<Role> MakeStatefulRole(std::string_view name,
                                       const common::EnvLookup& env) {
  if (name == "join-movie-ratings") {
    return std::make_unique<RatingsJoin>(RouteFromEnv(env, "rows"));
  }
  if (name == "join-movie-credits") {
    return std::make_unique<CreditsJoin>(RouteFromEnv(env, "rows"));
  }
  if (name == "group-by-country-sum" || name == "group-by-actor-count") {
    return std::make_unique<Aggregator<KeyedTotals>>(
        "rows", RouteFromEnv(env, "partials"), AddAmounts, Encoded<KeyedTotals>);
  }
  if (name == "group-by-movie-average") {
    return std::make_unique<Aggregator<MovieSums>>(
        "rows", RouteFromEnv(env, "partials"), AddMovieSums, EncodeExtremes);
  }
  if (name == "group-by-overview-average") {
    return std::make_unique<Aggregator<SentimentRatios>>(
        "rows", RouteFromEnv(env, "partials"), MergeEncoded<SentimentRatios>,
        Encoded<SentimentRatios>);
  }
  if (name == "master-group-by-country-sum" ||
      name == "master-group-by-actor-count") {
    return std::make_unique<Aggregator<KeyedTotals>>(
        "partials", RouteFromEnv(env, "partials"), MergeEncoded<KeyedTotals>,
        Encoded<KeyedTotals>);
  }
  if (name == "master-group-by-movie-average") {
    return std::make_unique<Aggregator<Q3Extremes>>(
        "partials", RouteFromEnv(env, "partials"), MergeEncoded<Q3Extremes>,
        Encoded<Q3Extremes>);
  }
  if (name == "master-group-by-overview-average") {
    return std::make_unique<Aggregator<SentimentRatios>>(
        "partials", RouteFromEnv(env, "q5"), MergeEncoded<SentimentRatios>,
        [](const SentimentRatios& r) { return r.Format(); });
  }
  return nullptr;
}

}  // namespace chancho::movies
