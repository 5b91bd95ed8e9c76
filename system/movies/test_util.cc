#include "system/movies/test_util.h"

#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace chancho::movies {

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "chancho-movies-XXXXXX")
          .string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(pattern + ": cannot create a temporary directory");
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string RandomText(Random& random, std::string_view alphabet,
                       uint64_t max_length) {
  std::string text;
  const uint64_t length = random.Below(max_length);
  for (uint64_t i = 0; i < length; ++i) text += random.Pick(alphabet);
  return text;
}

void WriteFileBytes(const std::filesystem::path& path,
                    const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  if (!out) throw std::runtime_error(path.string() + ": cannot write");
}

}  // namespace chancho::movies
