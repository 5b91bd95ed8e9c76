#include "harness/runtime/docker/docker_cli.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace chancho {
namespace {

struct Cidr {
  std::uint32_t base = 0;
  int bits = 0;
};

std::optional<Cidr> ParseCidr(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string address(text.substr(0, slash));
  in_addr parsed{};
  if (::inet_pton(AF_INET, address.c_str(), &parsed) != 1) return std::nullopt;
  int bits = -1;
  const auto suffix = text.substr(slash + 1);
  const auto [end, error] =
      std::from_chars(suffix.data(), suffix.data() + suffix.size(), bits);
  if (error != std::errc() || end != suffix.data() + suffix.size() ||
      bits < 0 || bits > 32) {
    return std::nullopt;
  }
  return Cidr{ntohl(parsed.s_addr), bits};
}

std::uint32_t Mask(int bits) {
  return bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
}

}  // namespace

std::string ComposeProjectName(std::string_view project,
                               std::string_view run_id) {
  std::string name;
  for (char c : std::string(project) + "-" + std::string(run_id)) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
    if (keep) name += c;
  }
  const auto first = name.find_first_not_of("-_");
  name.erase(0, first == std::string::npos ? name.size() : first);
  return name.empty() ? "chancho" : name;
}

std::string ComposeNetworkName(std::string_view compose_project,
                               std::string_view network) {
  return std::string(compose_project) + "_" + std::string(network);
}

std::vector<std::string> ComposeArgs(const std::vector<std::string>& compose,
                                     const std::string& project,
                                     const std::vector<std::string>& files,
                                     const std::vector<std::string>& args) {
  std::vector<std::string> out = compose;
  out.insert(out.end(), {"-p", project});
  for (const std::string& file : files) out.insert(out.end(), {"-f", file});
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

std::string ComposeContainerName(const std::vector<std::string>& compose,
                                 std::string_view project,
                                 std::string_view service, int index) {
  const bool v1 = compose.size() == 1;  // {"docker-compose"}
  const std::string separator = v1 ? "_" : "-";
  return std::string(project) + separator + std::string(service) + separator +
         std::to_string(index);
}

int StopSeconds(std::chrono::milliseconds grace) {
  if (grace.count() <= 0) return 0;
  return static_cast<int>((grace.count() + 999) / 1000);
}

std::vector<std::string> ProbeRunArgs(
    const std::string& docker, const std::string& container,
    const std::string& network, const std::vector<std::string>& labels,
    const std::string& image, const std::string& host, int port,
    const std::string& message, std::chrono::milliseconds timeout) {
  std::vector<std::string> args = {docker,    "run",       "--rm", "--name",
                                   container, "--network", network};
  for (const auto& label : labels) {
    args.push_back("--label");
    args.push_back(label);
  }
  const int seconds = std::max(1, StopSeconds(timeout));
  args.insert(args.end(), {image, host, std::to_string(port), message,
                           std::to_string(seconds)});
  return args;
}

bool SubnetsOverlap(std::string_view a, std::string_view b) {
  const auto x = ParseCidr(a);
  const auto y = ParseCidr(b);
  if (!x || !y) return false;
  const std::uint32_t mask = Mask(std::min(x->bits, y->bits));
  return (x->base & mask) == (y->base & mask);
}

std::optional<std::string> ChooseSubnet(const std::vector<std::string>& used,
                                        std::mt19937_64& random) {
  std::vector<std::string> free;
  for (int second : {25, 26}) {
    for (int third = 0; third < 256; ++third) {
      std::string candidate = "172." + std::to_string(second) + "." +
                              std::to_string(third) + ".0/24";
      const bool taken = std::any_of(
          used.begin(), used.end(),
          [&](const std::string& u) { return SubnetsOverlap(candidate, u); });
      if (!taken) free.push_back(std::move(candidate));
    }
  }
  if (free.empty()) return std::nullopt;
  return free[std::uniform_int_distribution<std::size_t>(
      0, free.size() - 1)(random)];
}

}  // namespace chancho
