#include "harness/proxy/link_fault_text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "common/duration.h"
#include "common/error.h"

namespace chancho {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr LinkFaultKind kKinds[] = {
    LinkFaultKind::kNone,      LinkFaultKind::kDelay,
    LinkFaultKind::kBandwidth, LinkFaultKind::kBlackhole,
    LinkFaultKind::kReset,     LinkFaultKind::kPartition,
    LinkFaultKind::kSlowClose, LinkFaultKind::kTimeout,
    LinkFaultKind::kSlicer,    LinkFaultKind::kLimitData};

bool IsToxic(LinkFaultKind kind) {
  return kind != LinkFaultKind::kNone && kind != LinkFaultKind::kReset &&
         kind != LinkFaultKind::kPartition;
}

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

double ParseToxicity(std::string_view value) {
  double out = 0;
  const auto [end, ec] =
      std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() ||
      !(out >= 0 && out <= 1)) {
    throw Error("link fault: toxicity= needs a number from 0 to 1, got \"" +
                std::string(value) + "\"");
  }
  return out;
}

// A duration ("250ms", "1.5s"), or a bare number of `bare` units.
microseconds ParseTime(std::string_view key, std::string_view value,
                       std::string_view bare) {
  try {
    const bool plain =
        !value.empty() && value.find_first_not_of("0123456789.") == value.npos;
    return common::ParseDuration(plain ? std::string(value) + std::string(bare)
                                       : std::string(value));
  } catch (const std::invalid_argument&) {
    throw Error("link fault: " + std::string(key) +
                "= needs a duration (250ms, 1.5s) or " +
                (bare == "us" ? "microseconds" : "milliseconds") + ", got \"" +
                std::string(value) + "\"");
  }
}

// delay=, jitter=, timeout= and for=, to the millisecond.
milliseconds ParseMillis(std::string_view key, std::string_view value) {
  return std::chrono::duration_cast<milliseconds>(ParseTime(key, value, "ms") +
                                                  microseconds(500));
}

// What applies to a whole line, given in any of its faults.
struct LineKeys {
  std::optional<Direction> direction;
  std::optional<std::string> upstream;
};

// A word made of letters, digits, '.', '_' and '-': a replica or service.
bool IsName(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '.' || c == '_' || c == '-';
         });
}

// One fault of the line, without `+`; sets the line's keys if the words
// name them (and they differ from none named before).
LinkFault ParseOne(const std::vector<std::string>& words, LineKeys& line) {
  std::optional<Direction>& direction = line.direction;
  LinkFault out;
  out.kind = ParseLinkFaultKind(words[0]);
  bool has_delay = false, has_rate = false, has_size = false;
  bool has_bytes = false;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    const auto eq = w.find('=');
    if (eq == std::string::npos) {
      throw Error("link fault: expected key=value, got \"" + w + "\"");
    }
    const std::string key = w.substr(0, eq);
    const std::string value = w.substr(eq + 1);
    if (key == "delay") {
      if (out.kind == LinkFaultKind::kSlicer) {
        out.slice_delay = ParseTime(key, value, "us");
      } else {
        out.delay = ParseMillis(key, value);
      }
      has_delay = true;
    } else if (key == "jitter") {
      out.jitter = ParseMillis(key, value);
    } else if (key == "rate") {
      out.bytes_per_second = ParseCount(key, value);
      has_rate = true;
    } else if (key == "timeout") {
      out.timeout = ParseMillis(key, value);
    } else if (key == "size") {
      out.average_size = ParseCount(key, value);
      has_size = true;
    } else if (key == "variation") {
      out.size_variation = ParseCount(key, value);
    } else if (key == "bytes") {
      out.bytes = ParseCount(key, value);
      has_bytes = true;
    } else if (key == "toxicity") {
      out.toxicity = ParseToxicity(value);
    } else if (key == "direction") {
      const Direction d = ParseDirection(value);
      if (direction && *direction != d) {
        throw Error("link fault: direction=" + value +
                    " differs from direction=" +
                    std::string(DirectionWord(*direction)) +
                    " (one direction for the whole line)");
      }
      direction = d;
    } else if (key == "upstream") {
      if (!IsName(value)) {
        throw Error("link fault: upstream=\"" + value +
                    "\" is no replica or service name");
      }
      if (line.upstream && *line.upstream != value) {
        throw Error("link fault: upstream=" + value + " differs from upstream=" +
                    *line.upstream + " (one upstream for the whole line)");
      }
      line.upstream = value;
    } else if (key == "for") {
      out.duration = ParseMillis(key, value);
    } else {
      throw Error("link fault: unknown key \"" + key +
                  "\" (known: delay, jitter, rate, timeout, size, variation, "
                  "bytes, toxicity, direction, upstream, for)");
    }
  }
  const LinkFaultKind kind = out.kind;
  if ((kind == LinkFaultKind::kDelay || kind == LinkFaultKind::kSlowClose) &&
      !has_delay) {
    throw Error("link fault: " + words[0] + " needs delay=MS");
  }
  if (kind == LinkFaultKind::kBandwidth &&
      (!has_rate || out.bytes_per_second == 0)) {
    throw Error("link fault: bandwidth needs rate=BYTES_PER_S above 0");
  }
  if (kind == LinkFaultKind::kSlicer && (!has_size || out.average_size == 0)) {
    throw Error("link fault: slicer needs size=BYTES above 0");
  }
  if (kind == LinkFaultKind::kSlicer &&
      out.size_variation >= out.average_size) {
    throw Error("link fault: slicer needs variation= below size=, got " +
                std::to_string(out.size_variation));
  }
  if (kind == LinkFaultKind::kLimitData && !has_bytes) {
    throw Error("link fault: limit_data needs bytes=N");
  }
  // Fields that do not apply to the kind are dropped, so the text that
  // FormatLinkFault gives back means the same.
  LinkFault kept{.kind = kind, .duration = out.duration};
  switch (kind) {
    case LinkFaultKind::kDelay:
      kept.jitter = out.jitter;
      [[fallthrough]];
    case LinkFaultKind::kSlowClose:
      kept.delay = out.delay;
      break;
    case LinkFaultKind::kBandwidth:
      kept.bytes_per_second = out.bytes_per_second;
      break;
    case LinkFaultKind::kTimeout:
      kept.timeout = out.timeout;
      break;
    case LinkFaultKind::kSlicer:
      kept.average_size = out.average_size;
      kept.size_variation = out.size_variation;
      kept.slice_delay = out.slice_delay;
      break;
    case LinkFaultKind::kLimitData:
      kept.bytes = out.bytes;
      break;
    default:
      break;
  }
  if (IsToxic(kind)) kept.toxicity = out.toxicity;
  return kept;
}

