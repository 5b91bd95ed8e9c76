#pragma once

// Faults on containers that something else started, found as `docker ps`
// finds them: the containers of a compose project, or those whose names
// match a regular expression. This is the chaos monkey of the original
// course script, with Chancho's commands: `chancho chaos --compose-project
// NAME` or `--containers REGEX`.
//
// Each container is a replica named like the container; its service and
// role are its compose service (label com.docker.compose.service), or its
// name outside compose. The selection is made again on every Ps(), so a
// container that was recreated or added is seen. Starts are counted from
// the changes of its StartedAt seen by this target. Attached containers
// have no proxied links: network faults are refused with a message.

#include <map>
#include <memory>
#include <string>

#include "harness/faults/fault_target.h"

namespace chancho {

struct ContainerSelection {
  std::string compose_project;  // label com.docker.compose.project
  std::string name_regex;       // ECMAScript, matched anywhere in the name
  std::string docker = "docker";
};

// Throws chancho::Error when neither (or both) of the project and the
// regex is given, or when the regex is not one.
std::unique_ptr<FaultTarget> MakeAttachedTarget(ContainerSelection selection);

// What the selection means, for messages: "compose project P" or
// "containers matching R".
std::string Describe(const ContainerSelection& selection);

}  // namespace chancho
