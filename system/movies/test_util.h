#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "system/movies/random.h"

namespace chancho::movies {

// A fresh directory under the system temp dir, removed with its contents
// on destruction. Throws std::runtime_error if it cannot be created.
class TempDir {
 public:
  TempDir();
  ~TempDir();

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The whole file as bytes; "" when it cannot be read (tests compare it).
std::string ReadFileBytes(const std::filesystem::path& path);

// Up to `max_length` - 1 bytes drawn from `alphabet`, for property tests.
std::string RandomText(Random& random, std::string_view alphabet,
                       uint64_t max_length);

// Writes `bytes` to `path`, replacing it; throws on failure.
void WriteFileBytes(const std::filesystem::path& path,
                    const std::string& bytes);

}  // namespace chancho::movies
