#pragma once

// Debian's Chromium, headless, for tests of report.html: the DOM after the
// page's scripts ran, what the page logged to its console, and a
// screenshot. Each call uses a fresh profile directory that it removes.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace chancho::testing {

// Why no headless Chromium can run here (none on PATH, as `chromium`,
// or at $CHANCHO_CHROMIUM); nullopt when one can.
std::optional<std::string> ChromiumMissing();

struct LoadedPage {
  std::string dom;                   // --dump-dom
  std::vector<std::string> console;  // the page's console lines
  std::vector<std::string> errors;   // console lines of uncaught errors
};

// Loads `html` from file:// and returns what the browser saw. Throws
// chancho::Error when the browser fails or takes over 60 s.
LoadedPage LoadPage(const std::filesystem::path& html);

// Writes a screenshot of `html` at width x height to `png`. Throws like
// LoadPage.
void Screenshot(const std::filesystem::path& html, const std::filesystem::path& png,
                int width, int height);

}  // namespace chancho::testing
