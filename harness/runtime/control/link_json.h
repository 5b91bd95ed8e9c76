#pragma once

// The JSON forms of proxied links and network-fault outcomes, as the
// control socket answers `links` and `link NAME FAULT`.

#include <string>
#include <vector>

#include "harness/runtime/runtime.h"

namespace chancho {

std::string LinksToJson(const std::vector<LinkStatus>& links);
// Throws chancho::Error for malformed text.
std::vector<LinkStatus> LinksFromJson(const std::string& json);

std::string LinkOutcomeToJson(const LinkFaultOutcome& outcome);
LinkFaultOutcome LinkOutcomeFromJson(const std::string& json);

// One line per link: replica, upstream, proxy address, fault, counters.
std::string FormatLinkTable(const std::vector<LinkStatus>& links);

}  // namespace chancho
