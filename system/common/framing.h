#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chancho::common {

// Length-prefixed frames for client <-> service streams:
//   4 bytes  payload length, big-endian (type byte excluded)
//   1 byte   frame type
//   N bytes  payload
// A peer that sends a length above the limit, or a type the receiver does
// not know, is speaking garbage: the decoder reports it and the connection
// is to be closed.
struct Frame {
  std::uint8_t type = 0;
  std::string payload;
};

inline constexpr std::size_t kFrameHeaderSize = 5;
inline constexpr std::size_t kDefaultMaxPayload = 1 << 20;  // 1 MiB

// Header + payload, ready to write.
std::string EncodeFrame(std::uint8_t type, std::string_view payload);

// Incremental decoder: feed it whatever a read returned, then take frames
// out until Next() returns nullopt. Once it has failed it stays failed.
class FrameDecoder {
 public:
  // `is_known_type` decides which type bytes are valid; nullptr accepts all.
  explicit FrameDecoder(std::size_t max_payload = kDefaultMaxPayload,
                        bool (*is_known_type)(std::uint8_t) = nullptr);

  void Feed(std::string_view bytes);
  // The next complete frame, if one is buffered and the stream is sane.
  std::optional<Frame> Next();

  bool failed() const { return !error_.empty(); }
  // Why the stream was rejected, e.g. "frame of 4294967295 bytes exceeds
  // the limit of 1048576".
  const std::string& error() const { return error_; }
  // Bytes received but not yet returned in a frame.
  std::size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  std::size_t max_payload_;
  bool (*is_known_type_)(std::uint8_t);
  std::string buffer_;
  std::size_t consumed_ = 0;
  std::string error_;
};

}  // namespace chancho::common
