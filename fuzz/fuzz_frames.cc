// libFuzzer target: the client/service frame decoder, fed in pieces, and
// the message envelope decoder.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "system/common/framing.h"
#include "system/movies/mq/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The first byte picks how the stream is cut into reads.
  const std::size_t piece = size == 0 ? 1 : 1 + data[0] % 16;
  chancho::common::FrameDecoder decoder(4096);
  for (std::size_t at = 0; at < size; at += piece) {
    decoder.Feed(bytes.substr(at, piece));
    while (decoder.Next()) {
    }
  }
  try {
    (void)chancho::movies::mq::Decode(bytes);
  } catch (const chancho::movies::mq::EnvelopeError&) {
  }
  return 0;
}
