#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "fixtures/system_test.h"
#include "test_support/chancho_tree.h"

namespace chancho::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a shell command line in `dir` (created if missing) and captures its
// exit code, stdout and stderr. The command is bounded by `timeout_s`
// (coreutils timeout), so a hanging command fails the test instead of
// hanging it.
inline CommandResult RunShell(const std::string& command,
                              const std::filesystem::path& dir,
                              int timeout_s = 60) {
  std::filesystem::create_directories(dir);
  const auto out = dir / "cmd.out";
  const auto err = dir / "cmd.err";
  const std::string line = "cd '" + dir.string() + "' && timeout -k 5 " +
                           std::to_string(timeout_s) + " " + command + " >'" +
                           out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(line.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ostringstream o, e;
  o << std::ifstream(out).rdbuf();
  e << std::ifstream(err).rdbuf();
  result.out = o.str();
  result.err = e.str();
  return result;
}

// `chancho ARGS` from the build's bin directory.
inline CommandResult RunChancho(const std::string& args,
                                const std::filesystem::path& dir,
                                int timeout_s = 60) {
  return RunShell("'" + (BinDir() / "chancho").string() + "' " + args, dir,
                  timeout_s);
}

// A scratch directory per test under the build tree; whatever a failed test
// left running goes down with its run, and the directory stays for a look.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = BinDir().parent_path() / "test-cli" / info->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    // Whatever a failed test left running goes down with its run.
    RunChancho("down --grace 1000", dir_, 30);
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

}  // namespace chancho::testing
