#pragma once

#include <rapidjson/document.h>

#include <filesystem>

namespace chancho {

// A service-defaults file fills a spec that names its services but not how
// to run them (the original generator's compose-spec.json has no command,
// image or role). Its form:
//   {
//     "aliases": {"machine-learning": "sentiment"},
//     "services": {"sentiment": {"role": "worker", "command": [...], ...}},
//     "add": [{"name": "rabbitmq", ...}],
//     "spare": [...], "keep_one": [...]
//   }
// - "aliases": a service the spec names by the key is renamed to the value,
//   and so is every reference to it (depends_on, *_output_nodes).
// - "services": keys each service of that name gets where the spec has
//   none of its own; the spec's keys win.
// - "add": whole services, added when the spec has none of that name.
// - any other top-level key: the spec's when it has none.
// A relative "source" of a config file in the defaults is relative to the
// defaults file. Errors name the defaults file and the JSON pointer.

// Applies the defaults in `defaults_file` to the parsed spec document
// `spec` (its top-level "defaults" key is removed). Throws chancho::Error.
void ApplyServiceDefaults(rapidjson::Document& spec,
                          const std::filesystem::path& defaults_file);

}  // namespace chancho
