// `chancho collect [RUN_DIR...] -o bundle.tar.gz`: what a failure needs, in
// one file to attach to a CI job or an issue: the run directories (logs,
// record.json, results, the report), the engine's report and the versions.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>

#include "common/error.h"
#include "common/subprocess.h"
#include "common/version.h"
#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"

namespace chancho::cli {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

// Files above this size are listed in MANIFEST.txt instead of packed.
constexpr std::uintmax_t kMaxFileBytes = 64ull << 20;

// A directory removed with everything in it when the object goes.
class Scratch {
 public:
  Scratch() {
    std::random_device random;
    path_ = fs::temp_directory_path() /
            ("chancho-collect-" + std::to_string(::getpid()) + "-" +
             std::to_string(random()));
    fs::create_directories(path_);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The output of each command, headed by its line; a command that fails or
// is missing says so instead.
std::string Report(const std::vector<std::vector<std::string>>& commands) {
  std::string out;
  for (const auto& argv : commands) {
    out += "$ " + CommandLine(argv) + "\n";
    try {
      const CommandResult r = RunCommand(argv, {seconds(20), true});
      out += r.out;
      if (r.timed_out) out += "(timed out after 20 s)\n";
      else if (r.exit_code != 0) out += "(exit " + std::to_string(r.exit_code) + ")\n";
    } catch (const std::exception& e) {
      out += std::string("(not run: ") + e.what() + ")\n";
    }
    out += "\n";
  }
  return out;
}

// Copies the regular files and directories of `from` to `to`; sockets,
// pipes and oversized files are listed in `manifest` instead.
void CopyTree(const fs::path& from, const fs::path& to, std::ofstream& manifest) {
  fs::create_directories(to);
  for (auto it = fs::recursive_directory_iterator(
           from, fs::directory_options::skip_permission_denied);
       it != fs::recursive_directory_iterator(); ++it) {
    std::error_code ec;
    const fs::path target = to / fs::relative(it->path(), from, ec);
    const auto status = it->symlink_status(ec);
    if (fs::is_directory(status)) {
      fs::create_directories(target, ec);
    } else if (fs::is_regular_file(status)) {
      const auto size = it->file_size(ec);
      if (size > kMaxFileBytes) {
        manifest << "left out (" << size << " bytes): " << it->path().string() << "\n";
        continue;
      }
      fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing, ec);
      if (ec) manifest << "unreadable: " << it->path().string() << ": " << ec.message() << "\n";
    } else if (fs::is_symlink(status)) {
      fs::copy_symlink(it->path(), target, ec);
    } else {
      manifest << "left out (not a file): " << it->path().string() << "\n";
    }
  }
}

// The newest run under .chancho/runs, live or not (run ids start with
// their UTC time, so the newest sorts last).
fs::path NewestRun() {
  const fs::path root = ".chancho/runs";
  std::vector<fs::path> runs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (entry.is_directory()) runs.push_back(entry.path());
  }
  if (runs.empty()) {
    throw Error("no run under " + fs::absolute(root).string() +
                "; name the run directories to collect");
  }
  return fs::absolute(*std::max_element(runs.begin(), runs.end()));
}

}  // namespace

void AddCollectCommand(CLI::App& app, int& exit_code) {
  struct Args {
    std::vector<std::string> runs;
    std::string output = "chancho-bundle.tar.gz";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "collect",
      "Pack what a failure needs into one archive: the run directories "
      "(logs, record.json, results), the Docker engine's report and the "
      "versions");
  cmd->add_option("runs", args->runs,
                  "run directories, or directories of runs (default: the "
                  "newest run under .chancho/runs)");
  cmd->add_option("-o,--output", args->output, "the archive to write (.tar.gz)");
  cmd->callback([args, &exit_code] {
    std::vector<fs::path> runs;
    for (const std::string& run : args->runs) {
      if (!fs::is_directory(run)) throw Error(run + ": not a directory");
      runs.push_back(fs::absolute(run).lexically_normal());
    }
    if (runs.empty()) runs.push_back(NewestRun());
    Scratch scratch;
    const fs::path bundle = scratch.path() / "chancho-bundle";
    fs::create_directories(bundle / "runs");
    std::ofstream manifest(bundle / "MANIFEST.txt");
    manifest << "chancho " << kVersion << " collect\n";
    for (std::size_t i = 0; i < runs.size(); ++i) {
      // Numbered, so that two runs with the same name do not collide.
      const fs::path to = bundle / "runs" /
                          (std::to_string(i + 1) + "-" + runs[i].filename().string());
      manifest << "run: " << runs[i].string() << " -> runs/" << to.filename().string() << "\n";
      CopyTree(runs[i], to, manifest);
    }
    std::ofstream(bundle / "versions.txt")
        << "chancho " << kVersion << "\n"
        << Report({{"uname", "-a"},
                   {"cat", "/etc/os-release"},
                   {"docker", "version"},
                   {"docker-compose", "version"},
                   {"docker", "compose", "version"}});
    std::ofstream(bundle / "engine.txt")
        << Report({{"docker", "info"},
                   {"docker", "ps", "-a"},
                   {"docker", "network", "ls"},
                   {"docker", "service", "ls"},
                   {"docker", "images"}});
    manifest.close();
    const fs::path output = fs::absolute(args->output);
    if (output.has_parent_path()) fs::create_directories(output.parent_path());
    RunChecked({"tar", "-czf", output.string(), "-C", scratch.path().string(),
                "chancho-bundle"},
               {seconds(300)});
    std::cout << "action: collect | result: success | runs: " << runs.size()
              << " | bundle: " << output.string() << std::endl;
    exit_code = 0;
  });
}

}  // namespace chancho::cli
