#pragma once

#include <filesystem>

#include "harness/spec/spec.h"

namespace chancho {

// The tp0 echo system, built in code rather than read from a file: one
// "server" and the clients "client1".."client<clients>", each client with
// CLI_ID=<i> and depending on the server. Config files are
// <tp0_dir>/server/config.ini and <tp0_dir>/client/config.yaml (Spec::dir is
// `tp0_dir`). The server is ready when it logs
// "action: accept_connections | result: in_progress".
// Throws chancho::Error if `clients` is negative.
Spec Tp0Spec(int clients, const std::filesystem::path& tp0_dir);

}  // namespace chancho
