#include "harness/faults/chaos_shell.h"

#include <charconv>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "common/log_line.h"
#include "harness/faults/auto_loop.h"
#include "harness/faults/fault.h"
#include "harness/faults/fault_runner.h"
#include "harness/runtime/control/control_commands.h"
#include "harness/runtime/control/link_json.h"

namespace chancho {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kForever = milliseconds::max();
// Keeps every offset, in nanoseconds from now, far from overflowing.
constexpr double kMaxSeconds = 1e6;

milliseconds Seconds(double seconds, const std::string& what) {
  if (!std::isfinite(seconds) || seconds <= 0 || seconds > kMaxSeconds ||
      std::llround(seconds * 1000) < 1) {
    throw Error(what + ": expected seconds between 0.001 and 1e6");
  }
  return milliseconds(std::llround(seconds * 1000));
}

template <typename Number>
Number ParseNumber(const std::string& text, const std::string& what) {
  Number value{};
  const char* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || stop != end) {
    throw Error(what + ": expected a number, got \"" + text + "\"");
  }
  return value;
}

std::vector<std::string> Words(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

std::string JoinNames(const std::vector<std::string>& names,
                      const std::string& separator = ",") {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : separator) + n;
  return out;
}

// The shell's name for what `event` does.
std::string ActionName(const FaultEvent& event) {
  // A graceful stop is "term": "stop" stops the auto loop.
  if (event.kind == FaultKind::kStop) return "term";
  if (event.kind == FaultKind::kLink) {
    return event.link.fault.kind == LinkFaultKind::kNone
               ? "heal"
               : std::string(ToString(event.link.fault.kind));
  }
  return std::string(ToString(event.kind));
}

std::string OutcomeLine(const FaultOutcome& o, const std::string& action) {
  common::LogFields fields = {{"target", o.target},
                              {"took_effect", o.took_effect ? "yes" : "no"}};
  if (o.origin == "auto") {
    fields.emplace_back("origin", "auto");
    fields.emplace_back("at_ms", std::to_string(o.planned.count()));
  } else if (o.origin == "bomb") {
    fields.emplace_back("origin", "bomb");
  }
  if (!o.took_effect) fields.emplace_back("reason", OneLine(o.detail));
  return common::FormatEvent(action, o.took_effect ? "success" : "fail",
                             fields);
}

}  // namespace

class ChaosShell::Impl {
 public:
  Impl(FaultTarget& target, std::ostream& out, std::uint64_t seed,
       Exclusions exclusions)
      : target_(target),
        out_(out),
        seed_(seed),
        exclusions_(std::move(exclusions)),
        rng_(seed) {}

  bool Execute(const std::string& line) {
    const auto words = Words(line);
    if (words.empty() || words[0][0] == '#') return true;
    const std::string& verb = words[0];
    const Args args(words.begin() + 1, words.end());
    try {
      const Command* command = Find(verb);
      if (command == nullptr) {
        throw Error("unknown command; type help for the list");
      }
      if (!Fits(*command, args.size())) {
        throw Error("usage: " + Usage(*command) + " (" +
                    std::string(command->help) + ")");
      }
      if (command->run == nullptr) {  // quit
        StopAuto();
        return false;
      }
      (this->*command->run)(args);
    } catch (const std::exception& e) {
      Say(common::FormatEvent(verb, "fail", {{"reason", OneLine(e.what())}}));
    }
    return true;
  }

  Tally RunAuto(double every_s, int count, double duration_s) {
    StartAuto(Seconds(every_s, "auto"), count, Seconds(duration_s, "duration"));
    auto_->Join();
    const Tally tally = auto_->tally();
    auto_.reset();
    return tally;
  }

  std::string Help() const {
    std::size_t width = 0;
    for (const auto& c : Commands()) width = std::max(width, Usage(c).size());
    std::string text = "commands (aliases after |):\n";
    for (const auto& c : Commands()) {
      const std::string usage = Usage(c);
      text += "  " + usage + std::string(width + 2 - usage.size(), ' ') +
              std::string(c.help) + "\n";
    }
    text +=
        "TARGET: NAME, prefix:P, regex:R, role:R or random:K[:P]. An exact "
        "name reaches any replica; every other selection (and auto, bomba, "
        "matar_varios) spares " +
        Spared() + ".\n";
    return text;
  }

