#pragma once

// A network fault as one line of text, the form used by the control socket
// (`link NAME FAULT`), the chaos REPL, scenarios and record.json:
//
//   FAULT [+ FAULT]...
//   FAULT: KIND [delay=T] [jitter=T] [rate=BYTES_PER_S] [timeout=T]
//          [size=BYTES] [variation=BYTES] [bytes=N] [toxicity=P]
//          [direction=DIR] [upstream=NAME] [for=T]
//
// T is a duration (250ms, 1.5s, 1m, 100us) or a bare number of
// milliseconds (of microseconds for slicer's delay=, Toxiproxy's unit); the
// canonical text (FormatLinkFault) writes bare milliseconds, and slicer's
// delay= in microseconds with "us".
// KIND is none (heal), delay (or latency), bandwidth, blackhole, reset,
// partition, slow_close, timeout, slicer or limit_data (see tcp_proxy.h);
// DIR is both (the default), up (client to server: the service to its
// upstream) or down (server to client); `for` is the fault's duration
// (absent or 0: until healed); P is the toxicity, from 0 to 1 (default 1).
// delay and slow_close need delay=, bandwidth needs rate=, limit_data needs
// bytes=; timeout takes timeout= (0, the default: until healed); slicer
// needs size= (the average piece, above 0) and takes variation= (below
// size=) and delay= (between pieces).
//
// `+`, as a word of its own, stacks faults on the direction, applied in
// order (LinkFault::stacked): "delay delay=100ms + slicer size=64 delay=1ms
// + limit_data bytes=4096". Only toxics stack (not none, reset or
// partition); each has its own for= and toxicity=, and direction= is the
// whole line's, given in any of them (the same wherever it is given).
//
// upstream=NAME, also the whole line's, narrows the fault to the target's
// link to that upstream (a replica, or the service of one) when the target
// has links to several; without it the fault acts on every link of the
// target.

#include <string>
#include <string_view>

#include "harness/proxy/tcp_proxy.h"

namespace chancho {

// A fault (and its stack) and the direction it applies to.
struct DirectedLinkFault {
  Direction direction = Direction::kBoth;
  LinkFault fault;
  std::string upstream;  // empty: every link of the target

  bool operator==(const DirectedLinkFault&) const = default;
};

// The canonical text: the kind, then only the fields that matter for it,
// toxicity= if below 1, direction= and for= (upstream= after the first
// fault of a stack); the stack after " + ". ParseLinkFault(FormatLinkFault(f)) == f for
// every valid f.
std::string FormatLinkFault(const DirectedLinkFault& fault);

// Throws chancho::Error with one line naming the bad word.
DirectedLinkFault ParseLinkFault(std::string_view text);

// "none", "delay" (or "latency"), ...; throws chancho::Error for anything
// else.
LinkFaultKind ParseLinkFaultKind(std::string_view text);
// "both", "up", "down"; throws chancho::Error for anything else.
Direction ParseDirection(std::string_view text);
std::string_view DirectionWord(Direction direction);

}  // namespace chancho
