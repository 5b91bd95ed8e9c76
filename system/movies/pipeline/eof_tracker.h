#pragma once

// End-of-stream counting for a stateful stage (see node.h): per client and
// input stream, the distinct EOF ids received and how many are expected.
// Adding the same EOF twice counts it once, so a replayed EOF is harmless.
// Not thread-safe.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "system/movies/pipeline/wire.h"

namespace chancho::movies {

class EofTracker {
 public:
  // Records EOF `eof_id` of `stream` for `client`, which says `expected`
  // EOFs make the stream complete. True when this call completes it.
  bool Add(const std::string& client, const std::string& stream,
           const std::string& eof_id, std::uint64_t expected);
  bool Ended(std::string_view client, std::string_view stream) const;
  void Forget(std::string_view client);
  bool empty() const { return streams_.empty(); }

  void Put(Writer& w) const;
  // Throws WireError on malformed input.
  void Get(Reader& r);

 private:
  struct Count {
    std::uint64_t expected = 0;
    std::set<std::string> ids;
    bool complete() const { return expected > 0 && ids.size() >= expected; }
  };
  // client -> stream -> count.
  std::map<std::string, std::map<std::string, Count, std::less<>>, std::less<>>
      streams_;
};

}  // namespace chancho::movies
