#pragma once

// The parts of ParseScenario (scenario.cc) that read the "faults" object,
// in scenario_faults.cc.

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "harness/faults/scenario.h"
#include "harness/spec/json_checker.h"

namespace chancho {

// Reads the "faults" object at `pointer` into s.seed, s.events,
// s.auto_kill and s.bombs; an error throws, naming its JSON pointer.
void ParseScenarioFaults(JsonChecker& check, const rapidjson::Value& v,
                         const std::string& pointer, Scenario& s);

// An array of strings at `pointer`.
std::vector<std::string> ScenarioStrings(const JsonChecker& check,
                                         const rapidjson::Value& v,
                                         const std::string& pointer);

}  // namespace chancho
