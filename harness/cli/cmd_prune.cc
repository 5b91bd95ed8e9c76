// chancho prune [--runs-root DIR] [--older-than 7d] [--keep N] [--dry-run]:
// removes old run directories (logs, records, results, storage), never a
// live one. Without --older-than or --keep, runs older than 7 days go.

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"
#include "harness/cli/json_out.h"
#include "harness/runtime/run_prune.h"

namespace chancho::cli {
namespace {

std::uintmax_t SizeOf(const std::filesystem::path& dir) {
  std::uintmax_t bytes = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(
           dir, std::filesystem::directory_options::skip_permission_denied, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) bytes += it->file_size(ec);
  }
  return bytes;
}

}  // namespace

void AddPruneCommand(CLI::App& app, int& exit_code) {
  struct Args {
    std::string runs_root = ".chancho/runs";
    std::chrono::milliseconds older_than{0};
    std::optional<int> keep;
    bool dry_run = false;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "prune", "Remove old run directories (never a live run's)");
  cmd->add_option("--runs-root", args->runs_root, "where the run directories are")
      ->capture_default_str();
  CLI::Option* older = AddDurationOption(cmd, "--older-than", args->older_than,
                                         "runs started longer ago than this (default 7d "
                                         "without --keep)",
                                         std::chrono::hours(24));
  older->default_str("");
  cmd->add_option("--keep", args->keep, "keep the newest N runs")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--dry-run", args->dry_run, "say what would go, remove nothing");
  cmd->add_flag("--json", args->json, "print one JSON object (schema chancho.prune/1)");
  cmd->callback([args, cmd, &exit_code] {
    PruneOptions options;
    options.keep = args->keep;
    if (cmd->count("--older-than") > 0) {
      options.older_than = args->older_than;
    } else if (!args->keep) {
      options.older_than = std::chrono::hours(24 * 7);
    }
    const std::filesystem::path root = args->runs_root;
    std::vector<std::string> runs, live;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
      if (!entry.is_directory()) continue;
      const std::string name = entry.path().filename().string();
      runs.push_back(name);
      if (RunIsLive(entry.path())) live.push_back(name);
    }
    if (ec && ec != std::errc::no_such_file_or_directory) {
      throw Error(root.string() + ": cannot list: " + ec.message());
    }
    const auto selected =
        SelectRunsToPrune(runs, live, std::chrono::system_clock::now(), options);
    std::uintmax_t freed = 0;
    std::vector<std::string> failures;
    for (const std::string& name : selected) {
      const auto dir = root / name;
      const std::uintmax_t bytes = SizeOf(dir);
      std::error_code removed;
      if (!args->dry_run) std::filesystem::remove_all(dir, removed);
      if (removed) {
        failures.push_back(dir.string() + ": " + removed.message());
        continue;
      }
      freed += bytes;
      if (!args->json) {
        std::cout << "action: prune_run | result: " << (args->dry_run ? "dry_run" : "success")
                  << " | run: " << dir.string() << "\n";
      }
    }
    for (const auto& failure : failures) {
      if (!args->json) std::cout << "action: prune_run | result: fail | error: " << failure << "\n";
    }
    const int removed = static_cast<int>(selected.size() - failures.size());
    if (args->json) {
      JsonOut json("chancho.prune/1");
      json.Field("runs_root", std::filesystem::absolute(root).string())
          .Field("dry_run", args->dry_run)
          .Field("removed", removed)
          .Field("kept", static_cast<int>(runs.size()) - removed)
          .Field("live", static_cast<int>(live.size()))
          .Field("freed_bytes", static_cast<std::uint64_t>(freed))
          .StartArray("failures");
      for (const auto& failure : failures) json.String(failure);
      json.EndArray().Field("ok", failures.empty());
      std::cout << json.Done();
    } else {
      std::cout << "action: prune | result: "
                << (!failures.empty() ? "fail" : args->dry_run ? "dry_run" : "success")
                << " | removed: " << removed << " | kept: " << runs.size() - removed
                << " | live: " << live.size() << " | freed_mb: " << freed / (1024 * 1024)
                << "\n";
    }
    exit_code = failures.empty() ? 0 : 1;
  });
}

}  // namespace chancho::cli
