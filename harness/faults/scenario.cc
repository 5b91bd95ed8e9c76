#include "harness/faults/scenario.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "common/error.h"
#include "harness/compose/compose_import.h"
#include "harness/deploy/deployment.h"
#include "harness/runtime/runtime_options.h"
#include "harness/faults/scenario_faults.h"
#include "harness/faults/trigger_watch.h"
#include "harness/runtime/control/control_commands.h"
#include "harness/spec/json_checker.h"
#include "harness/spec/json_parse.h"

namespace chancho {
namespace {

namespace fs = std::filesystem;
using rapidjson::Value;
using std::chrono::milliseconds;

}  // namespace

Scenario ParseScenario(const std::string& text, const fs::path& file,
                       const fs::path& cache_dir) {
  JsonChecker check(file.string());
  rapidjson::Document doc;
  ParseJson(doc, text, file.string());
  check.ExpectObject(doc, "");
  Scenario s;
  s.file = file;
  s.cache_dir = cache_dir.empty() ? fs::current_path() / ".chancho" / "cache"
                                  : fs::absolute(cache_dir);
  s.text = text;
  s.name = file.stem().string();
  const fs::path dir = file.parent_path();
  for (const auto& m : doc.GetObject()) {
    const std::string key = JsonString(m.name);
    const std::string p = JsonPointerChild("", key);
    const Value& v = m.value;
    if (key == "name") {
      s.name = check.NonEmptyString(v, p);
    } else if (key == "spec") {
      s.spec = dir / check.NonEmptyString(v, p);
    } else if (key == "compose") {
      s.compose = dir / check.NonEmptyString(v, p);
    } else if (key == "defaults") {
      s.defaults = dir / check.NonEmptyString(v, p);
    } else if (key == "runtime") {
      s.runtime = check.String(v, p);
      if (!ParseRuntimeKind(s.runtime)) {
        check.Expected(p, "\"process\", \"docker\" or \"swarm\"", v);
      }
    } else if (key == "replicas") {
      s.replicas = check.PositiveInt(v, p);
    } else if (key == "spare") {
      if (!v.IsArray()) check.Expected(p, "an array of roles", v);
      s.spare.emplace();
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        s.spare->push_back(check.NonEmptyString(v[i], JsonPointerChild(p, i)));
      }
    } else if (key == "environment") {
      check.ExpectObject(v, p);
      for (const auto& service : v.GetObject()) {
        const std::string sp = JsonPointerChild(p, JsonString(service.name));
        check.ExpectObject(service.value, sp);
        auto& env = s.environment[JsonString(service.name)];
        for (const auto& var : service.value.GetObject()) {
          env[JsonString(var.name)] = check.ScalarText(
              var.value, JsonPointerChild(sp, JsonString(var.name)));
        }
      }
    } else if (key == "setup") {
      if (!v.IsArray()) check.Expected(p, "an array of steps", v);
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        const std::string sp = JsonPointerChild(p, i);
        check.ExpectObject(v[i], sp);
        check.Require(v[i], sp, "command");
        SetupStep step;
        step.command = ScenarioStrings(check, v[i]["command"], JsonPointerChild(sp, "command"));
        if (step.command.empty()) {
          check.Fail(JsonPointerChild(sp, "command"), "empty command");
        }
        if (v[i].HasMember("creates")) {
          step.creates = check.String(v[i]["creates"], JsonPointerChild(sp, "creates"));
        }
        s.setup.push_back(std::move(step));
      }
    } else if (key == "clients") {
      s.clients = ScenarioStrings(check, v, p);
    } else if (key == "known_good") {
      s.known_good = dir / ExpandPlaceholders(check.NonEmptyString(v, p), s);
    } else if (key == "faults") {
      ParseScenarioFaults(check, v, p, s);
    } else if (key == "network") {
      const auto parse_one = [&check, &s](const Value& n, const std::string& np) {
        check.ExpectObject(n, np);
        check.Require(n, np, "upstream");
        check.Require(n, np, "port");
        ScenarioNetwork one;
        one.upstream = check.NonEmptyString(n["upstream"], JsonPointerChild(np, "upstream"));
        one.port = check.PositiveInt(n["port"], JsonPointerChild(np, "port"));
        if (one.port > 65535) check.Fail(JsonPointerChild(np, "port"), "port above 65535");
        for (const ScenarioNetwork& other : s.networks) {
          if (other.upstream == one.upstream && other.port == one.port) {
            check.Fail(np, "lists " + one.upstream + ":" + std::to_string(one.port) +
                               " twice");
          }
        }
        s.networks.push_back(one);
      };
      if (v.IsArray()) {
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
          parse_one(v[i], JsonPointerChild(p, i));
        }
        if (s.networks.empty()) check.Fail(p, "lists no upstream");
      } else {
        parse_one(v, p);
      }
    } else if (key == "timeouts") {
      check.ExpectObject(v, p);
      for (const auto& t : v.GetObject()) {
        const std::string k = JsonString(t.name);
        const std::string tp = JsonPointerChild(p, k);
        if (k == "clients") {
          s.clients_timeout = milliseconds(static_cast<long long>(
              check.PositiveSeconds(t.value, tp) * 1000));
        } else {
          check.Warn(tp, k);
        }
      }
    } else {
      check.Warn(p, key);
    }
  }
  if (s.spec.empty() == s.compose.empty()) {
    check.Fail("", "needs \"spec\" (a compose-spec.json) or \"compose\" (a "
                   "docker-compose file of your own), one of the two");
  }
  if (!s.compose.empty()) {
    if (s.runtime != "docker") {
      check.Fail("/runtime", "\"compose\" runs on \"docker\"");
    }
    if (!s.environment.empty()) {
      check.Fail("/environment", "the services of a compose file take their "
                                 "environment from the file");
    }
    if (!s.defaults.empty()) {
      check.Fail("/defaults", "service defaults apply to a spec, not to a "
                              "compose file");
    }
  }
  if (s.auto_kill && s.auto_kill->until < milliseconds(0)) {
    s.auto_kill->until = s.clients_timeout;
  }
  const bool network_faults = std::any_of(
      s.events.begin(), s.events.end(),
      [](const ScenarioEvent& e) { return e.kind == FaultKind::kLink; });
  if (network_faults && s.networks.empty()) {
    check.Fail("/network",
               "network actions need \"network\": {\"upstream\": NAME, "
               "\"port\": PORT}");
  }
  for (std::size_t i = 0; i < s.events.size(); ++i) {
    const std::string& upstream = s.events[i].link.upstream;
    if (upstream.empty()) continue;
    if (std::none_of(s.networks.begin(), s.networks.end(),
                     [&](const ScenarioNetwork& n) { return n.upstream == upstream; })) {
      check.Fail("/faults/events/" + std::to_string(i) + "/upstream",
                 "\"" + upstream + "\" is not an upstream of \"network\"");
    }
  }
  return s;
}