 private:
  using Args = std::vector<std::string>;
  struct Command {
    std::string_view names;  // space-separated, the seed's name first
    // Arguments as help shows them: "[X]" is optional, "..." any number.
    std::string_view args;
    void (Impl::*run)(const Args&);  // nullptr: quit
    std::string_view help;
  };

  static const std::vector<Command>& Commands() {
    static const std::vector<Command> commands = {
        {"help", "", &Impl::ShowHelp, "list the commands"},
        {"auto", "X Y", &Impl::Auto,
         "every X seconds kill Y random eligible replicas, in the background; "
         "replaces a running loop"},
        {"stop", "", &Impl::StopLoop,
         "stop the auto loop (term stops a service)"},
        {"bomba bomb", "", &Impl::Bomb, "kill every eligible replica at once"},
        {"matar kill", "TARGET [SIGNAL]", &Impl::Kill,
         "kill, with SIGKILL unless SIGNAL is given"},
        {"matar_varios kill-prefix", "PREFIX", &Impl::KillPrefix,
         "kill every eligible replica whose name starts with PREFIX"},
        {"mostrar ps show", "", &Impl::Show,
         "show the replicas and their state"},
        {"pause", "TARGET", &Impl::Pause, "freeze (SIGSTOP)"},
        {"resume", "TARGET", &Impl::Resume, "thaw a paused replica"},
        {"start", "TARGET", &Impl::Start,
         "start a replica that is not running"},
        {"term", "TARGET [GRACE_MS]", &Impl::Term,
         "SIGTERM, then SIGKILL after GRACE_MS (default 2000)"},
        {"partition", "TARGET [SECONDS]", &Impl::Partition,
         "cut the replica's proxied links: connections reset, new ones "
         "refused; for SECONDS, or until heal"},
        {"delay", "TARGET MS [JITTER_MS] [SECONDS]", &Impl::Delay,
         "delay every chunk on the replica's proxied links, both ways"},
        {"blackhole", "TARGET [SECONDS]", &Impl::Blackhole,
         "drop every byte on the replica's proxied links, connections open"},
        {"bandwidth", "TARGET BYTES_PER_S [SECONDS]", &Impl::Bandwidth,
         "throttle the replica's proxied links, both ways"},
        {"link", "TARGET FAULT...", &Impl::Link,
         "any link fault in its text form, e.g. \"link filter-1 delay "
         "delay=200 direction=up for=5000\""},
        {"heal", "TARGET", &Impl::Heal, "lift every fault on its links"},
        {"links", "", &Impl::ShowLinks,
         "show the proxied links (chancho up --link) and their faults"},
        {"sleep", "SECONDS", &Impl::Sleep,
         "wait, for scripts on a pipe: the auto loop goes on meanwhile"},
        {"quit exit", "", nullptr, "leave (stops the auto loop)"},
    };
    return commands;
  }

  // Whether `count` arguments fit the command's argument list.
  static bool Fits(const Command& c, std::size_t count) {
    std::size_t required = 0;
    std::size_t optional = 0;
    for (const auto& arg : Words(c.args)) {
      if (arg == "...") return true;
      // "FAULT...": one or more.
      if (arg.ends_with("...")) return count >= required + 1;
      ++(arg[0] == '[' ? optional : required);
    }
    return count >= required && count <= required + optional;
  }

  static const Command* Find(const std::string& verb) {
    for (const auto& c : Commands()) {
      for (const auto& name : Words(c.names)) {
        if (name == verb) return &c;
      }
    }
    return nullptr;
  }

  static std::string Usage(const Command& c) {
    const std::string usage = JoinNames(Words(c.names), " | ");
    return c.args.empty() ? usage : usage + " " + std::string(c.args);
  }

