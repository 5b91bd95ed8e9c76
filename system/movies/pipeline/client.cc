#include "system/movies/pipeline/client.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "system/common/bind_address.h"
#include "system/common/framing.h"
#include "system/movies/pipeline/batcher.h"
#include "system/movies/pipeline/client_connector.h"
#include "system/movies/pipeline/client_progress.h"

namespace chancho::movies {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using boost::system::error_code;
using tcp = asio::ip::tcp;

std::string Seconds(std::chrono::milliseconds duration) {
  return fmt::format("{:g}s", static_cast<double>(duration.count()) / 1000);
}

int64_t CountLines(const std::string& text) {
  const auto newlines = std::count(text.begin(), text.end(), '\n');
  return newlines + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

// Readers of the results directory see either the old file or the whole new
// one, never a half-written result.
void WriteFileAtomically(const fs::path& path, const std::string& bytes) {
  fs::path temp = path;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw std::runtime_error(temp.string() + ": cannot write");
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) {
    throw std::runtime_error(path.string() + ": cannot rename " +
                             temp.string() + " into place: " + ec.message());
  }
}

// A handler that keeps dropping the connection is given up on.
constexpr int kMaxResumes = 100;

// What a session achieved, kept across the connections that resume it.
struct Progress {
  std::string session;  // the Welcome key; empty before it
  std::array<bool, kQueryCount> received{};
  int results_received = 0;
  ClientSummary summary;
};

// One session over one connection. Every step is an asynchronous operation
// on one io_context, run by one thread, so reading and writing proceed
// independently without locks. Handlers never throw: the first failure
// (or Done) ends the session through Finish, which closes everything so that
// io_context::run() returns.
class Session {
 public:
  Session(asio::io_context& io, const ClientOptions& options,
          common::Logger& logger, std::optional<asio::ip::address> source,
          Progress& progress, std::chrono::milliseconds connect_timeout,
          std::chrono::milliseconds timeout)
      : options_(options),
        logger_(logger),
        progress_(progress),
        resuming_(!progress.session.empty()),
        timeout_(timeout),
        results_dir_(options.results_dir / options.client_id),
        handler_name_(options.handler.host + ":" +
                      std::to_string(options.handler.port)),
        connector_(io, options.handler, source, connect_timeout, logger,
                   options.env),
        socket_(io),
        deadline_(io),
        pace_timer_(io),
        pacer_(options.rows_per_second),
        decoder_(kMaxFrameBytes, IsKnownFrameType) {}

  void Start() {
    deadline_.expires_after(timeout_);
    deadline_.async_wait([this](const error_code& ec) {
      if (ec || finished_) return;
      Finish("no Done from client-handler " + handler_name_ + " within " +
             Seconds(options_.timeout) + " (" + Phase() + ")");
    });
    connector_.Start(socket_, [this](const std::string& error) {
      if (!error.empty()) return Finish(error);
      Connected();
    });
  }

  // Empty after Done; otherwise why the session failed.
  const std::string& error() const { return error_; }
  // Whether the session may be resumed on a new connection: it has a key,
  // and then the connection broke.
  bool resumable() const { return resumable_; }

 private:
  void Connected() {
    connected_ = true;
    error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    Read();
    Write(resuming_ ? common::EncodeFrame(
                          static_cast<uint8_t>(FrameType::kResume),
                          progress_.session)
                    : common::EncodeFrame(static_cast<uint8_t>(FrameType::kHello),
                                          options_.client_id),
          [this] {
            hello_sent_ = true;
            MaybeStartUpload();
          });
  }

  void Read() {
    socket_.async_read_some(
        asio::buffer(read_buffer_),
        [this](const error_code& ec, std::size_t size) {
          if (finished_) return;
          if (ec) return ReadEnded(ec);
          decoder_.Feed(std::string_view(read_buffer_.data(), size));
          while (std::optional<common::Frame> frame = decoder_.Next()) {
            OnFrame(*frame);
            if (finished_) return;
          }
          if (decoder_.failed()) {
            return Finish("garbled stream from client-handler: " +
                          decoder_.error());
          }
          Read();
        });
  }

  void ReadEnded(const error_code& ec) {
    std::string cause = ec == asio::error::eof
                            ? "closed the connection"
                            : "connection failed: " + ec.message();
    if (!write_error_.empty())
      cause += " (sending failed: " + write_error_ + ")";
    // Once there is a session to resume, any broken connection may be
    // followed by another attempt (the handler may be mid-restart).
    resumable_ = welcomed_ || resuming_;
    Finish("client-handler " + handler_name_ + " " + cause + " before Done (" +
           Phase() + ")");
  }

