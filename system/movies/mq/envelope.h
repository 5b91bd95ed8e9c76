#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace chancho::movies::mq {

// What a message of the pipeline carries besides its payload.
enum class MessageKind : std::uint8_t {
  kData = 1,
  kEof = 2,  // the producer sent everything it will send for this client
  kAbort = 3,  // the client went away: drop its state, send nothing more
};

std::string_view ToString(MessageKind kind);

// The header that makes a message recognisable after a crash: the triple
// (client_id, producer, sequence) is deterministic, so a message re-sent by
// a restarted producer has the same id as the first copy and is dropped by
// the DedupTracker downstream.
struct Envelope {
  std::string client_id;  // at most 255 bytes
  std::string producer;   // e.g. "filter-argentina-2"; at most 255 bytes
  std::uint64_t sequence = 0;
  MessageKind kind = MessageKind::kData;
  std::string payload;

  // "<client_id>/<producer>/<sequence>", for logs.
  std::string Id() const;
  bool operator==(const Envelope&) const = default;
};

// A message that is not a well-formed envelope. The message is one line.
class EnvelopeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Binary layout (integers big-endian):
//   "CE" u8 version=1 u8 kind
//   u8 client_len  client bytes
//   u8 producer_len producer bytes
//   u64 sequence   u32 payload_len payload bytes
// Encode throws EnvelopeError when a name is longer than 255 bytes or the
// payload longer than 4 GiB - 1; Decode throws it on anything malformed
// (bad magic, version, kind, truncation, trailing bytes).
std::string Encode(const Envelope& envelope);
Envelope Decode(std::string_view bytes);

}  // namespace chancho::movies::mq
