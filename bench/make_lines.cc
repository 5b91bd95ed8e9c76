// Writes a file of result-like lines for bench/compare_bench.sh: the shapes
// of the movies queries (`title|genre,genre`, `name|count`, `title|7.123456`,
// `ISO|total`), of varied length (5 to about 300 bytes), from a fixed seed,
// so that every run writes the same bytes.
//
// Usage: make_lines OUT BYTES [LAST_LINE]
// Writes lines until the file holds BYTES bytes or a little more, the last
// of them LAST_LINE (default "the end|1"): two files that differ only in
// LAST_LINE differ only in their last line.
#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

constexpr std::string_view kWords[] = {
    "el",    "secreto", "de",      "sus",      "ojos",     "nueve",   "reinas",
    "la",    "cienaga", "relatos", "salvajes", "historia", "oficial", "night",
    "of",    "the",     "living",  "dead",     "a",        "long",    "way",
    "home",  "summer",  "river",   "blue",     "moon",     "city",    "last",
    "tango", "in",      "paris",   "wild",     "tales",    "zama"};
constexpr std::string_view kGenres[] = {
    "Drama",   "Comedy", "Thriller", "Romance",        "Action",
    "Crime",   "Horror", "Mystery",  "Documentary",    "Animation",
    "Fantasy", "Family", "History",  "Science Fiction"};
constexpr std::string_view kNames[] = {
    "Ricardo", "Cecilia", "Guillermo", "Leonardo",  "Mercedes", "Norma",
    "Darin",   "Roth",    "Francella", "Sbaraglia", "Moran",    "Aleandro"};
constexpr std::string_view kCountries[] = {"AR", "ES", "US", "FR", "GB",
                                           "DE", "IT", "MX", "BR", "JP"};

// splitmix64: small, fast and the same everywhere.
uint64_t Next(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

template <size_t N>
std::string_view Pick(const std::string_view (&list)[N], uint64_t& state) {
  return list[Next(state) % N];
}

void AppendTitle(std::string& line, uint64_t& state) {
  // One title in 64 is long, so that lines span 5 to about 300 bytes.
  const uint64_t words =
      Next(state) % 64 == 0 ? 20 + Next(state) % 30 : 1 + Next(state) % 6;
  for (uint64_t i = 0; i < words; ++i) {
    if (i > 0) line += ' ';
    line += Pick(kWords, state);
  }
}

void AppendLine(std::string& line, uint64_t& state) {
  char number[32];
  switch (Next(state) % 4) {
    case 0: {  // Q1: title|genre,genre
      AppendTitle(line, state);
      line += '|';
      const uint64_t genres = 1 + Next(state) % 4;
      for (uint64_t i = 0; i < genres; ++i) {
        if (i > 0) line += ',';
        line += Pick(kGenres, state);
      }
      break;
    }
    case 1:  // Q4: name|count
      line += Pick(kNames, state);
      line += ' ';
      line += Pick(kNames, state);
      std::snprintf(number, sizeof number, "|%" PRIu64, Next(state) % 1000);
      line += number;
      break;
    case 2:  // Q3: title|avg
      AppendTitle(line, state);
      std::snprintf(number, sizeof number, "|%" PRIu64 ".%06" PRIu64,
                    Next(state) % 10, Next(state) % 1000000);
      line += number;
      break;
    default:  // Q2: ISO|total
      line += Pick(kCountries, state);
      std::snprintf(number, sizeof number, "|%" PRIu64,
                    Next(state) % uint64_t{10000000000});
      line += number;
      break;
  }
  line += '\n';
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: make_lines OUT BYTES [LAST_LINE]\n");
    return 2;
  }
  const uint64_t bytes = std::strtoull(argv[2], nullptr, 10);
  const std::string last =
      std::string(argc == 4 ? argv[3] : "the end|1") + '\n';
  FILE* out = std::fopen(argv[1], "wb");
  if (out == nullptr) {
    std::fprintf(stderr, "make_lines: %s: %s\n", argv[1], std::strerror(errno));
    return 1;
  }
  uint64_t state = 20261124;
  uint64_t written = 0;
  std::string chunk;
  while (written + last.size() < bytes) {
    chunk.clear();
    while (chunk.size() < (size_t{1} << 20) &&
           written + chunk.size() + last.size() < bytes) {
      AppendLine(chunk, state);
    }
    std::fwrite(chunk.data(), 1, chunk.size(), out);
    written += chunk.size();
  }
  std::fwrite(last.data(), 1, last.size(), out);
  const bool failed = std::ferror(out) != 0;
  if (std::fclose(out) != 0 || failed) {
    std::fprintf(stderr, "make_lines: %s: %s\n", argv[1], std::strerror(errno));
    return 1;
  }
  return 0;
}