Scenario LoadScenario(const fs::path& file, const fs::path& cache_dir) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string() + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseScenario(text.str(), fs::absolute(file), cache_dir);
}

std::string ExpandPlaceholders(const std::string& text, const Scenario& s) {
  std::string out = text;
  const std::pair<std::string, std::string> subs[] = {
      {"{cache}", s.cache_dir.string()},
      {"{scenario_dir}", s.file.parent_path().string()}};
  for (const auto& [from, to] : subs) {
    for (auto pos = out.find(from); pos != std::string::npos;
         pos = out.find(from, pos + to.size())) {
      out.replace(pos, from.size(), to);
    }
  }
  return out;
}

Deployment ScenarioDeployment(const Scenario& s, const Spec& spec) {
  if (s.compose.empty()) return Plan(spec);
  ImportedCompose imported = ImportCompose(s.compose, {});
  imported.spec = spec;
  return PlanImported(imported);
}

Spec ScenarioSpec(const Scenario& s) {
  Spec spec = s.compose.empty() ? LoadSpec(s.spec, s.defaults)
                                : ImportCompose(s.compose, {}).spec;
  for (auto& service : spec.services) {
    // The services that scale: workers (the default role) of more than
    // one replica.
    if (s.replicas && service.role == "worker" && service.replicas > 1) {
      service.replicas = *s.replicas;
    }
    if (auto env = s.environment.find(service.name); env != s.environment.end()) {
      for (const auto& [name, v] : env->second) {
        const std::string& k = name;  // a lambda below captures it
        const std::string value = ExpandPlaceholders(v, s);
        // A variable that a mounted config file carries names that file's
        // host path: the mount's source changes, so the replica sees the
        // host path under ProcessRuntime and the mount point under Docker.
        auto file = std::find_if(service.config_files.begin(),
                                 service.config_files.end(),
                                 [&](const ConfigFile& f) { return f.env == k; });
        if (file != service.config_files.end()) {
          file->source = value;
        } else {
          service.environment[k] = value;
        }
      }
    }
  }
  return spec;
}

