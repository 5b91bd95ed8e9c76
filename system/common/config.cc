#include "system/common/config.h"

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "system/common/text.h"

namespace chancho::common {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() &&
         std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return
      [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
      };
}

std::string EnvOr(const char* name, const std::string& fallback) {
  return ProcessEnv()(name).value_or(fallback);
}

std::optional<boost::property_tree::ptree> ReadIniFile(
    const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot open config file " + path);
  }
  boost::property_tree::ptree tree;
  try {
    boost::property_tree::ini_parser::read_ini(in, tree);
  } catch (const boost::property_tree::ini_parser_error& e) {
    // The parser reports "<unspecified file>" for streams; name the file.
    throw std::runtime_error("config file " + path + " line " +
                             std::to_string(e.line()) + ": " + e.message());
  }
  return tree;
}

std::optional<std::string> IniValue(const boost::property_tree::ptree& ini,
                                    std::string_view section,
                                    std::string_view key) {
  for (const auto& [section_name, section_tree] : ini) {
    if (!EqualsIgnoreCase(section_name, section)) continue;
    for (const auto& [key_name, value] : section_tree) {
      if (EqualsIgnoreCase(key_name, key)) return value.data();
    }
  }
  return std::nullopt;
}

int64_t ParseInteger(std::string_view text, std::string_view what, int64_t min,
                     int64_t max) {
  const std::string_view trimmed = Trim(text);
  int64_t value = 0;
  const char* end = trimmed.data() + trimmed.size();
  const auto [ptr, ec] = std::from_chars(trimmed.data(), end, value);
  if (trimmed.empty() || ec != std::errc() || ptr != end || value < min ||
      value > max) {
    throw std::invalid_argument(std::string(what) + ": '" + std::string(text) +
                                "' is not an integer in [" +
                                std::to_string(min) + ", " +
                                std::to_string(max) + "]");
  }
  return value;
}

uint16_t ParsePort(std::string_view text, std::string_view what) {
  return static_cast<uint16_t>(ParseInteger(text, what, 1, 65535));
}

}  // namespace chancho::common
