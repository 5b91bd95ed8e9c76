#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/subprocess.h"

namespace chancho {

// The log file of one container, <run_dir>/logs/<replica>.log, fed by a
// `docker logs -f` per run of the container, so that log-line readiness
// and log waits read a file that grows, as under ProcessRuntime. A
// follower ends by itself when its run ends. Not thread-safe: the owner
// serialises calls.
class DockerLog {
 public:
  DockerLog(std::string docker, std::string container,
            std::filesystem::path path);
  ~DockerLog();  // kills a follower that still runs

  // A new run of the container was seen. Lets the previous follower finish
  // the previous run (at most `drain`), then follows the new run: its lines
  // are those after `since` (RFC 3339; the previous run's FinishedAt), or
  // all lines when `since` is empty. Returns the file's size before the
  // new run's lines. Throws chancho::Error when `docker logs` cannot start.
  std::uintmax_t FollowNewRun(const std::string& since,
                              std::chrono::milliseconds drain);

  // The container whose next run FollowNewRun follows: a Swarm task's
  // container is new with each run of the replica.
  void SetContainer(std::string container) { container_ = std::move(container); }

  // Waits at most `timeout` for the follower to end (its run ended), then
  // kills it.
  void StopFollowing(std::chrono::milliseconds timeout);

  // Replaces the file with `text` (the whole `docker logs`), atomically.
  void Replace(const std::string& text);

  const std::filesystem::path& path() const { return path_; }

 private:
  std::string docker_;
  std::string container_;
  std::filesystem::path path_;
  std::unique_ptr<BackgroundCommand> follower_;
};

}  // namespace chancho
