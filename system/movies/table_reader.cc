#include "system/movies/table_reader.h"

#include <numeric>

namespace chancho::movies {

int64_t ReadStats::skipped() const {
  return std::accumulate(skipped_by.begin(), skipped_by.end(), int64_t{0});
}

std::string ReadStats::Reasons() const {
  std::string text;
  for (int i = 0; i < kRowErrorCount; ++i) {
    if (skipped_by[i] == 0) continue;
    if (!text.empty()) text += ',';
    text += RowErrorName(static_cast<RowError>(i));
    text += '=';
    text += std::to_string(skipped_by[i]);
  }
  return text;
}

}  // namespace chancho::movies
