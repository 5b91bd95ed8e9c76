#pragma once

#include <filesystem>
#include <string>

namespace chancho {

// The whole file at `path`. Throws chancho::Error "<path>: cannot read:
// <reason>" when it cannot be opened or read (a directory included).
std::string ReadText(const std::filesystem::path& path);

}  // namespace chancho
