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

using MovieTitles = std::map<std::int64_t, std::string>;

template <typename Row>
class Join : public StatefulRole<MovieTitles> {
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

  void OnData(const std::string& stream, const mq::Envelope& in,
              Emitter& out) override {
    MovieTitles& titles = Of(in.client_id);
    if (stream == "movies") {
      for (const Movie& m : DecodeList<Movie>(in.payload)) {
        titles[m.id] = m.title;
      }
      return;
    }
    const auto rows = DecodeList<Row>(in.payload);
    const auto joined = JoinRows(titles, rows);
    out.publisher().SendPartitioned(output_, out.Derived(in), joined,
                                    [](const auto& j) { return KeyOf(j); });
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

 private:
  static std::uint64_t KeyOf(const RatedMovie& m) { return KeyHash(m.id); }
  static std::uint64_t KeyOf(const KeyedAmount& a) { return KeyHash(a.key); }

  // Ratings: summed per movie within the batch.
  static std::vector<RatedMovie> JoinRows(const MovieTitles& titles,
                                          const std::vector<Rating>& rows) {
    std::map<std::int64_t, RatedMovie> sums;
    for (const Rating& r : rows) {
      const auto found = titles.find(r.movie_id);
      if (found == titles.end()) continue;
      RatedMovie& m = sums[r.movie_id];
      m.id = r.movie_id;
      m.title = found->second;
      m.ratings.Add(r.tenths);
    }
    std::vector<RatedMovie> out;
    for (auto& [id, m] : sums) out.push_back(std::move(m));
    return out;
  }

  // Credits: one count per distinct actor of each Argentine movie.
  static std::vector<KeyedAmount> JoinRows(const MovieTitles& titles,
                                           const std::vector<Credit>& rows) {
    std::vector<KeyedAmount> out;
    for (const Credit& c : rows) {
      if (!titles.contains(c.movie_id)) continue;
      KeyedTotals counts;
      AddQ4Cast(c.cast, counts);
      for (const auto& [name, n] : counts.totals()) out.push_back({name, n});
    }
    return out;
  }

  std::string other_;
  OutputRoute output_;
};

// ---- group-by and masters: one aggregate per client ----

// Rating sums per movie (group-by-movie-average).
using MovieSums = std::map<std::int64_t, RatedMovie>;

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

  void OnData(const std::string&, const mq::Envelope& in, Emitter&) override {
    // Decode into a copy first: a garbage message must not half-apply.
    State updated = this->Of(in.client_id);
    add_(updated, in.payload);
    this->Of(in.client_id) = std::move(updated);
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
    return std::make_unique<Join<Rating>>("ratings", RouteFromEnv(env, "rows"));
  }
  if (name == "join-movie-credits") {
    return std::make_unique<Join<Credit>>("credits", RouteFromEnv(env, "rows"));
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
