#include "harness/compose/compose_yaml.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "common/error.h"
#include "harness/spec/json_checker.h"

namespace chancho::compose_yaml {

// Deeper documents are refused before yaml-cpp builds them: its parser and
// our walk recurse, and no compose file needs more.
const int kMaxDepth = 64;
// The longest "got ..." text in a message.
constexpr size_t kMaxValueText = 80;

std::string Quote(std::string_view text) { return JsonQuote(text); }

// A key as a part of a path: as written, or quoted when it holds a control
// character (so that every message stays on one line).
std::string PathKey(std::string_view key) {
  const bool plain = std::none_of(key.begin(), key.end(), [](char c) {
    return std::iscntrl(static_cast<unsigned char>(c));
  });
  return plain ? std::string(key) : Quote(key);
}

std::string Join(std::string_view path, std::string_view key) {
  if (path.empty()) return PathKey(key);
  return std::string(path) + "/" + PathKey(key);
}

std::string Join(std::string_view path, size_t index) {
  return Join(path, std::to_string(index));
}

// "line 3, column 7: " (1-based), or nothing when yaml-cpp has no position.
std::string Where(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return "";
  return "line " + std::to_string(mark.line + 1) + ", column " +
         std::to_string(mark.column + 1) + ": ";
}

namespace {

// A value as compact JSON-like text for "got ...": plain numbers and
// booleans as written, other scalars quoted, null, [..] and {..}; cut after
// kMaxValueText characters (aliases can make a value cyclic).
bool IsPlainNumberOrBool(const std::string& text) {
  static const std::regex number(
      R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  return text == "true" || text == "false" || std::regex_match(text, number);
}

void AppendValueText(const YAML::Node& node, int depth, std::string& out) {
  if (out.size() > kMaxValueText) return;
  if (!node.IsDefined() || node.IsNull()) {
    out += "null";
  } else if (node.IsScalar()) {
    const std::string& text = node.Scalar();
    out += node.Tag() == "?" && IsPlainNumberOrBool(text) ? text : Quote(text);
  } else if (depth >= 8) {
    out += "...";
  } else if (node.IsSequence()) {
    out += '[';
    bool first = true;
    for (const auto& item : node) {
      if (out.size() > kMaxValueText) break;
      if (!first) out += ',';
      first = false;
      AppendValueText(item, depth + 1, out);
    }
    out += ']';
  } else {
    out += '{';
    bool first = true;
    for (const auto& member : node) {
      if (out.size() > kMaxValueText) break;
      if (!first) out += ',';
      first = false;
      AppendValueText(member.first, depth + 1, out);
      out += ':';
      AppendValueText(member.second, depth + 1, out);
    }
    out += '}';
  }
}

}  // namespace

std::string ValueText(const YAML::Node& node) {
  std::string out;
  AppendValueText(node, 0, out);
  if (out.size() > kMaxValueText) {
    out.resize(kMaxValueText);
    out += "...";
  }
  return out;
}

// Go's time.ParseDuration, as compose reads durations: "0", or one or more
// decimal numbers each with a unit (ns, us, µs, ms, s, m, h), e.g. "1m30s",
// "1.5h", "500ms". In seconds; negative durations are refused.
std::optional<double> ParseDuration(std::string_view text) {
  if (text == "0" || text == "+0") return 0.0;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double total = 0;
  while (!text.empty()) {
    size_t i = 0;
    double number = 0;
    bool digits = false;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      number = number * 10 + (text[i] - '0');
      digits = true;
      ++i;
    }
    if (i < text.size() && text[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < text.size() &&
             std::isdigit(static_cast<unsigned char>(text[i]))) {
        number += (text[i] - '0') * scale;
        scale /= 10;
        digits = true;
        ++i;
      }
    }
    if (!digits) return std::nullopt;
    size_t end = i;
    while (end < text.size() && text[end] != '.' &&
           !std::isdigit(static_cast<unsigned char>(text[end]))) {
      ++end;
    }
    const std::string_view unit = text.substr(i, end - i);
    double seconds;
    if (unit == "ns") {
      seconds = 1e-9;
    } else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") {
      seconds = 1e-6;
    } else if (unit == "ms") {
      seconds = 1e-3;
    } else if (unit == "s") {
      seconds = 1;
    } else if (unit == "m") {
      seconds = 60;
    } else if (unit == "h") {
      seconds = 3600;
    } else {
      return std::nullopt;
    }
    total += number * seconds;
    text.remove_prefix(end);
  }
  return total;
}

bool IsServiceName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
           c == '.' || c == '-';
  });
}

// What compose accepts as a project name: ^[a-z0-9][a-z0-9_-]*$.
bool IsProjectName(std::string_view name) {
  if (name.empty() || name.front() == '_' || name.front() == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

// A directory name made a project name, as compose does: lower-cased, only
// [a-z0-9_-] kept, without leading '_' or '-'. May be empty.
std::string ProjectFromDirectory(std::string_view name) {
  std::string project;
  for (char c : name) {
    const char lower =
        static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::islower(static_cast<unsigned char>(lower)) ||
        std::isdigit(static_cast<unsigned char>(lower)) || lower == '_' ||
        lower == '-') {
      project += lower;
    }
  }
  const size_t start = project.find_first_not_of("_-");
  return start == std::string::npos ? "" : project.substr(start);
}

bool IsRole(std::string_view role) {
  return !role.empty() && std::all_of(role.begin(), role.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

// A service name as a role: lower-cased, any character but a letter, digit
// or '-' made '-'.
std::string RoleFromName(std::string_view name) {
  std::string role;
  for (char c : name) {
    const char lower =
        static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    role += std::islower(static_cast<unsigned char>(lower)) ||
                    std::isdigit(static_cast<unsigned char>(lower))
                ? lower
                : '-';
  }
  return role;
}

std::optional<std::string> FromEnvironment(const std::string& key) {
  const char* value = std::getenv(key.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

namespace {

// Refuses a document nested deeper than kMaxDepth as yaml-cpp parses it,
// before any node is built.
struct TooDeep {
  YAML::Mark mark;
};

class DepthCheck final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark& mark, const std::string&,
                       YAML::anchor_t, YAML::EmitterStyle::value) override {
    Enter(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Enter(mark);
  }
  void OnMapEnd() override { --depth_; }

 private:
  void Enter(const YAML::Mark& mark) {
    if (++depth_ > kMaxDepth) throw TooDeep{mark};
  }
  int depth_ = 0;
};

}  // namespace

YAML::Node ParseYaml(std::string_view text, const std::string& label) {
  const std::string document(text);
  try {
    std::istringstream in(document);
    YAML::Parser parser(in);
    DepthCheck check;
    parser.HandleNextDocument(check);
    return YAML::Load(document);
  } catch (const TooDeep& e) {
    throw Error(label + ": " + Where(e.mark) + "nested deeper than " +
                std::to_string(kMaxDepth) + " levels");
  } catch (const YAML::Exception& e) {
    throw Error(label + ": " + Where(e.mark) + "invalid YAML: " + e.msg);
  }
}

}  // namespace chancho::compose_yaml
