#pragma once

// report.html: one self-contained file per run (inline CSS, SVG and a
// little JS; nothing fetched), readable from a CI artifact with file://.
// It shows the header (scenario, seed, runtime, spec, verdict, duration,
// the replay command), the timeline (report_model.h), the recovery table
// and the comparison. Every mark and span carries its details: a tooltip on
// hover, the detail panel on click.
//
// The page marks itself for tests and tools: <body data-verdict=...
// data-lanes=N data-faults=M>, each lane a <g class="lane">, each fault a
// <g class="fault">; once its script ran, data-report-ready="yes" and
// data-load-ms (the browser's time to that point); a script error is listed
// in #js-errors and counted in data-js-errors.

#include <filesystem>
#include <string>

#include "harness/record/report_model.h"

namespace chancho {

std::string RenderReportHtml(const ReportModel& model);

// The report of a record's JSON text. Throws chancho::Error naming `source`
// when the text is not a run record.
std::string ReportHtml(const std::string& record_json,
                       const std::string& source = "record.json");

// Reads `record` (a record.json, or a run directory holding one) and writes
// the report to `out` (empty: report.html beside the record). Returns the
// path written. Throws chancho::Error naming the file.
std::filesystem::path WriteReport(const std::filesystem::path& record,
                                  const std::filesystem::path& out = {});

}  // namespace chancho
