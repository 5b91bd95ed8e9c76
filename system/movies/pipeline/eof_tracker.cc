#include "system/movies/pipeline/eof_tracker.h"

#include <algorithm>

namespace chancho::movies {

bool EofTracker::Add(const std::string& client, const std::string& stream,
                     const std::string& eof_id, std::uint64_t expected) {
  Count& count = streams_[client][stream];
  const bool was_complete = count.complete();
  // All EOFs of one stream state the same count; max() keeps a wrong one
  // from ending a stream early.
  count.expected = std::max(count.expected, expected);
  count.ids.insert(eof_id);
  return !was_complete && count.complete();
}

bool EofTracker::Ended(std::string_view client, std::string_view stream) const {
  const auto c = streams_.find(client);
  if (c == streams_.end()) return false;
  const auto s = c->second.find(stream);
  return s != c->second.end() && s->second.complete();
}

void EofTracker::Forget(std::string_view client) {
  if (auto it = streams_.find(client); it != streams_.end()) {
    streams_.erase(it);
  }
}

void EofTracker::Put(Writer& w) const {
  w.U64(streams_.size());
  for (const auto& [client, streams] : streams_) {
    w.Str(client);
    w.U64(streams.size());
    for (const auto& [stream, count] : streams) {
      w.Str(stream);
      w.U64(count.expected);
      w.U64(count.ids.size());
      for (const auto& id : count.ids) w.Str(id);
    }
  }
}

void EofTracker::Get(Reader& r) {
  streams_.clear();
  for (std::size_t c = r.Count(); c > 0; --c) {
    auto& streams = streams_[r.Str()];
    for (std::size_t s = r.Count(); s > 0; --s) {
      Count& count = streams[r.Str()];
      count.expected = r.U64();
      for (std::size_t i = r.Count(); i > 0; --i) count.ids.insert(r.Str());
    }
  }
}

}  // namespace chancho::movies
