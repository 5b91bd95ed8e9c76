#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

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
  // Paces the upload to at most this many records per second, across the
  // three files; 0 sends as fast as the handler takes them. See RunClient.
  int64_t rows_per_second = 0;
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
// Progress: per file, `progress` lines of exactly this form
//   action: progress | result: in_progress | file: ratings.csv |
//   done: <bytes sent> | total: <file size in bytes> | records: <sent>
// (one line; the fields in this order): one when the file's upload starts
// (done: 0, or on a resumed connection the bytes the handler already has),
// one each time `done` crosses another 5% of the file (one line per Data
// frame at most, never more than about 20 per file: the count depends on
// the file and the batch cuts, not on time), and one once every Data frame
// of the file is written, with done == total. `done` counts the bytes of the
// records sent, header included, and never exceeds `total`; it is the file's
// bytes consumed exactly when the file has '\n' line ends and no broken
// records, and lags by the dropped bytes otherwise. `records` excludes the
// header. Then the file's `upload` line.
//
// Pacing: with options.rows_per_second = r > 0 the client logs
//   action: pacing | result: success | rows_per_second: r |
//   batch_records: b
// once at the start, cuts Data frames of at most b = max(1, r / 10) records
// (besides the 8 KiB limit), and after each frame waits until
// records-sent / r seconds have passed since the upload began on this
// connection (so about 100 ms per frame; the wait is a timer, and results
// are read meanwhile). A resumed connection paces from its own start.
// Unpaced (0), the frames are cut as always and never wait.
//
// Logs one `upload` line per file, one `result` line per result and a final
// `client` line. Blocks the calling thread; uses no global state, so several
// runs may go on in parallel threads.
//
// Throws std::invalid_argument for an invalid client id or a
// rows_per_second outside [0, kMaxRowsPerSecond], and
// std::runtime_error with a one-line message when an input file is missing
// (naming it, before connecting), the handler cannot be reached in time,
// the handler answers Error (the message includes the handler's), the
// connection ends before Done, the handler breaks the protocol, or the run
// exceeds options.timeout.
ClientSummary RunClient(const ClientOptions& options, common::Logger& logger);

// The environment variable (and movies-client flag --rows-per-second) that
// sets ClientOptions::rows_per_second.
inline constexpr const char* kRowsPerSecondEnv = "ROWS_PER_SECOND";
inline constexpr int64_t kMaxRowsPerSecond = 1'000'000'000;

// Parses ROWS_PER_SECOND: a decimal integer in [0, kMaxRowsPerSecond]
// (blanks around it allowed); "" is 0 (unpaced). Throws
// std::invalid_argument "ROWS_PER_SECOND: '<text>' is not an integer in
// [0, 1000000000]" for anything else (negative, not a number).
int64_t ParseRowsPerSecond(std::string_view text);

}  // namespace chancho::movies
