#include "harness/proxy/link_fault_text.h"

#include <charconv>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "common/duration.h"
#include "common/error.h"

namespace chancho {
namespace {

constexpr LinkFaultKind kKinds[] = {
    LinkFaultKind::kNone,      LinkFaultKind::kDelay,
    LinkFaultKind::kBandwidth, LinkFaultKind::kBlackhole,
    LinkFaultKind::kReset,     LinkFaultKind::kPartition};

std::uint64_t ParseCount(std::string_view key, std::string_view value) {
  std::uint64_t out = 0;
  const auto [end, ec] =
      std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size()) {
    throw Error("link fault: " + std::string(key) +
                "= needs a non-negative integer, got \"" + std::string(value) +
                "\"");
  }
  return out;
}

// delay=, jitter= and for=: a duration ("250ms", "1.5s"), or a bare number
// of milliseconds.
std::chrono::milliseconds ParseMillis(std::string_view key, std::string_view value) {
  try {
    return common::ParseDurationOr(value, std::chrono::milliseconds(1));
  } catch (const std::invalid_argument&) {
    throw Error("link fault: " + std::string(key) +
                "= needs a duration (250ms, 1.5s) or milliseconds, got \"" +
                std::string(value) + "\"");
  }
}

}  // namespace

std::string_view DirectionWord(Direction direction) {
  switch (direction) {
    case Direction::kClientToServer:
      return "up";
    case Direction::kServerToClient:
      return "down";
    case Direction::kBoth:
      break;
  }
  return "both";
}

Direction ParseDirection(std::string_view text) {
  for (Direction d : {Direction::kBoth, Direction::kClientToServer,
                      Direction::kServerToClient}) {
    if (text == DirectionWord(d)) return d;
  }
  throw Error("link fault: unknown direction \"" + std::string(text) +
              "\" (known: both, up, down)");
}

LinkFaultKind ParseLinkFaultKind(std::string_view text) {
  for (LinkFaultKind kind : kKinds) {
    if (text == ToString(kind)) return kind;
  }
  throw Error("link fault: unknown kind \"" + std::string(text) +
              "\" (known: none, delay, bandwidth, blackhole, reset, partition)");
}

std::string FormatLinkFault(const DirectedLinkFault& f) {
  std::string out(ToString(f.fault.kind));
  const auto field = [&](std::string_view key, std::uint64_t value) {
    out.append(" ").append(key).append("=").append(std::to_string(value));
  };
  if (f.fault.kind == LinkFaultKind::kDelay) {
    field("delay", f.fault.delay.count());
    if (f.fault.jitter.count() > 0) field("jitter", f.fault.jitter.count());
  }
  if (f.fault.kind == LinkFaultKind::kBandwidth) {
    field("rate", f.fault.bytes_per_second);
  }
  // reset and partition act on whole connections, whatever the direction.
  if (f.direction != Direction::kBoth && f.fault.kind != LinkFaultKind::kReset &&
      f.fault.kind != LinkFaultKind::kPartition) {
    out.append(" direction=").append(DirectionWord(f.direction));
  }
  if (f.fault.duration.count() > 0) field("for", f.fault.duration.count());
  return out;
}

DirectedLinkFault ParseLinkFault(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.empty()) throw Error("link fault: empty (expected a kind)");
  DirectedLinkFault out;
  out.fault.kind = ParseLinkFaultKind(words[0]);
  bool has_delay = false;
  bool has_rate = false;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    const auto eq = w.find('=');
    if (eq == std::string::npos) {
      throw Error("link fault: expected key=value, got \"" + w + "\"");
    }
    const std::string key = w.substr(0, eq);
    const std::string value = w.substr(eq + 1);
    if (key == "delay") {
      out.fault.delay = ParseMillis(key, value);
      has_delay = true;
    } else if (key == "jitter") {
      out.fault.jitter = ParseMillis(key, value);
    } else if (key == "rate") {
      out.fault.bytes_per_second = ParseCount(key, value);
      has_rate = true;
    } else if (key == "direction") {
      out.direction = ParseDirection(value);
    } else if (key == "for") {
      out.fault.duration = ParseMillis(key, value);
    } else {
      throw Error("link fault: unknown key \"" + key +
                  "\" (known: delay, jitter, rate, direction, for)");
    }
  }
  if (out.fault.kind == LinkFaultKind::kDelay && !has_delay) {
    throw Error("link fault: delay needs delay=MS");
  }
  if (out.fault.kind == LinkFaultKind::kBandwidth &&
      (!has_rate || out.fault.bytes_per_second == 0)) {
    throw Error("link fault: bandwidth needs rate=BYTES_PER_S above 0");
  }
  // Fields that do not apply to the kind are dropped, so the text that
  // FormatLinkFault gives back means the same.
  if (out.fault.kind != LinkFaultKind::kDelay) {
    out.fault.delay = out.fault.jitter = std::chrono::milliseconds(0);
  }
  if (out.fault.kind != LinkFaultKind::kBandwidth) out.fault.bytes_per_second = 0;
  if (out.fault.kind == LinkFaultKind::kReset ||
      out.fault.kind == LinkFaultKind::kPartition) {
    out.direction = Direction::kBoth;
  }
  return out;
}

}  // namespace chancho