  void OnFrame(const common::Frame& frame) {
    const std::string& payload = frame.payload;
    switch (static_cast<FrameType>(frame.type)) {
      case FrameType::kError:
        return Finish("client-handler error: " + payload);
      case FrameType::kWelcome:
        if (welcomed_ || resuming_) {
          return Finish("protocol error: an unexpected Welcome");
        }
        welcomed_ = true;
        progress_.session = payload;
        progress_.summary.session = payload;
        logger_.Info("hello", "success",
                     {{"client_id", options_.client_id},
                      {"handler", handler_name_},
                      {"session", payload}});
        return MaybeStartUpload();
      case FrameType::kResumeFrom:
        return OnResumeFrom(payload);
      case FrameType::kResult:
        return OnResult(payload);
      case FrameType::kDone:
        if (progress_.results_received < kQueryCount || !upload_done_) {
          return Finish("protocol error: Done too early (" + Phase() + ")");
        }
        return Finish("");
      default:
        return Finish("protocol error: unexpected frame of type " +
                      std::to_string(frame.type) + " from client-handler");
    }
  }

  void OnResumeFrom(const std::string& payload) {
    if (!resuming_ || welcomed_) {
      return Finish("protocol error: an unexpected ResumeFrom");
    }
    const int file = payload.empty() ? -1 : static_cast<uint8_t>(payload[0]);
    std::uint64_t frames = 0;
    const char* end = payload.data() + payload.size();
    const auto parsed =
        payload.size() < 2 ? std::from_chars_result{end, std::errc::invalid_argument}
                           : std::from_chars(payload.data() + 1, end, frames);
    if (file < 0 || file > kInputFileCount || parsed.ec != std::errc() ||
        parsed.ptr != end) {
      return Finish("protocol error: a malformed ResumeFrom");
    }
    welcomed_ = true;
    start_file_ = file;
    skip_frames_ = frames;
    logger_.Info("resume", "success",
                 {{"session", progress_.session},
                  {"file", file < kInputFileCount
                               ? std::string(kInputFileNames[file])
                               : std::string("none")},
                  {"frames_taken", std::to_string(frames)}});
    MaybeStartUpload();
  }

  void OnResult(const std::string& payload) {
    if (!welcomed_) return Finish("protocol error: a Result before Welcome");
    const int query = payload.empty() ? 0 : static_cast<uint8_t>(payload[0]);
    if (query < 1 || query > kQueryCount) {
      return Finish("protocol error: a Result for unknown query " +
                    std::to_string(query));
    }
    int64_t& lines = progress_.summary.result_lines[query - 1];
    // A resumed session gets again what it may already have: same text.
    if (progress_.received[query - 1]) return;
    const std::string text = payload.substr(1);
    try {
      WriteFileAtomically(results_dir_ / fmt::format("query{}.txt", query),
                          text);
    } catch (const std::exception& e) {
      return Finish(e.what());
    }
    progress_.received[query - 1] = true;
    ++progress_.results_received;
    lines = CountLines(text);
    logger_.Info(
        "result", "success",
        {{"query", std::to_string(query)}, {"lines", std::to_string(lines)}});
  }

  // Uploads start only once Hello is written and Welcome read, which may
  // complete in either order; one write is in flight at a time.
  void MaybeStartUpload() {
    if (!hello_sent_ || !welcomed_ || file_ >= 0 || upload_done_) return;
    if (start_file_ == kInputFileCount) {
      upload_done_ = true;
      return;
    }
    // Each connection paces from its own start: the records a resumed
    // session skips are not sent again, and a pause to reconnect is not made
    // up for with a burst.
    pacer_.Start(Pacer::Clock::now());
    StartFile(start_file_);
  }

