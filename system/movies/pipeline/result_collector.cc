#include "system/movies/pipeline/result_collector.h"

#include "system/movies/pipeline/records.h"

namespace chancho::movies {

int QueryOfStream(std::string_view stream) {
  if (stream.size() != 2 || stream[0] != 'q') return 0;
  const int n = stream[1] - '0';
  return n >= 1 && n <= kQueryCount ? n : 0;
}

std::vector<std::string> ResultCollector::Inputs() const {
  std::vector<std::string> streams;
  for (int n = 1; n <= kQueryCount; ++n)
    streams.push_back("q" + std::to_string(n));
  return streams;
}

void ResultCollector::OnData(const std::string& stream, const mq::Envelope& in,
                             Emitter&) {
  const int query = QueryOfStream(stream);
  if (query == 0) throw WireError("not a result stream: " + stream);
  Results& results = clients_[in.client_id];
  if (query == 1) {
    auto rows = DecodeList<Q1Entry>(in.payload);
    results.q1.insert(results.q1.end(), rows.begin(), rows.end());
  } else {
    results.text[query - 1] += in.payload;
  }
}

void ResultCollector::OnStreamEnd(const std::string& stream,
                                  const std::string& client, Emitter&) {
  const int query = QueryOfStream(stream);
  if (query == 0) return;  // not one of Inputs(): the Node never does this
  Results& results = clients_[client];
  deliver_(client, query,
           query == 1 ? FormatQ1(results.q1) : results.text[query - 1]);
}

std::string ResultCollector::SaveState() const {
  Writer w;
  w.U64(clients_.size());
  for (const auto& [client, results] : clients_) {
    w.Str(client);
    w.U64(results.q1.size());
    for (const auto& e : results.q1) Put(w, e);
    for (const auto& t : results.text) w.Str(t);
  }
  return w.Take();
}

void ResultCollector::LoadState(std::string_view state) {
  clients_.clear();
  Reader r(state);
  for (std::size_t n = r.Count(); n > 0; --n) {
    Results& results = clients_[r.Str()];
    results.q1.resize(r.Count());
    for (auto& e : results.q1) Get(r, e);
    for (auto& t : results.text) t = r.Str();
  }
  r.ExpectEnd();
}

}  // namespace chancho::movies
