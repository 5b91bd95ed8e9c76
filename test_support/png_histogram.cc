#include "test_support/png_histogram.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "common/error.h"
#include "common/file_text.h"

namespace chancho::testing {
namespace {

std::uint32_t BigEndian(const std::string& s, std::size_t at) {
  return (std::uint32_t(std::uint8_t(s[at])) << 24) |
         (std::uint32_t(std::uint8_t(s[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(s[at + 2])) << 8) | std::uint8_t(s[at + 3]);
}

std::string Inflate(const std::string& compressed, std::size_t expected,
                    const std::string& source) {
  std::string out(expected, '\0');
  uLongf size = static_cast<uLongf>(expected);
  const int rc = uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                            reinterpret_cast<const Bytef*>(compressed.data()),
                            static_cast<uLong>(compressed.size()));
  if (rc != Z_OK || size != expected) {
    throw Error(source + ": the image data does not inflate to its size");
  }
  return out;
}

std::uint8_t Paeth(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return static_cast<std::uint8_t>(a);
  return static_cast<std::uint8_t>(pb <= pc ? b : c);
}

}  // namespace

double PngHistogram::DominantShare() const {
  std::int64_t total = 0, most = 0;
  for (const auto& [colour, n] : colours) {
    total += n;
    most = std::max(most, n);
  }
  return total == 0 ? 1.0 : static_cast<double>(most) / static_cast<double>(total);
}

PngHistogram PngHistogramOf(const std::string& s, const std::string& source) {
  static const std::string kSignature = "\x89PNG\r\n\x1a\n";
  if (s.compare(0, kSignature.size(), kSignature) != 0) {
    throw Error(source + ": not a PNG file");
  }
  PngHistogram h;
  int channels = 0;
  std::string idat;
  for (std::size_t at = kSignature.size(); at + 8 <= s.size();) {
    const std::uint32_t length = BigEndian(s, at);
    const std::string type = s.substr(at + 4, 4);
    if (at + 12 + length > s.size()) throw Error(source + ": a chunk runs past the end");
    const std::string data = s.substr(at + 8, length);
    if (type == "IHDR") {
      if (length != 13) throw Error(source + ": a bad IHDR chunk");
      h.width = static_cast<int>(BigEndian(data, 0));
      h.height = static_cast<int>(BigEndian(data, 4));
      const int depth = std::uint8_t(data[8]), colour = std::uint8_t(data[9]);
      const int interlace = std::uint8_t(data[12]);
      if (depth != 8 || (colour != 2 && colour != 6) || interlace != 0) {
        throw Error(source + ": only 8-bit RGB or RGBA without interlacing is read");
      }
      channels = colour == 6 ? 4 : 3;
    } else if (type == "IDAT") {
      idat += data;
    } else if (type == "IEND") {
      break;
    }
    at += 12 + length;
  }
  if (channels == 0 || h.width <= 0 || h.height <= 0) {
    throw Error(source + ": no image header");
  }
  const std::size_t stride = static_cast<std::size_t>(h.width) * channels;
  const std::string raw = Inflate(idat, (stride + 1) * h.height, source);
  std::vector<std::uint8_t> previous(stride, 0), row(stride);
  for (int y = 0; y < h.height; ++y) {
    const std::size_t base = y * (stride + 1);
    const int filter = std::uint8_t(raw[base]);
    for (std::size_t i = 0; i < stride; ++i) {
      const int x = std::uint8_t(raw[base + 1 + i]);
      const int a = i >= std::size_t(channels) ? row[i - channels] : 0;
      const int b = previous[i];
      const int c = i >= std::size_t(channels) ? previous[i - channels] : 0;
      int value;
      switch (filter) {
        case 0: value = x; break;
        case 1: value = x + a; break;
        case 2: value = x + b; break;
        case 3: value = x + (a + b) / 2; break;
        case 4: value = x + Paeth(a, b, c); break;
        default: throw Error(source + ": unknown row filter " + std::to_string(filter));
      }
      row[i] = static_cast<std::uint8_t>(value & 0xff);
    }
    for (std::size_t i = 0; i < stride; i += channels) {
      ++h.colours[(std::uint32_t(row[i]) << 16) | (std::uint32_t(row[i + 1]) << 8) |
                  row[i + 2]];
    }
    std::swap(previous, row);
  }
  return h;
}

PngHistogram ReadPngHistogram(const std::filesystem::path& png) {
  return PngHistogramOf(ReadText(png), png.string());
}

}  // namespace chancho::testing
