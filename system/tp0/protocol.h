#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace chancho::tp0 {

// The longest message either side accepts, not counting its newline. Bounds
// the memory a peer that never sends '\n' can make the other side use.
inline constexpr std::size_t kMaxMessageSize = 64 * 1024;

// The message a client sends for its n-th iteration, without the newline:
// "[CLIENT <id>] Message N°<n>" (the degree sign in UTF-8).
std::string FormatClientMessage(std::string_view client_id, int64_t n);

// `line` without its trailing "\n", "\r\n" or "\r".
std::string_view StripLineEnd(std::string_view line);

}  // namespace chancho::tp0
