// libFuzzer target: the movies CSV reader, record by record, with a small
// record limit so that the oversized-record path is reached too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "system/movies/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const std::size_t limit : {std::size_t{64}, chancho::movies::CsvReader::kDefaultMaxRecordBytes}) {
    chancho::movies::CsvReader reader(text, limit);
    std::vector<std::string> fields;
    // Every call consumes input, so this ends; the bound is a guard.
    for (std::size_t i = 0; i <= size + 1; ++i) {
      if (reader.Next(fields) == chancho::movies::CsvResult::kEnd) break;
    }
  }
  return 0;
}
