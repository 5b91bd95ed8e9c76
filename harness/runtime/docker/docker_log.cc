#include "harness/runtime/docker/docker_log.h"

#include <system_error>
#include <vector>

#include "harness/runtime/run_dir.h"

namespace chancho {

DockerLog::DockerLog(std::string docker, std::string container,
                     std::filesystem::path path)
    : docker_(std::move(docker)),
      container_(std::move(container)),
      path_(std::move(path)) {}

DockerLog::~DockerLog() = default;

std::uintmax_t DockerLog::FollowNewRun(const std::string& since,
                                       std::chrono::milliseconds drain) {
  // The lines of two runs must not interleave in the file.
  StopFollowing(drain);
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path_, ec);
  std::vector<std::string> args = {docker_, "logs", "--follow"};
  if (!since.empty()) {
    args.push_back("--since");
    args.push_back(since);
  }
  args.push_back(container_);
  follower_ = std::make_unique<BackgroundCommand>(args, path_);
  return ec ? 0 : size;
}

void DockerLog::StopFollowing(std::chrono::milliseconds timeout) {
  if (!follower_) return;
  if (!follower_->Wait(timeout)) follower_->Kill();
  follower_.reset();
}

void DockerLog::Replace(const std::string& text) {
  WriteFileAtomically(path_, text);
}

}  // namespace chancho
