#include "system/movies/mq/state_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/crc.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace chancho::movies::mq {
namespace {

// File layout:
//   "chancho-state 1\n"
//   "processed <bytes>\n" <DedupTracker::Serialize()>
//   "state <bytes>\n" <state bytes>
//   "crc32 <hex of the crc of everything before this line>\n"
constexpr std::string_view kHeader = "chancho-state 1\n";

std::string Crc32Hex(std::string_view data) {
  boost::crc_32_type crc;
  crc.process_bytes(data.data(), data.size());
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08x", crc.checksum());
  return buf;
}

[[noreturn]] void Fail(const std::filesystem::path& path,
                       const std::string& what) {
  throw StateStoreError(path.string() + ": " + what);
}

[[noreturn]] void FailErrno(const std::filesystem::path& path,
                            const std::string& what) {
  Fail(path, what + ": " + std::strerror(errno));
}

// Closes the descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

void WriteAll(int fd, std::string_view data, const std::filesystem::path& p) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      FailErrno(p, "write");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Reads "<key> <number>\n" at `pos` and returns the number.
std::size_t Section(std::string_view text, std::size_t& pos,
                    std::string_view key, const std::filesystem::path& path) {
  const std::string prefix = std::string(key) + " ";
  if (text.substr(pos, prefix.size()) != prefix) {
    Fail(path, "corrupt snapshot: expected \"" + std::string(key) + "\"");
  }
  pos += prefix.size();
  const auto eol = text.find('\n', pos);
  if (eol == std::string_view::npos) Fail(path, "corrupt snapshot: cut short");
  std::size_t value = 0;
  try {
    value = std::stoull(std::string(text.substr(pos, eol - pos)));
  } catch (const std::exception&) {
    Fail(path, "corrupt snapshot: bad length for \"" + std::string(key) + "\"");
  }
  pos = eol + 1;
  if (value > text.size() - pos) Fail(path, "corrupt snapshot: cut short");
  return value;
}

}  // namespace

StateStore::StateStore(std::filesystem::path dir, std::string name)
    : dir_(std::move(dir)),
      path_(dir_ / name),
      temp_path_(dir_ / (name + ".tmp")) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) Fail(dir_, "cannot create state directory: " + ec.message());
}

void StateStore::Save(const Snapshot& snapshot) {
  const std::string processed = snapshot.processed.Serialize();
  std::string body(kHeader);
  body += "processed " + std::to_string(processed.size()) + "\n" + processed;
  body += "state " + std::to_string(snapshot.state.size()) + "\n";
  body += snapshot.state;
  body += "crc32 " + Crc32Hex(body) + "\n";

  {
    Fd fd(::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                 0644));
    if (fd.get() < 0) FailErrno(temp_path_, "open");
    WriteAll(fd.get(), body, temp_path_);
    // The data must be on disk before the rename makes it the snapshot.
    if (::fsync(fd.get()) != 0) FailErrno(temp_path_, "fsync");
    if (::close(fd.Release()) != 0) FailErrno(temp_path_, "close");
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    FailErrno(path_, "rename");
  }
  // And the rename itself must be on disk before the caller acks.
  Fd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) FailErrno(dir_, "open directory");
  if (::fsync(dir.get()) != 0) FailErrno(dir_, "fsync directory");
}

std::optional<Snapshot> StateStore::Load() const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path_)) return std::nullopt;
    FailErrno(path_, "open");
  }
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  if (in.bad()) FailErrno(path_, "read");
  if (text.substr(0, kHeader.size()) != kHeader) {
    Fail(path_, "not a state snapshot (bad header)");
  }
  const auto crc_at = text.rfind("crc32 ");
  if (crc_at == std::string::npos || text.back() != '\n' ||
      text.substr(crc_at + 6, text.size() - crc_at - 7) !=
          Crc32Hex(std::string_view(text).substr(0, crc_at))) {
    Fail(path_, "corrupt snapshot: checksum mismatch");
  }
  const std::string_view body = std::string_view(text).substr(0, crc_at);
  std::size_t pos = kHeader.size();
  Snapshot snapshot;
  const std::size_t processed_len = Section(body, pos, "processed", path_);
  try {
    snapshot.processed =
        DedupTracker::Parse(body.substr(pos, processed_len));
  } catch (const std::runtime_error& e) {
    Fail(path_, e.what());
  }
  pos += processed_len;
  const std::size_t state_len = Section(body, pos, "state", path_);
  snapshot.state = std::string(body.substr(pos, state_len));
  if (pos + state_len != body.size()) {
    Fail(path_, "corrupt snapshot: trailing bytes");
  }
  return snapshot;
}

}  // namespace chancho::movies::mq
