#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/file_text.h"  // WriteFileAtomically

namespace chancho {

// A fresh run id, "<UTC time>-<6 hex digits>", e.g. "20261124T040512Z-3fa9c1".
std::string NewRunId(std::uint64_t random_bits);

// Creates <root>/<run id>/ with logs/, storage/ and results/ inside, and
// returns its absolute path. Throws chancho::Error when it cannot.
std::filesystem::path CreateRunDir(const std::filesystem::path& root,
                                   std::uint64_t random_bits);

// The whole file; throws chancho::Error when it cannot be read.
std::string ReadFile(const std::filesystem::path& path);

}  // namespace chancho
