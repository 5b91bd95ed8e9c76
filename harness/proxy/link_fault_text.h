#pragma once

// A network fault as one line of text, the form used by the control socket
// (`link NAME FAULT`), the chaos REPL, scenarios and record.json:
//
//   KIND [delay=MS] [jitter=MS] [rate=BYTES_PER_S] [direction=DIR] [for=MS]
//
// MS is a duration (250ms, 1.5s, 1m) or a bare number of milliseconds; the
// canonical text (FormatLinkFault) writes bare milliseconds.
// KIND is none (heal), delay, bandwidth, blackhole, reset or partition; DIR
// is both (the default), up (client to server: the service to its upstream)
// or down (server to client); `for` is the fault's duration (absent or 0:
// until healed). delay needs delay=, bandwidth needs rate=.

#include <string>
#include <string_view>

#include "harness/proxy/tcp_proxy.h"

namespace chancho {

// A fault and the direction it applies to.
struct DirectedLinkFault {
  Direction direction = Direction::kBoth;
  LinkFault fault;

  bool operator==(const DirectedLinkFault&) const = default;
};

// The canonical text: the kind, then only the fields that matter for it.
// ParseLinkFault(FormatLinkFault(f)) == f for every valid f.
std::string FormatLinkFault(const DirectedLinkFault& fault);

// Throws chancho::Error with one line naming the bad word.
DirectedLinkFault ParseLinkFault(std::string_view text);

// "none", "delay", ...; throws chancho::Error for anything else.
LinkFaultKind ParseLinkFaultKind(std::string_view text);
// "both", "up", "down"; throws chancho::Error for anything else.
Direction ParseDirection(std::string_view text);
std::string_view DirectionWord(Direction direction);

}  // namespace chancho
