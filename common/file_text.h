#pragma once

#include <filesystem>
#include <string>

namespace chancho {

// The whole file at `path`. Throws chancho::Error "<path>: cannot read:
// <reason>" when it cannot be opened or read (a directory included).
std::string ReadText(const std::filesystem::path& path);

// Writes `contents` to `path` atomically: a temporary file beside it, then
// a rename. Throws chancho::Error naming the file when it cannot.
void WriteFileAtomically(const std::filesystem::path& path,
                         const std::string& contents);

}  // namespace chancho
