#include "system/movies/mq/state_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace chancho::movies::mq {
namespace {

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/state-store-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static Snapshot Make(int version) {
    Snapshot s;
    s.state = "version " + std::to_string(version) + std::string("\0|\n", 3);
    for (int i = 0; i <= version; ++i) s.processed.Mark("client", "p", i * 2);
    return s;
  }

  std::filesystem::path dir_;
};

TEST_F(StateStoreTest, NothingSavedLoadsAsNothing) {
  EXPECT_EQ(StateStore(dir_ / "sub").Load(), std::nullopt);
}

TEST_F(StateStoreTest, SaveThenLoadReturnsTheLastSnapshot) {
  StateStore store(dir_);
  store.Save(Make(1));
  store.Save(Make(2));
  EXPECT_EQ(StateStore(dir_).Load(), Make(2));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state.tmp"));
}

TEST_F(StateStoreTest, LeftoverTempFileOfACrashedSaveIsIgnored) {
  StateStore store(dir_);
  store.Save(Make(1));
  std::ofstream(dir_ / "state.tmp") << "chancho-state 1\nprocessed 99\nhalf";
  EXPECT_EQ(store.Load(), Make(1));
  store.Save(Make(3));
  EXPECT_EQ(store.Load(), Make(3));
}

TEST_F(StateStoreTest, CorruptSnapshotIsReportedInOneLine) {
  StateStore store(dir_);
  store.Save(Make(4));
  std::fstream f(store.path(), std::ios::in | std::ios::out);
  f.seekp(20);
  f.put('#');
  f.close();
  try {
    store.Load();
    FAIL() << "no error";
  } catch (const StateStoreError& e) {
    EXPECT_EQ(std::string(e.what()),
              store.path().string() + ": corrupt snapshot: checksum mismatch");
  }
  std::ofstream(store.path()) << "something else";
  EXPECT_THROW(store.Load(), StateStoreError);
}

// A process saves snapshots 0, 1, 2, ... as fast as it can and is killed
// with SIGKILL at an arbitrary instant: what is on disk is a whole snapshot,
// one of those it saved, and at least the one it reported saved.
TEST_F(StateStoreTest, SigkillDuringSavesLeavesAWholeSnapshot) {
  for (int round = 0; round < 5; ++round) {
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(pipe_fds[0]);
      StateStore store(dir_);
      for (int v = 0;; ++v) {
        store.Save(Make(v));
        // Reports each completed save.
        if (::write(pipe_fds[1], &v, sizeof(v)) != sizeof(v)) ::_exit(1);
      }
    }
    ::close(pipe_fds[1]);
    int last_saved = -1;
    int v = 0;
    for (int i = 0; i < 3 + round * 7; ++i) {
      ASSERT_EQ(::read(pipe_fds[0], &v, sizeof(v)), ssize_t(sizeof(v)));
      last_saved = v;
    }
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ::close(pipe_fds[0]);

    const auto loaded = StateStore(dir_).Load();
    ASSERT_TRUE(loaded.has_value());
    // The child may have saved more than the parent read: the version is
    // in the state, and the whole snapshot must be exactly that version.
    const int version = std::atoi(loaded->state.c_str() + 8);
    EXPECT_GE(version, last_saved) << "round " << round;
    EXPECT_EQ(*loaded, Make(version)) << "round " << round;
    std::filesystem::remove_all(dir_ / "state");
  }
}

}  // namespace
}  // namespace chancho::movies::mq
