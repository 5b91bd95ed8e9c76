#pragma once

#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "common/subprocess.h"
#include "harness/runtime/docker/docker_inspect.h"

namespace chancho {

// The engine's events about the run's containers, from `docker events`:
// replayed from just before it was started, so that nothing between the
// start of the command and its subscription is missed.
class DockerEvents {
 public:
  using Handler = std::function<void(const ContainerEvent&)>;

  DockerEvents(const std::string& docker, const std::string& run_label,
               Handler handler)
      : handler_(std::move(handler)) {
    const auto since =
        std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch()).count() - 1;
    stream_ = std::make_unique<LineStream>(
        std::vector<std::string>{docker, "events", "--format", "{{json .}}",
                                 "--filter", "type=container", "--filter",
                                 "label=" + run_label, "--since",
                                 std::to_string(since)},
        [this](const std::string& line) { OnLine(line); }, [] {});
  }

  bool Running() const { return stream_->Running(); }

 private:
  void OnLine(const std::string& line) {
    try {
      if (auto event = ParseContainerEvent(line)) handler_(*event);
    } catch (const std::exception& e) {
      std::cerr << "warning: docker events: " << e.what() << "\n";
    }
  }

  Handler handler_;
  std::unique_ptr<LineStream> stream_;  // last: stopped first
};

}  // namespace chancho
