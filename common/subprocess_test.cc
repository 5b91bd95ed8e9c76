#include "common/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "common/error.h"

namespace chancho {
namespace {

using std::chrono::milliseconds;

TEST(RunCommandTest, CollectsOutputAndExitCode) {
  const CommandResult result = RunCommand(
      {"sh", "-c", "echo out; echo err >&2; exit 3"}, {milliseconds(5000)});
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "out\n");
  EXPECT_EQ(result.err, "err\n");
}

TEST(RunCommandTest, MergesStderrInOrder) {
  const CommandResult result = RunCommand(
      {"sh", "-c", "echo 1; echo 2 >&2; echo 3"}, {milliseconds(5000), true});
  EXPECT_EQ(result.out, "1\n2\n3\n");
  EXPECT_EQ(result.err, "");
}

TEST(RunCommandTest, KillsTheGroupOnTimeout) {
  const auto start = std::chrono::steady_clock::now();
  const CommandResult result =
      RunCommand({"sh", "-c", "sleep 30 & sleep 30"}, {milliseconds(200)});
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(RunCommandTest, TheChildHoldsNoDescriptorOfTheParent) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);  // not close-on-exec
  for (int fd : fds) {
    const CommandResult result = RunCommand(
        {"sh", "-c", "test -e /proc/$$/fd/" + std::to_string(fd)},
        {milliseconds(5000)});
    EXPECT_EQ(result.exit_code, 1) << "the child holds descriptor " << fd;
    ::close(fd);
  }
}

TEST(RunCommandTest, UnknownProgramThrows) {
  EXPECT_THROW(RunCommand({"no-such-program-chancho"}, {}), Error);
}

TEST(RunCheckedTest, FailureIsOneLineWithStderr) {
  try {
    RunChecked(
        {"sh", "-c", "echo 'first problem' >&2; echo second >&2; exit 2"},
        {milliseconds(5000)});
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "sh -c 'echo '\\''first problem'\\'' >&2; echo second >&2; "
                 "exit 2': exit code 2: first problem; second");
  }
  EXPECT_EQ(RunChecked({"echo", "ok"}, {}), "ok\n");
}

TEST(RunCheckedTest, TimeoutSaysSo) {
  try {
    RunChecked({"sleep", "5"}, {milliseconds(100)});
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "sleep 5: timed out after 100 ms");
  }
}

TEST(OneLineTest, JoinsTrimsAndCuts) {
  EXPECT_EQ(OneLine("  a\nb\r\n\nc  \n"), "a; b; c");
  EXPECT_EQ(OneLine(""), "");
  EXPECT_EQ(OneLine("abcdef", 3), "abc...");
  EXPECT_EQ(OneLine("x\ty\x01z"), "x\ty z");
}

TEST(CommandLineTest, QuotesWhatNeedsIt) {
  EXPECT_EQ(CommandLine({"docker", "kill", "-s", "9", "tp0-x_server"}),
            "docker kill -s 9 tp0-x_server");
  EXPECT_EQ(CommandLine({"echo", "a b", "", "it's"}),
            "echo 'a b' '' 'it'\\''s'");
}

TEST(BackgroundCommandTest, AppendsToTheFileAndEnds) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("chancho-bg-" + std::to_string(::getpid()));
  std::filesystem::remove(path);
  {
    std::ofstream(path) << "before\n";
    BackgroundCommand command({"sh", "-c", "echo out; echo err >&2"}, path);
    EXPECT_TRUE(command.Wait(milliseconds(5000)));
    EXPECT_FALSE(command.Running());
  }
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "before\nout\nerr\n");
  std::filesystem::remove(path);
}

TEST(BackgroundCommandTest, DestructorKills) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("chancho-bg-kill-" + std::to_string(::getpid()));
  const auto start = std::chrono::steady_clock::now();
  {
    BackgroundCommand command({"sleep", "30"}, path);
    EXPECT_TRUE(command.Running());
    EXPECT_FALSE(command.Wait(milliseconds(50)));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  std::filesystem::remove(path);
}

TEST(BackgroundCommandTest, ReportsTheExitCode) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("chancho-bg-code-" + std::to_string(::getpid()));
  {
    BackgroundCommand command({"sh", "-c", "exit 3"}, path);
    ASSERT_TRUE(command.Wait(milliseconds(5000)));
    EXPECT_EQ(command.ExitCode(), 3);
  }
  std::filesystem::remove(path);
}

TEST(BackgroundCommandTest, ReleasedCommandInItsOwnSessionOutlivesTheOwner) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("chancho-bg-session-" + std::to_string(::getpid()));
  int pid = 0;
  {
    BackgroundCommand command({"sleep", "30"}, path, /*own_session=*/true);
    pid = command.Release();
  }
  ASSERT_GT(pid, 0);
  EXPECT_EQ(::kill(pid, 0), 0) << "the released command was killed";
  // The child calls setsid between fork and exec: wait for it to.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (::getsid(pid) != pid && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_EQ(::getsid(pid), pid) << "the command does not lead its session";
  ::kill(pid, SIGKILL);
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace chancho
