#include "harness/cli/status_display.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace chancho::cli {
namespace {

std::string Seconds(std::chrono::milliseconds ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1fs", ms.count() / 1000.0);
  return text;
}

std::string ProgressText(const ClientProgress& p) {
  std::string text = p.file.empty() ? std::string("progress") : p.file;
  if (p.total > 0) {
    char percent[64];
    std::snprintf(percent, sizeof percent, " %.0f%% (%lld/%lld)",
                  100.0 * static_cast<double>(p.done) / static_cast<double>(p.total),
                  static_cast<long long>(p.done), static_cast<long long>(p.total));
    return text + percent;
  }
  return text + " " + std::to_string(p.done);
}

std::string Waiting(const std::vector<std::string>& waiting, std::size_t most) {
  std::string text;
  for (std::size_t i = 0; i < waiting.size() && i < most; ++i) {
    text += (i ? ", " : "") + waiting[i];
  }
  if (waiting.size() > most) text += ", +" + std::to_string(waiting.size() - most);
  return text;
}

std::size_t TerminalWidth(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 20) return size.ws_col;
  return 100;
}

}  // namespace

OutputMode ChooseOutputMode(bool plain, bool quiet, int fd) {
  if (quiet) return OutputMode::kQuiet;
  if (plain || !::isatty(fd)) return OutputMode::kPlain;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return OutputMode::kPlain;
  return OutputMode::kLive;
}

void AddOutputOptions(CLI::App* command, bool& plain, bool& quiet) {
  command->add_flag("--plain", plain,
                    "print progress as plain lines, also on a terminal");
  command->add_flag("-q,--quiet", quiet, "print only the final line (the verdict)");
}

std::vector<std::string> FormatStatus(const RunStatus& s, std::size_t width) {
  std::string summary = "[" + Seconds(s.elapsed) + "] " + s.phase + ": ready " +
                        std::to_string(s.ready) + "/" + std::to_string(s.replicas);
  if (s.faults_planned > 0) {
    summary += " | faults " + std::to_string(s.faults_applied) + "/" +
               std::to_string(s.faults_planned);
  }
  summary += " | revivals " + std::to_string(s.revivals);
  if (!s.waiting.empty()) summary += " | waiting: " + Waiting(s.waiting, 6);
  std::vector<std::string> lines = {summary};
  for (const auto& c : s.clients) {
    std::string line = "  " + c.name + ": " + c.state;
    if (c.progress) line += ", " + ProgressText(*c.progress);
    lines.push_back(line);
  }
  for (auto& line : lines) {
    if (line.size() > width) line = line.substr(0, width - 1) + "~";
  }
  return lines;
}

RunStatus ReadinessStatus(const std::vector<ReplicaStatus>& statuses,
                          std::chrono::milliseconds elapsed) {
  RunStatus s;
  s.phase = "up";
  s.elapsed = elapsed;
  for (const auto& r : statuses) {
    ++s.replicas;
    if (r.ready) {
      ++s.ready;
    } else {
      s.waiting.push_back(r.name);
    }
  }
  return s;
}

std::string FormatStatusLine(const RunStatus& s) {
  std::string line = "action: status | result: in_progress | phase: " + s.phase +
                     " | elapsed: " + Seconds(s.elapsed) + " | ready: " +
                     std::to_string(s.ready) + "/" + std::to_string(s.replicas);
  if (!s.waiting.empty()) line += " | waiting: " + Waiting(s.waiting, 6);
  if (s.faults_planned > 0) {
    line += " | faults: " + std::to_string(s.faults_applied) + "/" +
            std::to_string(s.faults_planned);
  }
  line += " | revivals: " + std::to_string(s.revivals);
  for (const auto& c : s.clients) {
    line += " | " + c.name + ": " + c.state;
    if (c.progress) line += ", " + ProgressText(*c.progress);
  }
  return line;
}

StatusDisplay::StatusDisplay(std::ostream& out, OutputMode mode,
                             std::vector<std::string> kept_when_quiet,
                             std::chrono::milliseconds plain_period)
    : out_(out),
      mode_(mode),
      kept_when_quiet_(std::move(kept_when_quiet)),
      plain_period_(plain_period),
      next_plain_(std::chrono::steady_clock::now() + plain_period),
      buf_(*this),
      lines_(&buf_) {
  if (mode_ == OutputMode::kLive) width_ = TerminalWidth(STDOUT_FILENO);
}

StatusDisplay::~StatusDisplay() {
  lines_.flush();
  Finish();
}

void StatusDisplay::Update(const RunStatus& status) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  if (mode_ == OutputMode::kLive) {
    Clear();
    // The monitor's last status: what follows (down, the comparison) is
    // lines only.
    block_ = status.phase == "done" ? std::vector<std::string>{}
                                    : FormatStatus(status, width_);
    Draw();
  } else if (mode_ == OutputMode::kPlain) {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_plain_) return;
    next_plain_ = now + plain_period_;
    out_ << FormatStatusLine(status) << std::endl;
  }
}

void StatusDisplay::Line(const std::string& line) {
  std::lock_guard lock(mutex_);
  if (mode_ == OutputMode::kQuiet &&
      std::none_of(kept_when_quiet_.begin(), kept_when_quiet_.end(),
                   [&line](const std::string& p) { return line.rfind(p, 0) == 0; })) {
    return;
  }
  if (mode_ == OutputMode::kLive) Clear();
  out_ << line << "\n";
  if (mode_ == OutputMode::kLive) Draw();
  out_.flush();
}

void StatusDisplay::Finish() {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  if (mode_ == OutputMode::kLive) Clear();
  block_.clear();
  finished_ = true;
  out_.flush();
}

// Up to the block's first line, erasing each line on the way.
void StatusDisplay::Clear() {
  for (std::size_t i = 0; i < block_.size(); ++i) out_ << "\x1b[1A\x1b[2K";
  out_ << "\r";
}

void StatusDisplay::Draw() {
  for (const auto& line : block_) out_ << line << "\n";
  out_.flush();
}

int StatusDisplay::LineBuf::overflow(int c) {
  if (c == traits_type::eof()) return 0;
  if (c == '\n') {
    display_.Line(pending_);
    pending_.clear();
  } else {
    pending_ += static_cast<char>(c);
  }
  return c;
}

int StatusDisplay::LineBuf::sync() { return 0; }

}  // namespace chancho::cli
