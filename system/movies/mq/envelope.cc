#include "system/movies/mq/envelope.h"

namespace chancho::movies::mq {
namespace {

constexpr char kMagic[] = {'C', 'E'};
constexpr std::uint8_t kVersion = 1;

void PutInt(std::string& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

// Reads from the front of `in`, throwing when it runs out.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  std::uint64_t Int(int bytes, const char* what) {
    Need(bytes, what);
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) {
      value = (value << 8) | static_cast<unsigned char>(in_[i]);
    }
    in_.remove_prefix(bytes);
    return value;
  }
  std::string Bytes(std::size_t n, const char* what) {
    Need(n, what);
    std::string out(in_.substr(0, n));
    in_.remove_prefix(n);
    return out;
  }
  std::size_t left() const { return in_.size(); }

 private:
  void Need(std::size_t n, const char* what) {
    if (in_.size() < n) {
      throw EnvelopeError(std::string("envelope truncated in ") + what);
    }
  }
  std::string_view in_;
};

}  // namespace

std::string_view ToString(MessageKind kind) {
  switch (kind) {
    case MessageKind::kData:
      return "data";
    case MessageKind::kEof:
      return "eof";
    case MessageKind::kAbort:
      return "abort";
  }
  return "unknown";
}

std::string Envelope::Id() const {
  return client_id + "/" + producer + "/" + std::to_string(sequence);
}

std::string Encode(const Envelope& envelope) {
  if (envelope.client_id.size() > 255 || envelope.producer.size() > 255) {
    throw EnvelopeError("envelope: client id or producer longer than 255 bytes");
  }
  if (envelope.payload.size() > 0xffffffffu) {
    throw EnvelopeError("envelope: payload longer than 4 GiB - 1");
  }
  std::string out;
  out.reserve(16 + envelope.client_id.size() + envelope.producer.size() +
              envelope.payload.size());
  out.append(kMagic, sizeof(kMagic));
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(envelope.kind));
  out.push_back(static_cast<char>(envelope.client_id.size()));
  out += envelope.client_id;
  out.push_back(static_cast<char>(envelope.producer.size()));
  out += envelope.producer;
  PutInt(out, envelope.sequence, 8);
  PutInt(out, envelope.payload.size(), 4);
  out += envelope.payload;
  return out;
}

Envelope Decode(std::string_view bytes) {
  Reader in(bytes);
  if (in.Bytes(2, "magic") != std::string_view(kMagic, 2)) {
    throw EnvelopeError("envelope: bad magic (not a Chancho envelope)");
  }
  if (const auto version = in.Int(1, "version"); version != kVersion) {
    throw EnvelopeError("envelope: unsupported version " +
                        std::to_string(version));
  }
  Envelope e;
  const auto kind = in.Int(1, "kind");
  if (kind < static_cast<int>(MessageKind::kData) ||
      kind > static_cast<int>(MessageKind::kAbort)) {
    throw EnvelopeError("envelope: unknown kind " + std::to_string(kind));
  }
  e.kind = static_cast<MessageKind>(kind);
  e.client_id = in.Bytes(in.Int(1, "client id length"), "client id");
  e.producer = in.Bytes(in.Int(1, "producer length"), "producer");
  e.sequence = in.Int(8, "sequence");
  e.payload = in.Bytes(in.Int(4, "payload length"), "payload");
  if (in.left() != 0) {
    throw EnvelopeError("envelope: " + std::to_string(in.left()) +
                        " trailing bytes after the payload");
  }
  return e;
}

}  // namespace chancho::movies::mq
