#pragma once

// For Chancho's own tests only (not installed): where its sources and
// built binaries are, and whether its systems' images are here. ctest sets
// CHANCHO_SOURCE_DIR and CHANCHO_BIN_DIR for every test it runs.

#include <filesystem>
#include <optional>
#include <string>

namespace chancho::testing {

// The repository root and the build's bin/ directory; throws
// chancho::Error naming the variable when ctest did not set it.
std::filesystem::path SourceDir();
std::filesystem::path BinDir();

// Why the movies system cannot run in containers here (no engine answers,
// or chancho/movies or chancho/rabbitmq is missing), or nullopt.
std::optional<std::string> MoviesInDockerUnavailable();

}  // namespace chancho::testing
