#include <fstream>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"

namespace chancho::cli {
namespace {

// The last `count` lines of a file (all of it when count < 0).
std::vector<std::string> Tail(const std::filesystem::path& path, int count) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(std::move(line));
    if (count >= 0 && lines.size() > static_cast<std::size_t>(count)) {
      lines.erase(lines.begin());
    }
  }
  return lines;
}

}  // namespace

void AddLogsCommand(CLI::App& app, int& exit_code) {
  struct Args {
    std::string run;
    std::vector<std::string> replicas;
    int tail = -1;
    bool follow = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "logs", "Print the logs of replicas of a run (live or finished)");
  AddRunOption(cmd, args->run);
  cmd->add_option("replicas", args->replicas,
                  "replica names (default: all, each line prefixed)");
  cmd->add_option("-n,--tail", args->tail, "only the last N lines of each");
  cmd->add_flag("-f,--follow", args->follow,
                "keep printing what one replica appends (Ctrl-C ends)");
  cmd->callback([args, &exit_code] {
    const auto run_dir = LocateRun(args->run);
    const auto logs = run_dir / "logs";
    std::vector<std::string> names = args->replicas;
    if (names.empty()) {
      for (const auto& entry : std::filesystem::directory_iterator(logs)) {
        if (entry.path().extension() == ".log") {
          names.push_back(entry.path().stem().string());
        }
      }
      std::sort(names.begin(), names.end());
    }
    if (args->follow && names.size() != 1) {
      throw Error("--follow takes exactly one replica");
    }
    for (const std::string& name : names) {
      const auto path = logs / (name + ".log");
      if (!std::filesystem::exists(path)) {
        throw Error("no log for replica \"" + name + "\" in " + logs.string());
      }
      for (const std::string& line : Tail(path, args->tail)) {
        if (names.size() > 1) std::cout << name << " | ";
        std::cout << line << "\n";
      }
    }
    if (args->follow) {
      std::ifstream in(logs / (names[0] + ".log"), std::ios::binary);
      in.seekg(0, std::ios::end);
      for (;;) {
        std::string line;
        while (std::getline(in, line)) std::cout << line << "\n" << std::flush;
        in.clear();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    exit_code = 0;
  });
}

}  // namespace chancho::cli
