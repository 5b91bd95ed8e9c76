#include <iostream>
#include <memory>

#include "harness/cli/cli_common.h"
#include "harness/cli/commands.h"
#include "harness/compose/compose.h"
#include "harness/deploy/deployment.h"

namespace chancho::cli {

void AddComposeCommand(CLI::App& app, int& exit_code) {
  struct Args {
    SpecArgs spec;
    std::string output;
    bool internal = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "compose", "Generate the docker-compose file of a system");
  AddSpecOptions(cmd, args->spec);
  cmd->add_option("-o,--output", args->output,
                  "file to write (default: standard output)");
  cmd->add_flag("--internal", args->internal,
                "make the network internal (no egress)");
  cmd->callback([args, &exit_code] {
    const Deployment deployment = Plan(LoadSpecArgument(args->spec));
    ComposeOptions options;
    options.internal_network = args->internal;
    if (args->output.empty()) {
      options.output_dir = std::filesystem::current_path();
      std::cout << RenderCompose(deployment, options);
    } else {
      const auto file = std::filesystem::absolute(args->output);
      options.output_dir = file.parent_path();
      WriteCompose(deployment, options, file);
      std::cerr << "wrote " << args->output << " (" << deployment.replicas.size()
                << " services)\n";
    }
    exit_code = 0;
  });
}

}  // namespace chancho::cli