  std::string Spared() const {
    const auto& ex = exclusions_;
    std::string spared;
    if (!ex.roles.empty()) {
      spared =
          "the roles " + JoinNames({ex.roles.begin(), ex.roles.end()}, ", ");
    }
    if (!ex.names.empty()) {
      spared += (spared.empty() ? "" : ", ") +
                JoinNames({ex.names.begin(), ex.names.end()}, ", ");
    }
    for (const auto& role : ex.keep_one) {
      spared += (spared.empty() ? "" : " and ") + std::string("one ") + role;
    }
    return spared.empty() ? "nothing" : spared;
  }

  // One whole line (or block of lines) at a time: the auto loop writes
  // from its own thread.
  void Say(const std::string& text) {
    std::lock_guard lock(out_mu_);
    out_ << text;
    if (text.empty() || text.back() != '\n') out_ << '\n';
    out_.flush();
  }

  std::vector<std::string> Resolve(const std::string& text) {
    const Selector selector = ParseSelector(text);
    // An exact name bypasses the exclusions: whoever types it means it.
    if (selector.kind == Selector::Kind::kName) return {selector.pattern};
    const auto replicas = target_.Ps();
    try {
      return Select(selector, replicas, exclusions_, rng_);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + "; selections spare " + Spared() +
                  ", an exact name reaches any replica");
    }
  }

  void Apply(FaultEvent event, const std::string& selector) {
    event.origin = "shell";
    Hit(event, Resolve(selector));
  }

  // One after the other, each with its outcome line.
  void Hit(const FaultEvent& event, const std::vector<std::string>& replicas) {
    for (const auto& replica : replicas) {
      Say(OutcomeLine(ApplyFault(target_, event, replica), ActionName(event)));
    }
  }

  std::vector<std::string> EligibleNow() {
    auto eligible = Eligible(target_.Ps(), exclusions_);
    if (eligible.empty()) {
      throw Error("no replica is eligible (spared: " + Spared() + ")");
    }
    return eligible;
  }

  void StartAuto(milliseconds every, int count, milliseconds until) {
    if (count < 1) throw Error("expected at least 1 replica per tick");
    StopAuto();
    const auto eligible = EligibleNow();
    common::LogFields fields = {{"every_ms", std::to_string(every.count())},
                                {"count", std::to_string(count)}};
    if (until != kForever) {
      fields.emplace_back("duration_ms", std::to_string(until.count()));
    }
    fields.emplace_back("seed", std::to_string(seed_));
    fields.emplace_back("eligible", JoinNames(eligible));
    Say(common::FormatEvent("auto", "in_progress", fields));
    auto_ = std::make_unique<AutoLoop>(
        target_, AutoKill{every, count, milliseconds(0), until, std::nullopt, std::nullopt}, eligible,
        seed_, [this](const FaultOutcome& o) { Say(OutcomeLine(o, "kill")); });
  }

  // Stops a running loop and says what it did; false when none ran.
  bool StopAuto() {
    if (!auto_) return false;
    auto_->Stop();
    auto_->Join();
    const Tally tally = auto_->tally();
    auto_.reset();
    Say(common::FormatEvent(
        "stop", "success",
        {{"faults", std::to_string(tally.faults)},
         {"took_effect", std::to_string(tally.took_effect)}}));
    return true;
  }

  void ShowHelp(const Args&) { Say(Help()); }

  void Auto(const Args& args) {
    StartAuto(Seconds(ParseNumber<double>(args[0], "X"), "X"),
              ParseNumber<int>(args[1], "Y"), kForever);
  }

  void StopLoop(const Args&) {
    if (!StopAuto()) throw Error("no auto loop is running");
  }

  void Bomb(const Args&) {
    const FaultEvent bomb = PlanBomb(milliseconds(0), EligibleNow());
    Hit(bomb, bomb.targets);
  }

  void Kill(const Args& args) {
    FaultEvent event;  // a kill
    if (args.size() == 2) event.signal = ParseSignal(args[1]);
    Apply(event, args[0]);
  }

  void KillPrefix(const Args& args) {
    Apply(FaultEvent{}, "prefix:" + args[0]);
  }

  void Show(const Args&) { Say(FormatStatusTable(target_.Ps())); }

  void Pause(const Args& args) { ApplyKind(FaultKind::kPause, args[0]); }
  void Resume(const Args& args) { ApplyKind(FaultKind::kResume, args[0]); }
  void Start(const Args& args) { ApplyKind(FaultKind::kStart, args[0]); }

  void ApplyKind(FaultKind kind, const std::string& selector) {
    FaultEvent event;
    event.kind = kind;
    Apply(event, selector);
  }

  void Term(const Args& args) {
    FaultEvent event;
    event.kind = FaultKind::kStop;
    if (args.size() == 2) {
      const long grace = ParseNumber<long>(args[1], "GRACE_MS");
      if (grace < 0) throw Error("GRACE_MS: expected a non-negative number");
      event.grace = milliseconds(grace);
    }
    Apply(event, args[0]);
  }

  void Sleep(const Args& args) {
    std::this_thread::sleep_for(
        Seconds(ParseNumber<double>(args[0], "SECONDS"), "SECONDS"));
  }

  void ApplyLink(const std::string& selector, LinkFaultKind kind,
                 const Args& numbers, std::size_t seconds_at) {
    FaultEvent event;
    event.kind = FaultKind::kLink;
    event.link.fault.kind = kind;
    if (kind == LinkFaultKind::kDelay) {
      event.link.fault.delay = milliseconds(ParseNumber<long>(numbers[0], "MS"));
      if (numbers.size() > 1) {
        event.link.fault.jitter =
            milliseconds(ParseNumber<long>(numbers[1], "JITTER_MS"));
      }
    }
    if (kind == LinkFaultKind::kBandwidth) {
      event.link.fault.bytes_per_second =
          ParseNumber<std::uint64_t>(numbers[0], "BYTES_PER_S");
    }
    if (numbers.size() > seconds_at) {
      event.link.fault.duration =
          Seconds(ParseNumber<double>(numbers[seconds_at], "SECONDS"), "SECONDS");
    }
    // The checks of the text form (a rate above 0, no negative delay).
    event.link = ParseLinkFault(FormatLinkFault(event.link));
    Apply(event, selector);
  }

  static Args Rest(const Args& args) { return Args(args.begin() + 1, args.end()); }

  void Partition(const Args& a) {
    ApplyLink(a[0], LinkFaultKind::kPartition, Rest(a), 0);
  }
  void Blackhole(const Args& a) {
    ApplyLink(a[0], LinkFaultKind::kBlackhole, Rest(a), 0);
  }
  void Bandwidth(const Args& a) {
    ApplyLink(a[0], LinkFaultKind::kBandwidth, Rest(a), 1);
  }
  void Delay(const Args& a) {
    // MS [JITTER_MS] [SECONDS]: with two numbers the second is the jitter.
    ApplyLink(a[0], LinkFaultKind::kDelay, Rest(a), 2);
  }
  void Heal(const Args& a) { ApplyLink(a[0], LinkFaultKind::kNone, {}, 0); }

  void Link(const Args& args) {
    std::string text;
    for (std::size_t i = 1; i < args.size(); ++i) text += args[i] + " ";
    FaultEvent event;
    event.kind = FaultKind::kLink;
    event.link = ParseLinkFault(text);
    Apply(event, args[0]);
  }

  void ShowLinks(const Args&) { Say(FormatLinkTable(target_.Links())); }

  FaultTarget& target_;
  std::ostream& out_;
  std::mutex out_mu_;
  const std::uint64_t seed_;
  const Exclusions exclusions_;
  std::mt19937_64 rng_;  // random:K selectors
  // Last, so that it stops before anything its outcomes are said with.
  std::unique_ptr<AutoLoop> auto_;
};

ChaosShell::ChaosShell(FaultTarget& target, std::ostream& out,
                       std::uint64_t seed, Exclusions exclusions)
    : impl_(std::make_unique<Impl>(target, out, seed, std::move(exclusions))) {}

ChaosShell::~ChaosShell() = default;

bool ChaosShell::Execute(const std::string& line) {
  return impl_->Execute(line);
}

ChaosShell::Tally ChaosShell::RunAuto(double every_s, int count,
                                      double duration_s) {
  return impl_->RunAuto(every_s, count, duration_s);
}

std::string ChaosShell::Help() const { return impl_->Help(); }

}  // namespace chancho
