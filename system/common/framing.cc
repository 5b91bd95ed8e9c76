#include "system/common/framing.h"

namespace chancho::common {

std::string EncodeFrame(std::uint8_t type, std::string_view payload) {
  const auto length = static_cast<std::uint32_t>(payload.size());
  std::string out;
  out.reserve(kFrameHeaderSize + payload.size());
  out.push_back(static_cast<char>((length >> 24) & 0xff));
  out.push_back(static_cast<char>((length >> 16) & 0xff));
  out.push_back(static_cast<char>((length >> 8) & 0xff));
  out.push_back(static_cast<char>(length & 0xff));
  out.push_back(static_cast<char>(type));
  out.append(payload);
  return out;
}

FrameDecoder::FrameDecoder(std::size_t max_payload,
                           bool (*is_known_type)(std::uint8_t))
    : max_payload_(max_payload), is_known_type_(is_known_type) {}

void FrameDecoder::Feed(std::string_view bytes) {
  if (failed()) return;
  // Drop what was handed out before growing, so the buffer holds at most
  // one partial frame plus the new bytes.
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<Frame> FrameDecoder::Next() {
  if (failed() || buffered() < kFrameHeaderSize) return std::nullopt;
  const auto* header =
      reinterpret_cast<const unsigned char*>(buffer_.data() + consumed_);
  const std::uint32_t length = (std::uint32_t{header[0]} << 24) |
                               (std::uint32_t{header[1]} << 16) |
                               (std::uint32_t{header[2]} << 8) | header[3];
  const std::uint8_t type = header[4];
  // Checked before waiting for the payload: a garbage length must not make
  // the receiver buffer gigabytes.
  if (length > max_payload_) {
    error_ = "frame of " + std::to_string(length) +
             " bytes exceeds the limit of " + std::to_string(max_payload_);
    return std::nullopt;
  }
  if (is_known_type_ != nullptr && !is_known_type_(type)) {
    error_ = "unknown frame type " + std::to_string(type);
    return std::nullopt;
  }
  if (buffered() < kFrameHeaderSize + length) return std::nullopt;
  Frame frame;
  frame.type = type;
  frame.payload = buffer_.substr(consumed_ + kFrameHeaderSize, length);
  consumed_ += kFrameHeaderSize + length;
  return frame;
}

}  // namespace chancho::common
