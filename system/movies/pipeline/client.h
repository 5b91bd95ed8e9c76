#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "system/common/config.h"
#include "system/common/host_port.h"
#include "system/common/log.h"
#include "system/movies/pipeline/client_protocol.h"

namespace chancho::movies {

struct ClientOptions {
  // Names the session and the results directory; must satisfy
  // IsValidClientId.
  std::string client_id;
  // Holds movies_metadata.csv, credits.csv and ratings.csv.
  std::filesystem::path data_dir;
  // Results go to <results_dir>/<client_id>/query<N>.txt.
  std::filesystem::path results_dir = "results";
  common::HostPort handler{"client-handler", 12345};
  // How long to keep retrying the connection: the handler may still be
  // starting.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(60);
  // The whole run, connecting included.
  std::chrono::milliseconds timeout = std::chrono::minutes(30);
  // When the connection breaks after Welcome (the handler crashed or was
  // stopped), how long to keep trying to resume the session with the next
  // handler; zero never resumes.
  std::chrono::milliseconds reconnect_timeout = std::chrono::minutes(2);
  // CHANCHO_HOSTS_FILE (name resolution) and CHANCHO_BIND_IP (the local
  // address to connect from) are read through this.
  common::EnvLookup env = common::ProcessEnv();
};

// What one upload sent, as in its log line.
struct UploadStats {
  int64_t records = 0;  // header excluded
  int64_t batches = 0;
  int64_t bad_csv = 0;  // the count sent in FileEnd
};

struct ClientSummary {
  std::string session;  // the Welcome payload
  std::array<UploadStats, kInputFileCount> uploads{};
  std::array<int64_t, kQueryCount> result_lines{};  // index 0 is query 1
};

// Runs one client session against the client-handler (client_protocol.h):
// connects (retrying for options.connect_timeout), sends Hello, waits for
// Welcome, uploads the three files in order as Data batches (CsvBatcher)
// each closed by FileEnd, and meanwhile reads whatever the handler sends, so
// that it never blocks on a full socket. Each Result is written to
// <results_dir>/<client_id>/query<N>.txt through a temporary file and a
// rename. Returns once Done arrives after all five results.
//
// If the connection breaks after Welcome, the client connects again (for
// up to options.reconnect_timeout each time) and resumes the session where
// the handler's last checkpoint left it (client_protocol.h), skipping the
// Data frames the handler already took; one `resume` line per attempt.
//
// A Result payload is one byte holding the query number (1..5) followed by
// the text of the result file.
//
// Logs one `upload` line per file, one `result` line per result and a final
// `client` line. Blocks the calling thread; uses no global state, so several
// runs may go on in parallel threads.
//
// Throws std::invalid_argument for an invalid client id, and
// std::runtime_error with a one-line message when an input file is missing
// (naming it, before connecting), the handler cannot be reached in time,
// the handler answers Error (the message includes the handler's), the
// connection ends before Done, the handler breaks the protocol, or the run
// exceeds options.timeout.
ClientSummary RunClient(const ClientOptions& options, common::Logger& logger);

}  // namespace chancho::movies
