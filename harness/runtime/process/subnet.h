#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace chancho {

// Exclusive use of one loopback /24 (127.X.Y.0/24) for the lifetime of the
// object, so that parallel runs on one machine never share an address. The
// claim is an flock on a per-subnet lock file: the kernel drops it when the
// holder dies, even by SIGKILL, so a crashed run never keeps a subnet.
// Linux answers every 127.0.0.0/8 address on `lo`, so no interface set-up is
// needed.
// Where the lock files are: $XDG_RUNTIME_DIR or /tmp, then
// chancho-subnets-<uid>. A lease removes the files that crashed holders
// left there (flock taken, and the inode still the path's).
std::filesystem::path SubnetLockDirectory();

class SubnetLease {
 public:
  // Tries random subnets (127.0.0.0/24 excluded) until one is free. Throws
  // chancho::Error when the lock directory is unusable.
  explicit SubnetLease(std::mt19937_64& random);
  ~SubnetLease();
  SubnetLease(const SubnetLease&) = delete;
  SubnetLease& operator=(const SubnetLease&) = delete;

  // "127.X.Y"
  const std::string& prefix() const { return prefix_; }
  // "127.X.Y.<host>", host in 1..254.
  std::string Address(int host) const;

 private:
  std::string prefix_;
  std::string lock_path_;
  int fd_ = -1;
};

}  // namespace chancho
