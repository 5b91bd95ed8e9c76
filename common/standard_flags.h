#pragma once

// The options every program that ships with Chancho answers, also those
// configured only by their environment (the services of the systems under
// test): --version prints "<program> (chancho X.Y.Z)", --help and -h print
// the usage; both exit 0.

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "common/version.h"

namespace chancho {

// Returns the exit code when argv holds --version, --help or -h (printed
// to stdout) or a usage error (one line on stderr, exit code 2: an option,
// or more than `max_positional` other arguments); nullopt when the program
// goes on.
inline std::optional<int> StandardFlags(int argc, char** argv, std::string_view program,
                                        std::string_view usage, int max_positional = 0) {
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--version") {
      std::printf("%.*s (chancho %s)\n", static_cast<int>(program.size()), program.data(),
                  kVersion);
      return 0;
    }
    if (arg == "--help" || arg == "-h") {
      std::printf("%.*s\n", static_cast<int>(usage.size()), usage.data());
      return 0;
    }
  }
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if ((arg.size() > 1 && arg[0] == '-') || ++positional > max_positional) {
      std::fprintf(stderr, "%.*s: unexpected argument '%s' (see --help)\n",
                   static_cast<int>(program.size()), program.data(), argv[i]);
      return 2;
    }
  }
  return std::nullopt;
}

}  // namespace chancho
