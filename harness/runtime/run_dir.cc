#include "harness/runtime/run_dir.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace chancho {

std::string NewRunId(std::uint64_t random_bits) {
  const std::time_t now =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[64];
  std::strftime(buffer, sizeof(buffer), "%Y%m%dT%H%M%SZ", &utc);
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "-%06llx",
                static_cast<unsigned long long>(random_bits & 0xffffff));
  return std::string(buffer) + suffix;
}

std::filesystem::path CreateRunDir(const std::filesystem::path& root,
                                   std::uint64_t random_bits) {
  const std::filesystem::path dir =
      std::filesystem::absolute(root / NewRunId(random_bits));
  std::error_code ec;
  for (const char* sub : {"logs", "storage", "results"}) {
    std::filesystem::create_directories(dir / sub, ec);
    if (ec) {
      throw Error(dir.string() + ": cannot create run directory: " +
                  ec.message());
    }
  }
  return dir;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(path.string() + ": cannot read");
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace chancho
