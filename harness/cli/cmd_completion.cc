// chancho completion bash: a bash completion script made from the CLI's own
// definition (every subcommand, nested ones too, and their options), so it
// never falls behind the commands. The package installs it as
// share/bash-completion/completions/chancho.

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "harness/cli/commands.h"

namespace chancho::cli {
namespace {

// "sub1 sub2" and "--opt -o ..." of one command.
struct Words {
  std::string commands;
  std::string options;
};

Words WordsOf(const CLI::App* app) {
  Words w;
  for (const CLI::App* sub : app->get_subcommands({})) {
    if (sub->get_group().empty()) continue;  // hidden
    w.commands += (w.commands.empty() ? "" : " ") + sub->get_name();
  }
  for (const CLI::Option* option : app->get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    for (const std::string& name : option->get_lnames()) w.options += " --" + name;
    for (const std::string& name : option->get_snames()) w.options += " -" + name;
  }
  return w;
}

// One case arm per command path ("chancho", "chancho ctl", ...).
void Arms(const CLI::App* app, const std::string& path, std::string& out) {
  const Words w = WordsOf(app);
  out += "    \"" + path + "\") commands=\"" + w.commands + "\"; options=\"" + w.options +
         "\" ;;\n";
  for (const CLI::App* sub : app->get_subcommands({})) {
    if (!sub->get_group().empty()) Arms(sub, path + " " + sub->get_name(), out);
  }
}

std::string BashCompletion(const CLI::App& app) {
  std::string arms;
  Arms(&app, app.get_name(), arms);
  return R"(# bash completion for chancho, made by `chancho completion bash`.
_chancho() {
  local cur=${COMP_WORDS[COMP_CWORD]} path=chancho word commands options i
  # The command path so far: the words that name subcommands.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    case "$word" in -*) continue ;; esac
    _chancho_words "$path"
    case " $commands " in *" $word "*) path="$path $word" ;; esac
  done
  _chancho_words "$path"
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
  elif [[ -n $commands ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
}
_chancho_words() {
  commands="" options=""
  case "$1" in
)" + arms + R"(  esac
}
complete -o filenames -F _chancho chancho
)";
}

}  // namespace

void AddCompletionCommand(CLI::App& app, int& exit_code) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "completion", "Print a shell completion script: chancho completion bash");
  cmd->add_option("shell", *shell, "the shell (bash)")
      ->required()
      ->check(CLI::IsMember({"bash"}));
  // The callback holds `shell`: the option writes into it while parsing.
  cmd->callback([&app, &exit_code, shell] {
    std::cout << BashCompletion(app);
    exit_code = 0;
  });
}

}  // namespace chancho::cli
