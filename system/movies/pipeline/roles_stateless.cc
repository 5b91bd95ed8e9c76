// Filters, sentiment and top-k: each data message maps to at most one
// output message per receiving replica, with an id derived from the input.

#include <functional>

#include "system/movies/pipeline/records.h"
#include "system/movies/pipeline/roles.h"
#include "system/movies/sentiment.h"

namespace chancho::movies {
namespace {

class StatelessRole : public Role {
 public:
  StatelessRole(std::string input, OutputRoute output)
      : input_(std::move(input)), output_(std::move(output)) {}
  std::vector<std::string> Inputs() const override { return {input_}; }
  std::vector<OutputRoute> Outputs() const override { return {output_}; }
  bool stateful() const override { return false; }

 protected:
  const OutputRoute& output() const { return output_; }

  // Sends each record to the replica that owns its key.
  template <typename T, typename Key>
  void SendPartitioned(const mq::Envelope& in, const std::vector<T>& records,
                       Key key, Emitter& out) {
    out.publisher().SendPartitioned(
        output_, out.Derived(in), records,
        [&](const T& r) { return KeyHash(key(r)); });
  }

 private:
  std::string input_;
  OutputRoute output_;
};

// Forwards the movies that pass `keep`, partitioned by movie id.
class MovieFilter : public StatelessRole {
 public:
  MovieFilter(OutputRoute output, std::function<bool(const Movie&)> keep)
      : StatelessRole("movies", std::move(output)), keep_(std::move(keep)) {}

  void OnData(const std::string&, const mq::Envelope& in,
              Emitter& out) override {
    std::vector<Movie> kept;
    for (Movie& m : DecodeList<Movie>(in.payload)) {
      if (keep_(m)) kept.push_back(std::move(m));
    }
    SendPartitioned(
        in, kept, [](const Movie& m) { return m.id; }, out);
  }

 private:
  std::function<bool(const Movie&)> keep_;
};

// Q1 rows straight to the client-handler.
class SpainFilter : public StatelessRole {
 public:
  explicit SpainFilter(OutputRoute output)
      : StatelessRole("movies", std::move(output)) {}

  void OnData(const std::string&, const mq::Envelope& in,
              Emitter& out) override {
    std::vector<Q1Entry> entries;
    for (const Movie& m : DecodeList<Movie>(in.payload)) {
      if (IsQ1Movie(m)) entries.push_back(MakeQ1Entry(m));
    }
    if (!entries.empty()) {
      out.publisher().ToOwner(output(), out.Derived(in), 0,
                              EncodeList(entries));
    }
  }
};

// Q2 input: (country, budget) of single-country movies.
class OneCountryFilter : public StatelessRole {
 public:
  explicit OneCountryFilter(OutputRoute output)
      : StatelessRole("movies", std::move(output)) {}

  void OnData(const std::string&, const mq::Envelope& in,
              Emitter& out) override {
    std::vector<KeyedAmount> rows;
    for (const Movie& m : DecodeList<Movie>(in.payload)) {
      if (IsSingleCountry(m)) rows.push_back({m.countries[0], m.budget});
    }
    SendPartitioned(
        in, rows,
        [](const KeyedAmount& r) -> std::string_view { return r.key; }, out);
  }
};

// Q5 input: the revenue/budget ratios of one batch, summed per sentiment.
class SentimentRole : public StatelessRole {
 public:
  explicit SentimentRole(OutputRoute output)
      : StatelessRole("movies", std::move(output)) {}

  void OnData(const std::string&, const mq::Envelope& in,
              Emitter& out) override {
    SentimentRatios ratios;
    bool any = false;
    for (const Movie& m : DecodeList<Movie>(in.payload)) {
      if (!HasBudgetAndRevenue(m)) continue;
      ratios.Add(scorer_.Classify(m.overview), RatioNanos(m.revenue, m.budget));
      any = true;
    }
    if (!any) return;
    const mq::Envelope id = out.Derived(in);
    out.publisher().ToOwner(output(), id, KeyHash(id.producer) ^ id.sequence,
                            EncodeOne(ratios));
  }

 private:
  SentimentScorer scorer_;
};

// Formats the merged partial of a master into the query's result text.
template <typename Partial>
class TopK : public StatelessRole {
 public:
  TopK(OutputRoute output, std::function<std::string(const Partial&)> format)
      : StatelessRole("partials", std::move(output)),
        format_(std::move(format)) {}

  void OnData(const std::string&, const mq::Envelope& in,
              Emitter& out) override {
    out.publisher().ToOwner(output(), out.Derived(in), 0,
                            format_(DecodeOne<Partial>(in.payload)));
  }

 private:
  std::function<std::string(const Partial&)> format_;
};

}  // namespace

std::unique_ptr<Role> MakeStatelessRole(std::string_view name,
                                        const common::EnvLookup& env) {
  if (name == "filter-argentina") {
    return std::make_unique<MovieFilter>(
        RouteFromEnv(env, "movies"),
        [](const Movie& m) { return HasCountry(m, "AR"); });
  }
  if (name == "filter-after-2000") {
    return std::make_unique<MovieFilter>(RouteFromEnv(env, "movies"),
                                         IsArgentineSince2000);
  }
  if (name == "filter-spain-2000") {
    return std::make_unique<SpainFilter>(RouteFromEnv(env, "q1"));
  }
  if (name == "filter-only-one-country") {
    return std::make_unique<OneCountryFilter>(RouteFromEnv(env, "rows"));
  }
  if (name == "sentiment") {
    return std::make_unique<SentimentRole>(RouteFromEnv(env, "rows"));
  }
  if (name == "top-five-country-budget") {
    return std::make_unique<TopK<KeyedTotals>>(
        RouteFromEnv(env, "q2"),
        [](const KeyedTotals& t) { return t.FormatTop(kQ2Top); });
  }
  if (name == "top-ten-cast-movie") {
    return std::make_unique<TopK<KeyedTotals>>(
        RouteFromEnv(env, "q4"),
        [](const KeyedTotals& t) { return t.FormatTop(kQ4Top); });
  }
  if (name == "first-and-last") {
    return std::make_unique<TopK<Q3Extremes>>(
        RouteFromEnv(env, "q3"), [](const Q3Extremes& e) { return e.Format(); });
  }
  return nullptr;
}

}  // namespace chancho::movies
