#pragma once

// What report.html shows, computed from a run record (record.json): one
// lane per replica grouped by service, with its states as spans, its
// readiness, revivals and the faults that hit it as marks; network faults as
// spans; the clients' progress; the recovery times per fault; and the
// comparison. Pure: the HTML (report_html.h) only draws this.
//
// Reads records of every version: a field an older record lacks is left
// empty (the service of a replica is then its name without the replica
// number).

#include <optional>
#include <string>
#include <vector>

namespace chancho {

struct ReportSpan {
  double from_ms = 0;
  double to_ms = 0;
  // "created", "running", "ready", "paused", "exited" (states), "link" (a
  // network fault)
  std::string kind;
  std::string detail;
};

struct ReportMark {
  double at_ms = 0;
  // "fault", "ready", "revival", "done" (a client's completion)
  std::string kind;
  bool ok = true;  // a fault that took effect; a client that exited 0
  std::optional<double> planned_ms;  // faults: the planned time
  int fault = -1;                    // faults: index in the record's faults
  std::string label;                 // short: "kill", "ready", "exit 0"
  std::string detail;
};

struct ReportProgressPoint {
  double at_ms = 0;
  double fraction = 0;  // of the file's total
};

struct ReportProgressLine {
  std::string file;
  std::vector<ReportProgressPoint> points;
  std::string last;  // "ratings.csv 3000/10000"
};

struct ReportLane {
  std::string replica;
  std::string service;
  bool client = false;
  std::vector<ReportSpan> spans;  // states, in time order
  std::vector<ReportSpan> links;  // network faults on this replica
  std::vector<ReportMark> marks;
  std::vector<ReportProgressLine> progress;
};

struct ReportGroup {
  std::string service;
  std::vector<ReportLane> lanes;
};

struct ReportRecovery {
  std::string event;
  std::string kind;
  std::string target;
  double at_ms = 0;
  std::optional<double> to_running;  // none: it did not come back
  std::optional<double> to_ready;
};

struct ReportStats {
  int count = 0;
  double p50 = 0;
  double p99 = 0;
  double max = 0;
};

struct ReportComparison {
  std::string client;
  std::string query;
  std::string status;  // "match", "mismatch", "missing", ...
  std::vector<std::string> diff;
  bool diff_truncated = false;
};

struct ReportModel {
  std::string scenario;
  std::string scenario_file;
  std::string seed;
  std::string runtime;
  std::string spec;
  std::string verdict;
  int exit_code = 1;
  std::string started_at;
  double up_ms = 0;
  double duration_ms = 0;
  std::string run_dir;
  std::string replay_command;

  double t0 = 0;  // the time axis: bring-up starts before the plan's zero
  double t1 = 0;
  std::vector<ReportGroup> groups;
  int lanes = 0;
  int faults = 0;
  int faults_effective = 0;
  int revivals = 0;
  int unapplied = 0;
  std::vector<std::string> triggers;  // "log client-1 ... fired at 1.2 s"

  std::vector<ReportRecovery> recoveries;
  ReportStats to_running;
  ReportStats to_ready;
  std::vector<ReportComparison> comparison;
};

// Throws chancho::Error naming `source` when the text is not a run record.
ReportModel BuildReportModel(const std::string& record_json,
                             const std::string& source);

// "1.250 s": how the report writes a time given in milliseconds.
std::string Seconds(double ms);

// Nearest-rank percentiles of `values` (any order).
ReportStats Stats(std::vector<double> values);

}  // namespace chancho
