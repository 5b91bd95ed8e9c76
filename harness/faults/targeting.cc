#include "harness/faults/targeting.h"

#include "common/user_regex.h"
#include "harness/spec/json_parse.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>

#include "common/error.h"

namespace chancho {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

Selector ParseSelector(std::string_view text) {
  Selector s;
  const auto colon = text.find(':');
  const std::string_view kind = colon == std::string_view::npos
                                    ? std::string_view("name")
                                    : text.substr(0, colon);
  const std::string rest(colon == std::string_view::npos ? text
                                                         : text.substr(colon + 1));
  if (rest.empty() && kind != "random") {
    throw Error("target '" + std::string(text) + "': nothing after '" +
                std::string(kind) + ":'");
  }
  if (kind == "name") {
    s.kind = Selector::Kind::kName;
  } else if (kind == "prefix") {
    s.kind = Selector::Kind::kPrefix;
  } else if (kind == "role") {
    s.kind = Selector::Kind::kRole;
  } else if (kind == "regex") {
    s.kind = Selector::Kind::kRegex;
    try {
      CompileUserRegex(rest);
    } catch (const std::regex_error& e) {
      throw Error("target '" + std::string(text) + "': invalid regex: " +
                  e.what());
    }
  } else if (kind == "random") {
    s.kind = Selector::Kind::kRandom;
    const auto second = rest.find(':');
    const std::string count = rest.substr(0, second);
    if (count.empty() || count.size() > 6 ||
        count.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(count) < 1) {
      throw Error("target '" + std::string(text) +
                  "': random needs a positive count, as in random:3");
    }
    s.count = std::stoi(count);
    if (second != std::string::npos) s.pattern = rest.substr(second + 1);
    return s;
  } else {
    throw Error("target '" + std::string(text) +
                "': expected NAME, name:, prefix:, regex:, role: or random:K");
  }
  s.pattern = rest;
  return s;
}

std::string ToString(const Selector& s) {
  switch (s.kind) {
    case Selector::Kind::kName:
      return s.pattern;
    case Selector::Kind::kPrefix:
      return "prefix:" + s.pattern;
    case Selector::Kind::kRegex:
      return "regex:" + s.pattern;
    case Selector::Kind::kRole:
      return "role:" + s.pattern;
    case Selector::Kind::kRandom:
      return "random:" + std::to_string(s.count) +
             (s.pattern.empty() ? "" : ":" + s.pattern);
  }
  return s.pattern;
}

Exclusions ExclusionsOf(const Deployment& deployment) {
  Exclusions exclusions;
  exclusions.roles = {deployment.spare_roles.begin(),
                      deployment.spare_roles.end()};
  exclusions.keep_one = {deployment.keep_one_roles.begin(),
                         deployment.keep_one_roles.end()};
  return exclusions;
}

Exclusions ReadExclusions(const std::filesystem::path& deployment_json) {
  std::ifstream in(deployment_json, std::ios::binary);
  if (!in) throw Error(deployment_json.string() + ": cannot read");
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  rapidjson::Document doc;
  ParseJson(doc, text, deployment_json.string());
  if (!doc.IsObject()) {
    throw Error(deployment_json.string() + ": expected a JSON object");
  }
  Exclusions exclusions;
  const auto roles = [&](const char* key, std::set<std::string>& out) {
    const auto it = doc.FindMember(key);
    if (it == doc.MemberEnd()) return;
    if (!it->value.IsArray()) {
      throw Error(deployment_json.string() + ": /" + key +
                  ": expected an array of roles");
    }
    out.clear();
    for (const auto& role : it->value.GetArray()) {
      if (!role.IsString()) {
        throw Error(deployment_json.string() + ": /" + key +
                    ": expected an array of roles");
      }
      out.insert(role.GetString());
    }
  };
  roles("spare", exclusions.roles);
  roles("keep_one", exclusions.keep_one);
  return exclusions;
}

Exclusions NoExclusions() {
  Exclusions none;
  none.roles.clear();
  return none;
}

std::vector<std::string> Eligible(const std::vector<ReplicaStatus>& replicas,
                                  const Exclusions& exclusions) {
  std::vector<std::string> names;
  std::map<std::string, std::string> kept;  // role -> first replica by name
  for (const auto& r : replicas) {
    if (exclusions.keep_one.count(r.role) == 0) continue;
    auto [it, added] = kept.emplace(r.role, r.name);
    if (!added && r.name < it->second) it->second = r.name;
  }
  for (const auto& r : replicas) {
    const auto k = kept.find(r.role);
    if (exclusions.roles.count(r.role) != 0 ||
        exclusions.names.count(r.name) != 0 ||
        (k != kept.end() && k->second == r.name)) {
      continue;
    }
    names.push_back(r.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> PickRandom(std::vector<std::string> names, int count,
                                    std::mt19937_64& rng) {
  std::sort(names.begin(), names.end());
  const std::size_t k = std::min<std::size_t>(count, names.size());
  // A partial Fisher-Yates shuffle with plain modulo: the same seed gives the
  // same picks with any standard library.
  for (std::size_t i = 0; i < k; ++i) {
    const std::size_t j = i + rng() % (names.size() - i);
    std::swap(names[i], names[j]);
  }
  names.resize(k);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> Select(const Selector& selector,
                                const std::vector<ReplicaStatus>& replicas,
                                const Exclusions& exclusions,
                                std::mt19937_64& rng) {
  const std::vector<std::string> eligible = Eligible(replicas, exclusions);
  std::vector<std::string> out;
  if (selector.kind == Selector::Kind::kRandom) {
    std::vector<std::string> pool;
    for (const auto& n : eligible) {
      if (StartsWith(n, selector.pattern)) pool.push_back(n);
    }
    out = PickRandom(pool, selector.count, rng);
  } else {
    const std::regex re = CompileUserRegex(selector.kind == Selector::Kind::kRegex
                            ? selector.pattern
                            : std::string("$^"));
    for (const auto& r : replicas) {
      if (std::find(eligible.begin(), eligible.end(), r.name) ==
          eligible.end()) {
        continue;
      }
      bool hit = false;
      switch (selector.kind) {
        case Selector::Kind::kName:
          hit = r.name == selector.pattern;
          break;
        case Selector::Kind::kPrefix:
          hit = StartsWith(r.name, selector.pattern);
          break;
        case Selector::Kind::kRegex:
          hit = std::regex_search(r.name, re);
          break;
        case Selector::Kind::kRole:
          hit = r.role == selector.pattern || r.service == selector.pattern;
          break;
        case Selector::Kind::kRandom:
          break;
      }
      if (hit) out.push_back(r.name);
    }
    std::sort(out.begin(), out.end());
  }
  if (out.empty()) {
    bool exists = false;
    for (const auto& r : replicas) exists |= r.name == selector.pattern;
    std::string spared;
    for (const auto& role : exclusions.roles) {
      spared += (spared.empty() ? "" : ", ") + role;
    }
    for (const auto& name : exclusions.names) {
      spared += (spared.empty() ? "" : ", ") + name;
    }
    for (const auto& role : exclusions.keep_one) {
      spared += (spared.empty() ? "" : ", ") + std::string("the last ") + role;
    }
    throw Error("target '" + ToString(selector) + "' selects no replica" +
                (exists ? " (it is excluded; spared: " + spared + ")" : ""));
  }
  return out;
}

}  // namespace chancho
