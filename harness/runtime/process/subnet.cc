#include "harness/runtime/process/subnet.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "common/error.h"

namespace chancho {

std::filesystem::path SubnetLockDirectory() {
  const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  std::filesystem::path base =
      runtime_dir != nullptr && *runtime_dir != '\0' ? runtime_dir : "/tmp";
  return base / ("chancho-subnets-" + std::to_string(::getuid()));
}

namespace {

// A holder unlinks its lock file when it releases it; a lock taken on such
// an unlinked inode claims nothing.
bool StillLinked(int fd, const std::string& path) {
  struct stat by_fd {};
  struct stat by_path {};
  return ::fstat(fd, &by_fd) == 0 && ::stat(path.c_str(), &by_path) == 0 &&
         by_fd.st_ino == by_path.st_ino && by_fd.st_dev == by_path.st_dev;
}

// Removes the lock files that crashed runs left (a holder that dies keeps
// its file, not its lock): a file whose lock can be taken is unlinked while
// it is held, as a releasing holder does, so a run that opened it just
// before finds its inode unlinked and looks elsewhere. At most `most`
// files a call, so that taking a lease stays cheap.
void PruneStaleLocks(const std::filesystem::path& dir, int most) {
  std::error_code ec;
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (++seen > most) break;
    const std::string path = entry.path().string();
    if (entry.path().extension() != ".lock") continue;
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && StillLinked(fd, path)) {
      ::unlink(path.c_str());
    }
    ::close(fd);
  }
}

}  // namespace

SubnetLease::SubnetLease(std::mt19937_64& random) {
  const std::filesystem::path dir = SubnetLockDirectory();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw Error(dir.string() + ": cannot create lock directory: " +
                ec.message());
  }
  PruneStaleLocks(dir, 256);
  std::uniform_int_distribution<int> second(1, 254);
  std::uniform_int_distribution<int> third(0, 255);
  for (int attempt = 0; attempt < 512; ++attempt) {
    const std::string candidate = "127." + std::to_string(second(random)) +
                                  "." + std::to_string(third(random));
    const std::string path = (dir / (candidate + ".lock")).string();
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      throw Error(path + ": cannot open: " + std::strerror(errno));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && StillLinked(fd, path)) {
      prefix_ = candidate;
      lock_path_ = path;
      fd_ = fd;
      return;
    }
    ::close(fd);
  }
  throw Error("no free loopback subnet after 512 attempts in " + dir.string());
}

SubnetLease::~SubnetLease() {
  if (fd_ >= 0) {
    // Unlink while still holding the lock, so that nobody who opens the path
    // afterwards believes they hold a lock on the removed inode.
    ::unlink(lock_path_.c_str());
    ::close(fd_);
  }
}

std::string SubnetLease::Address(int host) const {
  return prefix_ + "." + std::to_string(host);
}

}  // namespace chancho
