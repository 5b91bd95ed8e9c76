#include "harness/record/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/error.h"
#include "common/file_text.h"
#include "harness/record/report_assets.h"

namespace chancho {
namespace {

constexpr double kLabelWidth = 240;
constexpr double kPlotWidth = 1100;
constexpr double kLaneHeight = 16;
constexpr double kLaneGap = 3;
constexpr double kGroupHeight = 18;
constexpr double kAxisHeight = 22;

std::string Escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Num(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

std::string Ms(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f ms", ms);
  return text;
}

// A tick step of 1, 2 or 5 times a power of ten, about ten ticks.
double TickStep(double range) {
  const double raw = range / 10;
  const double power = std::pow(10, std::floor(std::log10(std::max(raw, 1.0))));
  for (double m : {1.0, 2.0, 5.0}) {
    if (raw <= m * power) return m * power;
  }
  return 10 * power;
}

class Timeline {
 public:
  explicit Timeline(const ReportModel& m) : m_(m) {}

  std::string Svg() {
    double lanes_height = 0;
    for (const auto& g : m_.groups) {
      lanes_height += kGroupHeight + g.lanes.size() * (kLaneHeight + kLaneGap);
    }
    const double height = kAxisHeight + lanes_height + 8;
    out_ += "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
            Num(kLabelWidth + kPlotWidth + 20) + "\" height=\"" + Num(height) +
            "\" role=\"img\" aria-label=\"timeline\">";
    Axis(height);
    double y = kAxisHeight;
    for (const auto& g : m_.groups) {
      out_ += "<g class=\"group\" data-service=\"" + Escape(g.service) + "\">";
      out_ += "<text class=\"group-label\" x=\"4\" y=\"" + Num(y + 13) + "\">" +
              Escape(g.service) + "</text>";
      y += kGroupHeight;
      for (const auto& lane : g.lanes) {
        Lane(lane, y);
        y += kLaneHeight + kLaneGap;
      }
      out_ += "</g>";
    }
    out_ += "</svg>";
    return std::move(out_);
  }

 private:
  double X(double ms) const {
    const double range = std::max(1.0, m_.t1 - m_.t0);
    return kLabelWidth + (ms - m_.t0) / range * kPlotWidth;
  }

  void Axis(double height) {
    out_ += "<g class=\"axis\">";
    const double step = TickStep(m_.t1 - m_.t0);
    // At most a few dozen ticks, whatever the numbers (a step too small to
    // move a huge time would never end the loop).
    int ticks = 0;
    for (double t = std::ceil(m_.t0 / step) * step; t <= m_.t1 && ticks < 40;
         t += step, ++ticks) {
      out_ += "<line x1=\"" + Num(X(t)) + "\" x2=\"" + Num(X(t)) + "\" y1=\"" +
              Num(kAxisHeight - 4) + "\" y2=\"" + Num(height) + "\"/>";
      out_ += "<text x=\"" + Num(X(t) + 2) + "\" y=\"12\">" +
              Escape(Seconds(t).substr(0, Seconds(t).find('.') + 2)) + "</text>";
    }
    out_ += "</g><line class=\"zero\" x1=\"" + Num(X(0)) + "\" x2=\"" + Num(X(0)) +
            "\" y1=\"" + Num(kAxisHeight - 6) + "\" y2=\"" + Num(height) +
            "\"><title>the plan starts: clients and faults</title></line>";
  }

  void Rect(const std::string& cls, double from, double to, double y, double h,
            const std::string& detail) {
    const double x = X(from);
    const double w = std::max(1.0, X(to) - x);
    out_ += "<rect class=\"" + cls + "\" x=\"" + Num(x) + "\" y=\"" + Num(y) +
            "\" width=\"" + Num(w) + "\" height=\"" + Num(h) + "\" data-detail=\"" +
            Escape(detail) + "\"><title>" + Escape(detail) + "</title></rect>";
  }

  void Lane(const ReportLane& lane, double y) {
    out_ += "<g class=\"lane" + std::string(lane.client ? " client" : "") +
            "\" data-replica=\"" + Escape(lane.replica) + "\" data-service=\"" +
            Escape(lane.service) + "\">";
    out_ += "<text x=\"14\" y=\"" + Num(y + 12) + "\">" + Escape(lane.replica) +
            "</text>";
    out_ += "<rect class=\"lane-bg\" x=\"" + Num(kLabelWidth) + "\" y=\"" + Num(y) +
            "\" width=\"" + Num(kPlotWidth) + "\" height=\"" + Num(kLaneHeight) + "\"/>";
    for (const auto& s : lane.spans) {
      Rect("state s-" + s.kind, s.from_ms, s.to_ms, y + 2, kLaneHeight - 4,
           lane.replica + ": " + s.detail);
    }
    for (const auto& s : lane.links) {
      Rect("link", s.from_ms, s.to_ms, y, kLaneHeight, s.detail);
    }
    for (const auto& p : lane.progress) {
      if (p.points.empty()) continue;
      std::string points;
      for (const auto& pt : p.points) {
        points += Num(X(pt.at_ms)) + "," + Num(y + kLaneHeight - 1 - pt.fraction * (kLaneHeight - 2)) + " ";
      }
      out_ += "<polyline class=\"progress\" points=\"" + points + "\" data-detail=\"" +
              Escape(lane.replica + " progress: " + p.last) + "\"><title>" +
              Escape(lane.replica + " progress: " + p.last) + "</title></polyline>";
    }
    for (const auto& mark : lane.marks) Mark(mark, y);
    out_ += "</g>";
  }

  void Mark(const ReportMark& mark, double y) {
    const double x = X(mark.at_ms);
    const double mid = y + kLaneHeight / 2;
    const std::string detail = Escape(mark.detail);
    if (mark.kind == "fault") {
      out_ += "<g class=\"fault " + std::string(mark.ok ? "ok" : "failed") +
              "\" data-fault=\"" + std::to_string(mark.fault) + "\" data-kind=\"" +
              Escape(mark.label) + "\" data-detail=\"" + detail + "\"><title>" +
              detail + "</title>";
      if (mark.planned_ms && std::abs(*mark.planned_ms - mark.at_ms) >= 1) {
        const double px = X(*mark.planned_ms);
        out_ += "<line class=\"ghost\" x1=\"" + Num(px) + "\" x2=\"" + Num(x) +
                "\" y1=\"" + Num(mid) + "\" y2=\"" + Num(mid) + "\"/>";
        out_ += "<circle class=\"ghost-dot\" cx=\"" + Num(px) + "\" cy=\"" + Num(mid) +
                "\" r=\"3\"/>";
      }
      out_ += "<path class=\"mark\" d=\"M" + Num(x) + " " + Num(y) + " l5 " +
              Num(kLaneHeight / 2) + " l-5 " + Num(kLaneHeight / 2) + " l-5 -" +
              Num(kLaneHeight / 2) + "z\"/></g>";
      return;
    }
    const std::string cls = "mark m-" + mark.kind + (mark.ok ? "" : " bad");
    if (mark.kind == "done") {
      out_ += "<rect class=\"" + cls + "\" x=\"" + Num(x - 1.5) + "\" y=\"" + Num(y) +
              "\" width=\"3\" height=\"" + Num(kLaneHeight) + "\" data-detail=\"" +
              detail + "\"><title>" + detail + "</title></rect>";
    } else {
      out_ += "<circle class=\"" + cls + "\" cx=\"" + Num(x) + "\" cy=\"" +
              Num(mark.kind == "ready" ? y + 3 : y + kLaneHeight - 3) +
              "\" r=\"2.5\" data-detail=\"" + detail + "\"><title>" + detail +
              "</title></circle>";
    }
  }

  const ReportModel& m_;
  std::string out_;
};

std::string Header(const ReportModel& m) {
  const bool pass = m.exit_code == 0;
  std::string h = "<header><h1>" + Escape(m.scenario.empty() ? "chancho run" : m.scenario) +
                  " <span id=\"verdict\" class=\"verdict " +
                  (pass ? "v-match" : "v-fail") + "\">" +
                  Escape(m.verdict.empty() ? "unknown" : m.verdict) +
                  "</span></h1><dl class=\"head\">";
  const auto row = [&](const std::string& name, const std::string& value) {
    if (!value.empty()) h += "<dt>" + name + "</dt><dd>" + Escape(value) + "</dd>";
  };
  row("scenario file", m.scenario_file);
  row("seed", m.seed);
  row("runtime", m.runtime);
  row("spec", m.spec);
  row("started", m.started_at);
  // Older records have neither.
  if (m.up_ms > 0) row("bring-up", Seconds(m.up_ms));
  if (m.duration_ms > 0) row("run", Seconds(m.duration_ms));
  row("faults", std::to_string(m.faults) + " applied, " +
                    std::to_string(m.faults_effective) + " took effect, " +
                    std::to_string(m.unapplied) + " not applied");
  row("revivals", std::to_string(m.revivals));
  row("run directory", m.run_dir);
  row("replay", m.replay_command);
  return h + "</dl></header>";
}

std::string Legend() {
  std::string l = "<p class=\"legend\">";
  for (const auto& [cls, name] :
       std::vector<std::pair<std::string, std::string>>{
           {"s-created", "created"}, {"s-running", "running, not ready"},
           {"s-ready", "ready"}, {"s-paused", "paused"}, {"s-exited", "exited"},
           {"link", "network fault"}}) {
    l += "<span><svg width=\"12\" height=\"10\"><rect class=\"" + cls +
         "\" width=\"12\" height=\"10\"/></svg> " + name + "</span>";
  }
  return l +
         "<span>&#9670; fault (hollow: did not take effect; faint dot: planned "
         "time)</span><span>&#9679; top: ready, bottom: revived</span>"
         "<span>| client done</span><span>&#9585; client progress</span></p>";
}

std::string StatRow(const std::string& name, const ReportStats& s) {
  if (s.count == 0) return "<tr><td>" + name + "</td><td class=\"num\">0</td><td colspan=\"3\">none</td></tr>";
  return "<tr><td>" + name + "</td><td class=\"num\">" + std::to_string(s.count) +
         "</td><td class=\"num\">" + Ms(s.p50) + "</td><td class=\"num\">" + Ms(s.p99) +
         "</td><td class=\"num\">" + Ms(s.max) + "</td></tr>";
}

std::string RecoveryTable(const ReportModel& m) {
  std::string t = "<section id=\"recovery\"><h2>Recovery</h2>";
  if (m.recoveries.empty()) return t + "<p>No kill, stop or restart took effect.</p></section>";
  t += "<table><tr><th></th><th>n</th><th>p50</th><th>p99</th><th>max</th></tr>" +
       StatRow("fault &rarr; running", m.to_running) +
       StatRow("fault &rarr; ready", m.to_ready) + "</table>";
  t += "<details><summary>per fault (" + std::to_string(m.recoveries.size()) +
       ")</summary><table><tr><th>event</th><th>fault</th><th>target</th><th>at</th>"
       "<th>&rarr; running</th><th>&rarr; ready</th></tr>";
  const auto opt = [](const std::optional<double>& v) {
    return v ? Ms(*v) : std::string("not back");
  };
  for (const auto& r : m.recoveries) {
    t += "<tr><td>" + Escape(r.event) + "</td><td>" + Escape(r.kind) + "</td><td>" +
         Escape(r.target) + "</td><td class=\"num\">" + Seconds(r.at_ms) +
         "</td><td class=\"num\">" + opt(r.to_running) + "</td><td class=\"num\">" +
         opt(r.to_ready) + "</td></tr>";
  }
  return t + "</table></details></section>";
}

std::string ComparisonTable(const ReportModel& m) {
  std::string t = "<section id=\"comparison\"><h2>Comparison</h2>";
  if (m.comparison.empty()) return t + "<p>No comparison was made.</p></section>";
  t += "<table><tr><th>client</th><th>query</th><th>status</th><th>difference</th></tr>";
  for (const auto& c : m.comparison) {
    std::string hunk;
    for (const auto& line : c.diff) hunk += line + "\n";
    if (c.diff_truncated) hunk += "...\n";
    t += "<tr class=\"cmp\" data-status=\"" + Escape(c.status) + "\"><td>" +
         Escape(c.client) + "</td><td>" + Escape(c.query) + "</td><td class=\"st-" +
         Escape(c.status) + "\">" + Escape(c.status) + "</td><td>" +
         (hunk.empty() ? "" : "<pre class=\"hunk\">" + Escape(hunk) + "</pre>") +
         "</td></tr>";
  }
  return t + "</table></section>";
}

std::string Triggers(const ReportModel& m) {
  if (m.triggers.empty()) return "";
  std::string t = "<section id=\"triggers\"><h2>Triggers</h2><ul>";
  for (const auto& line : m.triggers) t += "<li>" + Escape(line) + "</li>";
  return t + "</ul></section>";
}

}  // namespace

std::string RenderReportHtml(const ReportModel& m) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"generator\" content=\"chancho\"><title>" +
      Escape("chancho: " + (m.scenario.empty() ? std::string("run") : m.scenario) +
             " (" + (m.verdict.empty() ? "unknown" : m.verdict) + ")") +
      "</title><style>" + report_assets::kStyle + "</style><script>" +
      report_assets::kErrorHook + "</script></head>\n";
  html += "<body data-verdict=\"" + Escape(m.verdict) + "\" data-exit-code=\"" +
          std::to_string(m.exit_code) + "\" data-lanes=\"" + std::to_string(m.lanes) +
          "\" data-faults=\"" + std::to_string(m.faults) + "\">";
  html += Header(m);
  html += "<ul id=\"js-errors\"></ul>";
  html += "<section id=\"timeline-section\"><h2>Timeline</h2>" + Legend() +
          "<div id=\"detail\"></div><div id=\"timeline-wrap\">" + Timeline(m).Svg() +
          "</div></section>";
  html += RecoveryTable(m) + ComparisonTable(m) + Triggers(m);
  html += "<script>" + std::string(report_assets::kScript) + "</script></body></html>\n";
  return html;
}

std::string ReportHtml(const std::string& record_json, const std::string& source) {
  return RenderReportHtml(BuildReportModel(record_json, source));
}

std::filesystem::path WriteReport(const std::filesystem::path& record,
                                  const std::filesystem::path& out) {
  const std::filesystem::path file =
      std::filesystem::is_directory(record) ? record / "record.json" : record;
  const std::filesystem::path target =
      out.empty() ? file.parent_path() / "report.html" : out;
  const std::string html = ReportHtml(ReadText(file), file.string());
  WriteFileAtomically(target, html);
  return target;
}

}  // namespace chancho
