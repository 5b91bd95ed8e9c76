#include "harness/runtime/process/subnet.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>

namespace chancho {
namespace {

namespace fs = std::filesystem;

TEST(SubnetLeaseTest, ALeaseRemovesTheLocksThatCrashedRunsLeft) {
  const fs::path dir = SubnetLockDirectory();
  fs::create_directories(dir);
  // 127.255.x is never leased (second byte 1..254): these names are the
  // test's own.
  const fs::path stale = dir / "127.255.1.lock";
  const fs::path held = dir / "127.255.2.lock";
  std::ofstream(stale).put('\n');
  const int fd = ::open(held.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);

  std::mt19937_64 random(7);
  {
    SubnetLease lease(random);
    EXPECT_FALSE(fs::exists(stale)) << "a lock nobody holds stayed";
    EXPECT_TRUE(fs::exists(held)) << "a lock that a live run holds went";
    EXPECT_TRUE(fs::exists(dir / (lease.prefix() + ".lock")));
  }
  ::unlink(held.c_str());
  ::close(fd);
}

}  // namespace
}  // namespace chancho
