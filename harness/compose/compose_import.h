#pragma once

// Reading a docker-compose file written by hand (compose file format v2, v3
// or the Compose Specification) into a Spec, so that Chancho can run a
// user's own file: the file itself is what compose runs, as is; the Spec is
// what Chancho knows of it (services, replicas, dependencies, readiness,
// roles) to plan faults and wait for readiness.
//
// What is read, per service (anything else is compose's business):
//   image           ServiceSpec::image. A service with only `build:` gets
//                   "<project>_<service>", the name docker-compose v1 gives
//                   the image it builds (compose v2 names it
//                   "<project>-<service>"; v1's is kept).
//   container_name  ImportedCompose::container_names, and the service is
//                   ServiceSpec::single_instance. With more than one replica
//                   it is an error, as compose refuses it too.
//   replicas        deploy.replicas, else scale, else 1: a non-negative
//                   integer. 0 leaves the service out of the Spec (compose
//                   starts no container for it), and a dependency on it is
//                   dropped: compose does not wait for a service scaled to 0
//                   (docker/compose#9192).
//   depends_on      A list of names, or a map name -> {condition, restart,
//                   required}: the names go to ServiceSpec::depends_on (the
//                   condition is checked, not kept). An unknown name is an
//                   error; so is a dependency on a service whose profiles
//                   are all inactive, unless it says `required: false`
//                   (then it is dropped).
//   healthcheck     ServiceSpec::readiness of kind exec: ["CMD", args...] is
//                   the command, ["CMD-SHELL", "line"] or a plain string
//                   "line" is {"sh", "-c", "line"}; ["NONE"], `disable: true`
//                   or no `test` (the image's own HEALTHCHECK, which Chancho
//                   cannot see) is no readiness. Readiness has one timeout
//                   and no interval of its own (the harness polls at its own
//                   pace), so the durations only size the time allowed:
//                     timeout_s = start_period + retries * (interval + timeout)
//                   with compose's defaults interval 30s, timeout 30s,
//                   retries 3, start_period 0 (180 s with none given). A
//                   zero interval, timeout or retries is the default too, as
//                   Docker reads 0 as "inherit". Durations are compose's
//                   ("1m30s", "10s", "500ms", "1.5h", "0"); start_interval is
//                   checked and not used.
//   environment     A list of "KEY=VALUE" or a map: ServiceSpec::environment.
//                   "KEY" alone (or a null map value) is taken from this
//                   process's environment when set there, else left out. Map
//                   numbers and booleans keep their text ("8080", "true").
//                   `env_file` is not read.
//   profiles        A service with profiles is active only when one of them
//                   is in options.profiles ("*" activates all); inactive
//                   services are left out.
//   labels          The label com.chancho.role sets ServiceSpec::role (a
//                   role: lower-case letters, digits and '-'); otherwise the
//                   role is the service name (lower-cased, other characters
//                   than letters, digits and '-' made '-'). So a service
//                   named "client" is the workload (Chancho's default spare
//                   role).
//   command, entrypoint
//                   Not read: ServiceSpec::command stays empty, because
//                   compose runs the container with the image's or the
//                   file's own command.
// Every other Compose Specification service key (volumes, networks, ports,
// build, restart, ...; the list is kComposeServiceKeys in the .cc) and every
// "x-" key is accepted silently. Any other key of a service becomes a line
// of Spec::warnings, "FILE: services/web/imagee: unknown key \"imagee\"
// ignored", as ParseSpec does; so do unknown keys at the top level, of a
// healthcheck and of a depends_on entry. `extends` and `include` are not
// followed (a warning says so).
//
// Top level: `services` (a non-empty map; required), `version` (ignored),
// `name` (the project name when options.project is empty), `networks`,
// `volumes`, `configs`, `secrets` and "x-" extensions. YAML merge keys
// ("<<: *defaults") are applied. ${VAR} interpolation is not done: values
// are read as written.
//
// Spec::name is the project name and Spec::dir the file's directory.
//
// Errors: chancho::Error with one line, "FILE: PATH: what is wrong", where
// FILE is the path as given and PATH the keys down to the value, e.g.
//   docker-compose.yaml: services/web/deploy/replicas: expected a
//   non-negative integer, got "x"
// A YAML syntax error names its line and column; a document nested deeper
// than 64 levels is refused before it is built (no deep recursion).

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "harness/deploy/deployment.h"
#include "harness/spec/spec.h"

namespace chancho {

struct ComposeImportOptions {
  // Compose project name. Empty: the file's `name`, else the name of the
  // file's directory, lower-cased, keeping only [a-z0-9_-] and without
  // leading '_' or '-' (as compose does).
  std::string project;
  // Active profiles (like --profile or COMPOSE_PROFILES); "*": all.
  std::vector<std::string> profiles;
};

struct ImportedCompose {
  Spec spec;                   // one ServiceSpec per active service, in file
                               // order
  std::filesystem::path file;  // absolute path of the compose file
  std::string project;         // the project name used
  // service -> container_name, for the services of `spec` that set one.
  std::map<std::string, std::string> container_names;
  // service -> the networks the file attaches it to ({"default"} when it
  // lists none; empty with network_mode).
  std::map<std::string, std::vector<std::string>> networks;
};

// The plan of an imported file: Plan(spec), with the file to run as it is
// (Deployment::compose_file) and each fixed container name
// (ReplicaPlan::container_name).
Deployment PlanImported(const ImportedCompose& imported);

// Reads and imports the compose file at `file`. Throws chancho::Error (see
// above) on bad input or when the file cannot be read.
ImportedCompose ImportCompose(const std::filesystem::path& file,
                              const ComposeImportOptions& options);

// The same from text: `file` labels the messages and gives the directory
// (Spec::dir, and the project name when none is given). Pure but for
// reading the process environment for "KEY"-only variables.
ImportedCompose ImportComposeText(std::string_view yaml,
                                  const std::filesystem::path& file,
                                  const ComposeImportOptions& options);

}  // namespace chancho