  void StartFile(int file) {
    file_ = file;
    std::error_code size_error;
    const std::uintmax_t size = fs::file_size(InputPath(file), size_error);
    upload_ = std::make_unique<Upload>(
        InputPath(file), InputFile(file),
        size_error ? 0 : static_cast<int64_t>(size), logger_);
    if (!upload_->in.is_open() || size_error) {
      return Finish(InputPath(file).string() + ": cannot open");
    }
    CsvBatcher& batcher = upload_->batcher;
    if (pacer_.enabled()) batcher.set_max_batch_records(pacer_.BatchRecords());
    // Resuming: the frames the handler already took, cut the same way.
    int64_t skipped_bytes = 0;
    for (; skip_frames_ > 0; --skip_frames_) {
      if (!batcher.Next(payload_)) {
        return Finish("resume: the handler took more Data frames of " +
                      std::string(kInputFileNames[file]) + " than it has");
      }
      skipped_bytes += static_cast<int64_t>(payload_.size()) - 1;
    }
    upload_->progress.Start(skipped_bytes, batcher.records());
    SendNextBatch();
  }

  void SendNextBatch() {
    CsvBatcher& batcher = upload_->batcher;
    const int64_t records_before = batcher.records();
    if (batcher.Next(payload_)) {
      const int64_t bytes = static_cast<int64_t>(payload_.size()) - 1;
      const int64_t records = batcher.records() - records_before;
      return Write(
          common::EncodeFrame(static_cast<uint8_t>(FrameType::kData), payload_),
          [this, bytes, records] { BatchSent(bytes, records); });
    }
    if (upload_->in.bad())
      return Finish(InputPath(file_).string() + ": read error");
    upload_->progress.Finish(batcher.records());
    std::string end(1, static_cast<char>(file_));
    end += std::to_string(upload_->batcher.bad_records());
    Write(common::EncodeFrame(static_cast<uint8_t>(FrameType::kFileEnd), end),
          [this] { FileSent(); });
  }

  // A Data frame of `bytes` (file byte excluded) holding `records` records
  // was written: progress, then the next one, at once or when the pace
  // allows.
  void BatchSent(int64_t bytes, int64_t records) {
    upload_->progress.Sent(bytes, upload_->batcher.records());
    const Pacer::Clock::time_point due = pacer_.Sent(records);
    if (!pacer_.enabled() || due <= Pacer::Clock::now()) {
      return SendNextBatch();
    }
    pace_timer_.expires_at(due);
    pace_timer_.async_wait([this](const error_code& ec) {
      if (ec || finished_) return;
      SendNextBatch();
    });
  }

  void FileSent() {
    const CsvBatcher& batcher = upload_->batcher;
    progress_.summary.uploads[file_] = {batcher.records(), batcher.batches(),
                                        batcher.bad_records()};
    logger_.Info("upload", "success",
                 {{"file", std::string(kInputFileNames[file_])},
                  {"records", std::to_string(batcher.records())},
                  {"batches", std::to_string(batcher.batches())},
                  {"bad_csv", std::to_string(batcher.bad_records())}});
    upload_.reset();
    if (file_ + 1 < kInputFileCount) return StartFile(file_ + 1);
    upload_done_ = true;
  }

  template <typename Then>
  void Write(std::string frame, Then then) {
    out_ = std::move(frame);
    asio::async_write(socket_, asio::buffer(out_),
                      [this, then](const error_code& ec, std::size_t) {
                        if (finished_) return;
                        // The pending read reports the end of the
                        // connection, together with an Error frame the
                        // handler may have sent before closing.
                        if (ec) {
                          write_error_ = ec.message();
                          return;
                        }
                        then();
                      });
  }

  // Describes how far the session got, for error messages.
  std::string Phase() const {
    if (!connected_) return "connecting";
    if (!welcomed_) return "waiting for Welcome";
    std::string phase = upload_done_ ? "upload finished"
                        : file_ >= 0
                            ? "uploading " + std::string(kInputFileNames[file_])
                            : "upload not started";
    return phase + ", " + std::to_string(progress_.results_received) + " of " +
           std::to_string(kQueryCount) + " results received";
  }

  fs::path InputPath(int file) const {
    return options_.data_dir / kInputFileNames[file];
  }

  void Finish(std::string error) {
    if (finished_) return;
    finished_ = true;
    error_ = std::move(error);
    deadline_.cancel();
    pace_timer_.cancel();
    connector_.Cancel();
    error_code ignored;
    socket_.close(ignored);
  }

  struct Upload {
    Upload(const fs::path& path, InputFile file, int64_t size,
           common::Logger& logger)
        : in(path, std::ios::binary),
          batcher(in, file),
          progress(kInputFileNames[static_cast<int>(file)], size, logger) {}
    std::ifstream in;
    CsvBatcher batcher;
    FileProgress progress;
  };

