#pragma once

#include <boost/property_tree/ptree_fwd.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace chancho::common {

// Looks up an environment variable. Services take one of these instead of
// calling getenv directly, so that tests can hand in a fixed environment.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

// The process environment. A variable that is set but empty counts as unset,
// because compose files commonly write `NAME=` for "not configured".
EnvLookup ProcessEnv();

// A lookup over fixed variables instead of the process environment (tests,
// and callers that assemble an environment themselves).
EnvLookup MapEnv(std::map<std::string, std::string> vars);

// The value of environment variable `name`, or `fallback` if it is unset or
// empty.
std::string EnvOr(const char* name, const std::string& fallback);

// Reads an ini file (boost::property_tree ini_parser: "[SECTION]" becomes the
// child "SECTION", so [DEFAULT] SERVER_PORT is "DEFAULT.SERVER_PORT"; ';'
// starts a comment). Returns nullopt if no file exists at `path`. Throws
// std::runtime_error naming the file and the cause if it exists but cannot
// be read or parsed.
std::optional<boost::property_tree::ptree> ReadIniFile(const std::string& path);

// The value of `key` in `section`, comparing both names case-insensitively
// like Python's configparser. Values are trimmed by the parser.
std::optional<std::string> IniValue(const boost::property_tree::ptree& ini,
                                    std::string_view section,
                                    std::string_view key);

// Parses a whole decimal integer (surrounding blanks allowed) in [min, max].
// Throws std::invalid_argument "<what>: '<text>' is not an integer in
// [min, max]".
int64_t ParseInteger(std::string_view text, std::string_view what, int64_t min,
                     int64_t max);

// A TCP/UDP port, 1..65535; throws std::invalid_argument like ParseInteger.
uint16_t ParsePort(std::string_view text, std::string_view what);

}  // namespace chancho::common