std::vector<ReplicaStatus> PlannedReplicas(const Spec& spec) {
  std::vector<ReplicaStatus> out;
  for (const auto& r : Plan(spec).replicas) {
    ReplicaStatus s;
    s.name = r.name;
    s.service = r.service;
    s.role = r.role;
    s.state = ReplicaState::kRunning;
    out.push_back(std::move(s));
  }
  return out;
}

Exclusions ScenarioExclusions(const Scenario& scenario,
                              const Deployment& deployment) {
  Exclusions exclusions = ExclusionsOf(deployment);
  if (scenario.spare) {
    exclusions.roles = {scenario.spare->begin(), scenario.spare->end()};
  }
  return exclusions;
}

std::vector<FaultEvent> BuildPlan(const Scenario& s,
                                  const std::vector<ReplicaStatus>& replicas,
                                  std::uint64_t seed,
                                  const Exclusions& exclusions) {
  std::mt19937_64 rng(seed);
  std::vector<FaultEvent> plan;
  for (const auto& e : s.events) {
    FaultEvent f;
    f.id = "events/" + std::to_string(plan.size());
    f.trigger = e.on;
    f.at = e.at;
    f.kind = e.kind;
    f.signal = e.signal;
    f.grace = e.grace;
    f.link = e.link;
    f.origin = "event";
    // Explicit exact names may hit anything; the rest spares the excluded.
    Exclusions ex = exclusions;
    if (e.target.kind == Selector::Kind::kName) {
      ex.roles.clear();
      ex.keep_one.clear();
    }
    f.targets = Select(e.target, replicas, ex, rng);
    plan.push_back(std::move(f));
  }
  const auto eligible = Eligible(replicas, exclusions);
  if (s.auto_kill) {
    auto more = PlanAutoKill(*s.auto_kill, eligible, rng());
    plan.insert(plan.end(), more.begin(), more.end());
  }
  for (std::size_t i = 0; i < s.bombs.size(); ++i) {
    FaultEvent bomb = PlanBomb(s.bombs[i].at, eligible);
    bomb.id = "bomb/" + std::to_string(i);
    bomb.trigger = s.bombs[i].on;
    plan.push_back(std::move(bomb));
  }
  CheckTriggers(plan, replicas);
  std::stable_sort(plan.begin(), plan.end(),
                   [](const FaultEvent& a, const FaultEvent& b) { return a.at < b.at; });
  return plan;
}

std::vector<ProxiedLink> PlanLinks(const Scenario& s,
                                   const std::vector<FaultEvent>& plan) {
  std::vector<ProxiedLink> links;
  for (const FaultEvent& e : plan) {
    if (e.kind != FaultKind::kLink) continue;
    if (s.networks.empty()) {
      throw Error(s.file.string() +
                  ": the plan has network faults and the scenario no "
                  "\"network\" upstream");
    }
    bool named = e.link.upstream.empty();
    for (const ScenarioNetwork& network : s.networks) {
      if (!e.link.upstream.empty() && network.upstream != e.link.upstream) continue;
      named = true;
      for (const std::string& target : e.targets) {
        const ProxiedLink link{target, network.upstream, network.port};
        if (std::find(links.begin(), links.end(), link) == links.end()) {
          links.push_back(link);
        }
      }
    }
    if (!named) {
      throw Error(s.file.string() + ": event " + e.id + " names the upstream \"" +
                  e.link.upstream + "\", which \"network\" does not list");
    }
  }
  return links;
}

}  // namespace chancho