  const ClientOptions& options_;
  common::Logger& logger_;
  Progress& progress_;
  const bool resuming_;
  const std::chrono::milliseconds timeout_;
  const fs::path results_dir_;
  const std::string handler_name_;
  ClientConnector connector_;
  tcp::socket socket_;
  asio::steady_timer deadline_;
  asio::steady_timer pace_timer_;
  Pacer pacer_;

  bool connected_ = false;
  bool hello_sent_ = false;
  bool welcomed_ = false;
  bool upload_done_ = false;
  bool finished_ = false;
  std::string error_;

  common::FrameDecoder decoder_;
  std::vector<char> read_buffer_ = std::vector<char>(64 * 1024);
  std::string out_;
  std::string write_error_;
  std::string payload_;
  int file_ = -1;
  int start_file_ = 0;  // where the upload starts: 0, or from ResumeFrom
  std::uint64_t skip_frames_ = 0;
  bool resumable_ = false;
  std::unique_ptr<Upload> upload_;
};

}  // namespace

int64_t ParseRowsPerSecond(std::string_view text) {
  if (text.empty()) return 0;
  return common::ParseInteger(text, kRowsPerSecondEnv, 0, kMaxRowsPerSecond);
}

ClientSummary RunClient(const ClientOptions& options, common::Logger& logger) {
  if (!IsValidClientId(options.client_id)) {
    throw std::invalid_argument(
        "invalid client id '" + options.client_id + "': use 1 to " +
        std::to_string(kMaxClientIdBytes) + " of [A-Za-z0-9._-]");
  }
  if (options.rows_per_second < 0 ||
      options.rows_per_second > kMaxRowsPerSecond) {
    throw std::invalid_argument(
        std::string(kRowsPerSecondEnv) + ": " +
        std::to_string(options.rows_per_second) + " is not in [0, " +
        std::to_string(kMaxRowsPerSecond) + "]");
  }
  for (std::string_view name : kInputFileNames) {
    const fs::path path = options.data_dir / name;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      throw std::runtime_error("input file not found: " + path.string());
    }
  }
  std::optional<asio::ip::address> source;
  if (std::optional<std::string> ip = common::SourceAddress(options.env)) {
    error_code ec;
    source = asio::ip::make_address(*ip, ec);
    if (ec) {
      throw std::runtime_error(std::string(common::kBindIpEnv) + ": '" + *ip +
                               "' is not an IP address");
    }
  }
  // Created before connecting, so that an unwritable results directory
  // fails at once rather than after the whole upload.
  const fs::path results_dir = options.results_dir / options.client_id;
  std::error_code ec;
  fs::create_directories(results_dir, ec);
  if (ec) {
    throw std::runtime_error(
        results_dir.string() +
        ": cannot create the results directory: " + ec.message());
  }

  if (options.rows_per_second > 0) {
    logger.Info(
        "pacing", "success",
        {{"rows_per_second", std::to_string(options.rows_per_second)},
         {"batch_records",
          std::to_string(Pacer(options.rows_per_second).BatchRecords())}});
  }

  const auto start = std::chrono::steady_clock::now();
  Progress progress;
  for (int attempt = 0;; ++attempt) {
    const auto left = options.timeout -
                      std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - start);
    asio::io_context io(1);
    Session session(io, options, logger, source, progress,
                    attempt == 0 ? options.connect_timeout
                                 : options.reconnect_timeout,
                    std::max(left, std::chrono::milliseconds(1)));
    session.Start();
    io.run();
    if (session.error().empty()) break;
    if (!session.resumable() || options.reconnect_timeout.count() == 0 ||
        left <= std::chrono::milliseconds(0) || attempt + 1 >= kMaxResumes) {
      throw std::runtime_error(session.error());
    }
    logger.Warning("resume", "in_progress",
                   {{"session", progress.session},
                    {"attempt", std::to_string(attempt + 1)},
                    {"cause", session.error()}});
    // Backs off, so that a handler that accepts and drops at once (it is
    // going down) is not hammered.
    std::this_thread::sleep_for(
        std::min(std::chrono::milliseconds(100) * attempt,
                 std::chrono::milliseconds(1000)));
  }
  const std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  logger.Info("client", "success",
              {{"client_id", options.client_id},
               {"session", progress.session},
               {"seconds", fmt::format("{:.3f}", elapsed.count())}});
  return progress.summary;
}

}  // namespace chancho::movies
