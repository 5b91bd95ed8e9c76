#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"
#include "harness/cli/json_out.h"
#include "harness/runtime/control/control_commands.h"

namespace chancho::cli {

void AddWaitCommand(CLI::App& app, int& exit_code) {
  struct Args {
    std::string run;
    std::vector<std::string> replicas;
    std::chrono::milliseconds timeout{60000};
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "wait",
      "Wait until replicas of a live run have exited; succeed only if all "
      "exited with code 0");
  AddRunOption(cmd, args->run);
  cmd->add_option("replicas", args->replicas, "replica names")->required();
  AddDurationOption(cmd, "--timeout", args->timeout, "how long to wait",
                    std::chrono::seconds(1));
  cmd->add_flag("--json", args->json, "print one JSON object (schema chancho.wait/1)");
  cmd->callback([args, &exit_code] {
    const auto run_dir = LocateRun(args->run);
    const auto deadline =
        std::chrono::steady_clock::now() +
        args->timeout;
    for (;;) {
      const auto statuses = StatusesFromJson(Request(run_dir, "ps"));
      std::vector<const ReplicaStatus*> waited;
      for (const std::string& name : args->replicas) {
        const auto it = std::find_if(
            statuses.begin(), statuses.end(),
            [&](const ReplicaStatus& s) { return s.name == name; });
        if (it == statuses.end()) throw Error("no replica named \"" + name + "\"");
        waited.push_back(&*it);
      }
      const bool all_exited =
          std::all_of(waited.begin(), waited.end(), [](const ReplicaStatus* s) {
            return s->state == ReplicaState::kExited;
          });
      const bool timed_out = !all_exited && std::chrono::steady_clock::now() > deadline;
      if (args->json && (all_exited || timed_out)) {
        JsonOut out("chancho.wait/1");
        bool all_zero = all_exited;
        out.Field("run_dir", run_dir.string()).Field("timed_out", timed_out);
        out.StartArray("replicas");
        for (const ReplicaStatus* s : waited) {
          all_zero = all_zero && s->state == ReplicaState::kExited && s->exit_code == 0;
          out.StartObject()
              .Field("name", s->name)
              .Field("state", std::string(ToString(s->state)))
              .Field("exit_code", s->state == ReplicaState::kExited ? s->exit_code
                                                                   : std::nullopt)
              .Field("signal", s->term_signal ? std::optional<std::string>(
                                                    SignalName(*s->term_signal))
                                              : std::nullopt)
              .EndObject();
        }
        out.EndArray().Field("ok", all_zero);
        std::cout << out.Done();
        exit_code = all_zero ? 0 : 1;
        return;
      }
      if (all_exited) {
        bool all_zero = true;
        for (const ReplicaStatus* s : waited) {
          const bool zero = s->exit_code == 0;
          all_zero = all_zero && zero;
          std::cout << "action: wait_exit | result: "
                    << (zero ? "success" : "fail") << " | replica: " << s->name
                    << " | exit: "
                    << (s->term_signal ? SignalName(*s->term_signal)
                                       : std::to_string(s->exit_code.value_or(-1)))
                    << "\n";
        }
        exit_code = all_zero ? 0 : 1;
        return;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        throw Error("replicas still running after " +
                    DurationText(args->timeout));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
}

}  // namespace chancho::cli
