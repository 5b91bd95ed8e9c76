#pragma once

// The colours of a PNG image and how many pixels have each, for tests that
// check a screenshot is not blank. Reads 8-bit RGB and RGBA images without
// interlacing (what Chromium's --screenshot writes).

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace chancho::testing {

struct PngHistogram {
  int width = 0;
  int height = 0;
  std::map<std::uint32_t, std::int64_t> colours;  // 0xRRGGBB -> pixels

  // The share of the pixels that have the most common colour.
  double DominantShare() const;
};

// Throws chancho::Error naming the file when it is not such a PNG.
PngHistogram ReadPngHistogram(const std::filesystem::path& png);
PngHistogram PngHistogramOf(const std::string& bytes, const std::string& source);

}  // namespace chancho::testing
