#include "test_support/headless_chromium.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <sstream>

#include "common/error.h"
#include "common/subprocess.h"

namespace chancho::testing {
namespace {

namespace fs = std::filesystem;

std::string Browser() {
  const char* configured = std::getenv("CHANCHO_CHROMIUM");
  if (configured != nullptr && *configured != '\0') return configured;
  const auto found = FindProgram("chromium");
  return found ? *found : "";
}

// A profile of its own per call, so that runs never share state and
// nothing is left in the home directory.
class Profile {
 public:
  Profile() {
    static std::atomic<int> n{0};
    dir_ = fs::temp_directory_path() /
           ("chancho-chromium-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::create_directories(dir_);
  }
  ~Profile() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

CommandResult Run(const fs::path& html, const std::vector<std::string>& extra) {
  const std::string browser = Browser();
  if (browser.empty()) throw Error("no chromium on PATH");
  Profile profile;
  std::vector<std::string> argv = {
      browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
      "--no-default-browser-check", "--disable-extensions",
      "--disable-background-networking", "--disable-dev-shm-usage",
      "--enable-logging=stderr", "--v=0",
      "--user-data-dir=" + profile.dir().string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back("file://" + fs::absolute(html).string());
  CommandOptions options;
  options.timeout = std::chrono::seconds(60);
  CommandResult result = RunCommand(argv, options);
  if (result.timed_out || result.exit_code != 0) {
    throw Error(DescribeFailure(argv, result, options));
  }
  return result;
}

}  // namespace

std::optional<std::string> ChromiumMissing() {
  const std::string browser = Browser();
  if (browser.empty()) {
    return "no chromium on PATH (ci/install-deps.sh installs Debian's chromium)";
  }
  if (!fs::exists(browser)) return browser + " does not exist";
  return std::nullopt;
}

LoadedPage LoadPage(const fs::path& html) {
  const CommandResult result = Run(html, {"--dump-dom"});
  LoadedPage page;
  page.dom = result.out;
  std::istringstream lines(result.err);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":CONSOLE") == std::string::npos) continue;
    page.console.push_back(line);
    if (line.find("Uncaught") != std::string::npos) page.errors.push_back(line);
  }
  return page;
}

void Screenshot(const fs::path& html, const fs::path& png, int width, int height) {
  Run(html, {"--screenshot=" + fs::absolute(png).string(),
             "--window-size=" + std::to_string(width) + "," + std::to_string(height),
             "--hide-scrollbars"});
  if (!fs::exists(png)) throw Error(png.string() + ": chromium wrote no screenshot");
}

}  // namespace chancho::testing
