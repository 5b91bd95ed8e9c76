#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
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

// What a line is printed with: the replica's name padded to the longest
// (as compose does) when several are shown, and the time it was read when
// asked.
struct Prefixer {
  bool names = false;
  std::size_t width = 0;
  bool timestamps = false;

  std::string operator()(const std::string& name) const {
    std::string prefix;
    if (timestamps) prefix += UtcNow() + " ";
    if (names) prefix += name + std::string(width - name.size(), ' ') + " | ";
    return prefix;
  }

  static std::string UtcNow() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[40];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        now.time_since_epoch()).count() % 1000;
    char millis[8];
    std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms));
    return std::string(text) + millis;
  }
};

// Prints what each log gains until the run is no longer live (its control
// socket is gone) or Ctrl-C. Only whole lines: a line still being written
// waits for its end.
void Follow(const std::filesystem::path& logs, const std::filesystem::path& run_dir,
            const std::vector<std::string>& names, const Prefixer& prefix) {
  struct Followed {
    std::string name;
    std::ifstream in;
    std::string partial;
  };
  std::vector<Followed> followed;
  for (const std::string& name : names) {
    Followed f{name, std::ifstream(logs / (name + ".log"), std::ios::binary), ""};
    f.in.seekg(0, std::ios::end);
    followed.push_back(std::move(f));
  }
  for (bool live = true; live;) {
    // The last round reads what was written before the run ended.
    live = std::filesystem::exists(run_dir / "control");
    for (Followed& f : followed) {
      char buffer[8192];
      while (f.in.read(buffer, sizeof buffer) || f.in.gcount() > 0) {
        f.partial.append(buffer, static_cast<std::size_t>(f.in.gcount()));
      }
      f.in.clear();
      std::size_t begin = 0;
      for (std::size_t end; (end = f.partial.find('\n', begin)) != std::string::npos;
           begin = end + 1) {
        std::cout << prefix(f.name) << f.partial.substr(begin, end - begin) << "\n";
      }
      f.partial.erase(0, begin);
    }
    std::cout << std::flush;
    if (live) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

void AddLogsCommand(CLI::App& app, int& exit_code) {
  struct Args {
    std::string run;
    std::vector<std::string> replicas;
    int tail = -1;
    bool follow = false;
    bool timestamps = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "logs", "Print the logs of replicas of a run (live or finished)");
  AddRunOption(cmd, args->run);
  cmd->add_option("replicas", args->replicas,
                  "replica names (default: all; with several, each line is "
                  "prefixed with its replica)");
  cmd->add_option("-n,--tail", args->tail, "only the last N lines of each");
  cmd->add_flag("-f,--follow", args->follow,
                "keep printing what the replicas append, until the run ends "
                "(or Ctrl-C)");
  cmd->add_flag("-t,--timestamps", args->timestamps,
                "prefix each line with the UTC time it was read (with -f, "
                "within 0.1 s of when it was written; the log files hold no "
                "times of their own)");
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
    Prefixer prefix;
    prefix.names = names.size() > 1;
    prefix.timestamps = args->timestamps;
    for (const std::string& name : names) {
      prefix.width = std::max(prefix.width, name.size());
      if (!std::filesystem::exists(logs / (name + ".log"))) {
        throw Error("no log for replica \"" + name + "\" in " + logs.string());
      }
    }
    for (const std::string& name : names) {
      for (const std::string& line : Tail(logs / (name + ".log"), args->tail)) {
        std::cout << prefix(name) << line << "\n";
      }
    }
    if (args->follow) Follow(logs, run_dir, names, prefix);
    exit_code = 0;
  });
}

}  // namespace chancho::cli
