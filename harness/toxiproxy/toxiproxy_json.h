#pragma once

// Toxics and proxies in Toxiproxy's JSON shapes (its HTTP API, version 2):
//
//   toxic: {"name": "latency_downstream", "type": "latency",
//           "stream": "downstream", "toxicity": 1.0,
//           "attributes": {"latency": 100, "jitter": 10}}
//   proxy: {"name": "redis", "listen": "127.0.0.1:26379",
//           "upstream": "127.0.0.1:6379", "enabled": true, "toxics": [...]}
//
// Types and their attributes, in Toxiproxy's units:
//   latency     latency, jitter (ms)            -> LinkFaultKind::kDelay
//   bandwidth   rate (KB/s, 1 KB = 1000 bytes)  -> kBandwidth
//   slow_close  delay (ms)                      -> kSlowClose
//   timeout     timeout (ms; 0: never closes)   -> kTimeout
//   slicer      average_size, size_variation (bytes), delay (us) -> kSlicer
//   limit_data  bytes                           -> kLimitData
//   blackhole   (none; Chancho's own type)      -> kBlackhole
// Toxiproxy's reset_peer is not supported. A stream is "upstream" (client
// to server) or "downstream" (server to client, the default); toxicity is
// 0 to 1 (default 1). A toxic's duration (Chancho's `for=`) has no place in
// these shapes: it is neither read nor written.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

#include "harness/proxy/tcp_proxy.h"

namespace chancho {

// A request the API refuses: the HTTP status and a one-line reason.
struct ApiError {
  int status = 400;
  std::string message;
};

// Parses a toxic from a POST /proxies/{p}/toxics body. Unknown types,
// attributes or fields, and values of the wrong type or range, throw
// ApiError (400) naming them. A missing name stays empty (the proxy gives
// it the default "<type>_<stream>").
Toxic ParseNewToxic(const rapidjson::Value& body);

// Applies an update body (POST or PATCH /proxies/{p}/toxics/{t}) to
// `toxic`: the attributes and toxicity given replace those of `toxic`,
// the others stay. A type or stream that differs from the toxic's throws
// ApiError (400): a toxic's type and direction do not change.
Toxic ParseToxicUpdate(const rapidjson::Value& body, Toxic toxic);

// The JSON object of a toxic, as Toxiproxy writes it.
void WriteToxic(rapidjson::Writer<rapidjson::StringBuffer>& out,
                const Toxic& toxic);

// "latency", "bandwidth", ...; empty for a kind that is no toxic (kNone,
// kReset, kPartition).
std::string_view ToxicTypeName(LinkFaultKind kind);

}  // namespace chancho