std::string FormatOne(const LinkFault& f, Direction direction) {
  std::string out(ToString(f.kind));
  const auto field = [&](std::string_view key, std::uint64_t value,
                         std::string_view unit = "") {
    out.append(" ").append(key).append("=").append(std::to_string(value));
    out.append(unit);
  };
  switch (f.kind) {
    case LinkFaultKind::kDelay:
    case LinkFaultKind::kSlowClose:
      field("delay", f.delay.count());
      if (f.kind == LinkFaultKind::kDelay && f.jitter.count() > 0) {
        field("jitter", f.jitter.count());
      }
      break;
    case LinkFaultKind::kBandwidth:
      field("rate", f.bytes_per_second);
      break;
    case LinkFaultKind::kTimeout:
      if (f.timeout.count() > 0) field("timeout", f.timeout.count());
      break;
    case LinkFaultKind::kSlicer:
      field("size", f.average_size);
      if (f.size_variation > 0) field("variation", f.size_variation);
      if (f.slice_delay.count() > 0) {
        field("delay", f.slice_delay.count(), "us");
      }
      break;
    case LinkFaultKind::kLimitData:
      field("bytes", f.bytes);
      break;
    default:
      break;
  }
  if (IsToxic(f.kind) && f.toxicity != 1.0) {
    char text[32];
    const auto result = std::to_chars(text, text + sizeof(text), f.toxicity);
    out.append(" toxicity=").append(text, result.ptr);
  }
  // reset and partition act on whole connections, whatever the direction.
  if (direction != Direction::kBoth && f.kind != LinkFaultKind::kReset &&
      f.kind != LinkFaultKind::kPartition) {
    out.append(" direction=").append(DirectionWord(direction));
  }
  if (f.duration.count() > 0) field("for", f.duration.count());
  return out;
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
  if (text == "latency") return LinkFaultKind::kDelay;  // Toxiproxy's name
  for (LinkFaultKind kind : kKinds) {
    if (text == ToString(kind)) return kind;
  }
  throw Error("link fault: unknown kind \"" + std::string(text) +
              "\" (known: none, delay, bandwidth, blackhole, reset, "
              "partition, slow_close, timeout, slicer, limit_data)");
}

std::string FormatLinkFault(const DirectedLinkFault& f) {
  std::string out = FormatOne(f.fault, f.direction);
  if (!f.upstream.empty()) out.append(" upstream=").append(f.upstream);
  for (const LinkFault& next : f.fault.stacked) {
    out.append(" + ").append(FormatOne(next, Direction::kBoth));
  }
  return out;
}

DirectedLinkFault ParseLinkFault(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::vector<std::string>> faults(1);
  for (std::string w; in >> w;) {
    if (w != "+") {
      faults.back().push_back(std::move(w));
    } else if (faults.back().empty()) {
      throw Error("link fault: \"+\" needs a fault before it");
    } else {
      faults.emplace_back();
    }
  }
  if (faults.size() == 1 && faults[0].empty()) {
    throw Error("link fault: empty (expected a kind)");
  }
  if (faults.back().empty()) {
    throw Error("link fault: \"+\" needs a fault after it");
  }
  DirectedLinkFault out;
  LineKeys line;
  for (const std::vector<std::string>& words : faults) {
    LinkFault fault = ParseOne(words, line);
    if (faults.size() > 1 && !IsToxic(fault.kind)) {
      throw Error("link fault: \"" + words[0] +
                  "\" cannot be stacked with \"+\" (only toxics stack)");
    }
    if (&words == &faults[0]) {
      out.fault = std::move(fault);
    } else {
      out.fault.stacked.push_back(std::move(fault));
    }
  }
  out.direction = line.direction.value_or(Direction::kBoth);
  out.upstream = line.upstream.value_or("");
  if (out.fault.kind == LinkFaultKind::kReset ||
      out.fault.kind == LinkFaultKind::kPartition) {
    out.direction = Direction::kBoth;
  }
  return out;
}

}  // namespace chancho
