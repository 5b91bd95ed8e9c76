#pragma once

// Triggers: something the system does that a fault event waits for, instead
// of (or before) a time offset.
//
//   log       the Nth line, among the lines of the selected replicas, that
//             matches a regular expression (ECMAScript, searched anywhere
//             in the line);
//   progress  a replica's progress line reached a fraction or a count of
//             its work. Progress lines follow the log-line format:
//               action: progress | result: ... | file: F | done: N | total: M
//             `fraction` compares done/total, `count` compares done;
//             `file`, when given, must equal the line's file field;
//   fault     the targets of an earlier event of the plan (by its id) were
//             all revived (started again after the fault), or revived and
//             ready;
//   exited    every selected replica exited (or, with `any`, the first).
//
// A trigger names replicas with a selector (targeting.h) that is resolved
// against the deployment, never at random: the same deployment gives the
// same replicas. In scenario files and in record.json a trigger is a JSON
// object, one key naming its kind:
//   {"log": "REGEX", "replica": SELECTOR, "nth": 1}
//   {"progress": SELECTOR, "file": "ratings.csv", "fraction": 0.3}
//   {"progress": SELECTOR, "count": 5000}
//   {"fault": "events/0", "when": "revived" | "ready"}   (or an index 0)
//   {"exited": SELECTOR, "any": false}
// plus, where a fault is placed by it, "after": SECONDS (the offset after
// the trigger fired; it is the event's `at`).

#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "harness/faults/targeting.h"

namespace chancho {

class JsonChecker;

struct Trigger {
  enum class Kind { kLog, kProgress, kFault, kExited };
  Kind kind = Kind::kLog;
  Selector replicas;   // log, progress, exited
  std::string regex;   // log
  int nth = 1;         // log: 1 is the first matching line
  std::string file;    // progress: "" matches any file
  double fraction = 0;  // progress: done >= fraction * total, when > 0
  std::int64_t count = 0;  // progress: done >= count, when > 0
  std::string fault;   // fault: the id of an earlier event
  bool ready = false;  // fault: revived and ready, not only revived
  bool any = false;    // exited: the first of the replicas, not all

  bool operator==(const Trigger&) const = default;
};

// One line for logs, the record's descriptions and errors, e.g.
// "log client-1 /credits\.csv/ #1", "progress client-1 ratings.csv 30%",
// "fault events/0 revived", "exited all of prefix:client-".
std::string Describe(const Trigger& trigger);

// The JSON object form above (without "after"), compact.
std::string TriggerToJson(const Trigger& trigger);

// Reads the object form. An integer "fault" N names the scenario's event N
// ("events/N"). An "after" key is left to the caller. Throws chancho::Error
// through `check`, naming `pointer`.
Trigger ParseTrigger(JsonChecker& check, const rapidjson::Value& value,
                     const std::string& pointer);

// A progress line's fields, when `line` is one.
struct Progress {
  std::string file;
  std::int64_t done = 0;
  std::int64_t total = 0;  // 0 when the line has none
};
std::optional<Progress> ParseProgress(std::string_view line);

// Whether a progress line reaches the trigger (kind progress).
bool Reaches(const Trigger& trigger, const Progress& progress);

}  // namespace chancho
