#include "system/movies/pipeline/wire.h"

namespace chancho::movies {

void Writer::U64(std::uint64_t value) {
  // Built on the stack and appended once: most records are a few varints.
  char bytes[10];
  int n = 0;
  while (value >= 0x80) {
    bytes[n++] = static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  bytes[n++] = static_cast<char>(value);
  out_.append(bytes, static_cast<std::size_t>(n));
}

void Writer::I64(std::int64_t value) {
  U64((static_cast<std::uint64_t>(value) << 1) ^
      static_cast<std::uint64_t>(value >> 63));
}

void Writer::I128(Int128 value) {
  const auto bits = static_cast<unsigned __int128>(value);
  U64(static_cast<std::uint64_t>(bits >> 64));
  U64(static_cast<std::uint64_t>(bits));
}

void Writer::Str(std::string_view text) {
  U64(text.size());
  out_.append(text);
}

void Writer::StrList(const std::vector<std::string>& list) {
  U64(list.size());
  for (const auto& s : list) Str(s);
}

std::uint64_t Reader::U64() {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= in_.size()) throw WireError("truncated varint");
    const auto byte = static_cast<unsigned char>(in_[pos_++]);
    if (shift == 63 && byte > 1) throw WireError("varint overflows 64 bits");
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  throw WireError("varint longer than 10 bytes");
}

std::int64_t Reader::I64() {
  const std::uint64_t raw = U64();
  return static_cast<std::int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
}

Int128 Reader::I128() {
  const unsigned __int128 high = U64();
  const unsigned __int128 low = U64();
  return static_cast<Int128>((high << 64) | low);
}

std::string Reader::Str() {
  const std::uint64_t size = U64();
  if (size > in_.size() - pos_) throw WireError("truncated string");
  std::string out(in_.substr(pos_, size));
  pos_ += size;
  return out;
}

std::vector<std::string> Reader::StrList() {
  std::vector<std::string> out(Count());
  for (auto& s : out) s = Str();
  return out;
}

std::size_t Reader::Count() {
  const std::uint64_t count = U64();
  if (count > in_.size() - pos_) throw WireError("count exceeds the message");
  return count;
}

void Reader::ExpectEnd() const {
  if (!done()) throw WireError("trailing bytes after the message");
}

}  // namespace chancho::movies
