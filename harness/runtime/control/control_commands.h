#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/runtime/runtime.h"

namespace chancho {

// Carries out one control-socket request on `runtime` and returns the
// payload of the answer. Requests:
//   ps                      JSON array of ReplicaStatus
//   info                    JSON object: run_dir, project
//   start NAME              starts it and answers once it is ready
//   pause NAME | resume NAME
//   kill NAME [SIGNAL]      SIGNAL as KILL, SIGKILL or 9; default KILL
//   stop NAME [GRACE_MS]    default 10000
//   down [GRACE_MS]         brings everything down, then calls `on_down`
//   links                   JSON array of LinkStatus (link_json.h)
//   link NAME FAULT         FAULT in the text of link_fault_text.h (none
//                           heals); answers the JSON outcome
// Throws chancho::Error for an unknown or malformed request, and whatever
// the runtime throws when an operation does not take effect.
std::string HandleControlRequest(Runtime& runtime, const std::string& request,
                                 const std::function<void()>& on_down);

// "KILL", "SIGKILL", "kill" or "9" -> 9. Throws chancho::Error otherwise.
int ParseSignal(const std::string& text);
std::string SignalName(int signal);
// How an exited replica ended: "code N", a signal's name ("SIGKILL"), or ""
// when neither is known (its container was removed).
std::string ExitText(const ReplicaStatus& status);

std::string StatusesToJson(const std::vector<ReplicaStatus>& statuses);
std::vector<ReplicaStatus> StatusesFromJson(const std::string& json);

// A fixed-width table, one replica per line, with a header.
std::string FormatStatusTable(const std::vector<ReplicaStatus>& statuses);

}  // namespace chancho
