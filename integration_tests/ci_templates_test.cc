// The CI job templates under ci/templates, which cannot run here: each
// parses as YAML and uses only the keys that its CI system documents, and
// each covers the engine, the images' cache, the build, the tests with
// JUnit XML, and the failure bundle.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <regex>
#include <set>
#include <string>

#include "test_support/chancho_tree.h"

namespace chancho::testing {
namespace {

using ::testing::HasSubstr;

YAML::Node Load(const std::string& name) {
  return YAML::LoadFile((SourceDir() / "ci" / "templates" / name).string());
}

// The keys of `map` that `allowed` lacks, one per line.
std::string Unknown(const YAML::Node& map, const std::set<std::string>& allowed,
                    const std::string& where) {
  std::string out;
  for (const auto& entry : map) {
    const auto key = entry.first.as<std::string>();
    if (allowed.count(key) == 0) out += where + ": unknown key " + key + "\n";
  }
  return out;
}

// Every command the job runs, as one text.
std::string Commands(const YAML::Node& node) {
  std::string out;
  if (node.IsScalar()) return node.as<std::string>() + "\n";
  if (node.IsSequence() || node.IsMap()) {
    for (const auto& entry : node) {
      out += Commands(node.IsMap() ? entry.second : entry);
    }
  }
  return out;
}

// GitHub Actions: the workflow syntax's keys (docs.github.com, "Workflow
// syntax for GitHub Actions").
TEST(CiTemplatesTest, GitHubActionsWorkflowUsesDocumentedKeys) {
  const YAML::Node workflow = Load("github-actions.yml");
  ASSERT_TRUE(workflow.IsMap());
  EXPECT_EQ(Unknown(workflow,
                    {"name", "run-name", "on", "permissions", "env",
                     "defaults", "concurrency", "jobs"},
                    "workflow"),
            "");
  ASSERT_TRUE(workflow["on"]) << "no trigger";
  ASSERT_TRUE(workflow["jobs"].IsMap());
  const std::regex action(R"([\w.-]+/[\w./-]+@[\w.-]+)");
  for (const auto& job_entry : workflow["jobs"]) {
    const std::string job = job_entry.first.as<std::string>();
    const YAML::Node& body = job_entry.second;
    EXPECT_EQ(Unknown(body,
                      {"name", "needs", "permissions", "runs-on", "environment",
                       "concurrency", "outputs", "env", "defaults", "if",
                       "steps", "timeout-minutes", "strategy",
                       "continue-on-error", "container", "services"},
                      job),
              "");
    ASSERT_TRUE(body["runs-on"]) << job;
    ASSERT_TRUE(body["steps"].IsSequence()) << job;
    int index = 0;
    for (const auto& step : body["steps"]) {
      const std::string where = job + "/steps/" + std::to_string(index++);
      EXPECT_EQ(Unknown(step,
                        {"id", "if", "name", "uses", "run", "working-directory",
                         "shell", "with", "env", "continue-on-error",
                         "timeout-minutes"},
                        where),
                "");
      EXPECT_NE(static_cast<bool>(step["uses"]), static_cast<bool>(step["run"]))
          << where << ": a step has either uses or run";
      if (step["uses"]) {
        EXPECT_TRUE(std::regex_match(step["uses"].as<std::string>(), action))
            << where << ": " << step["uses"].as<std::string>();
      }
    }
  }
  const std::string text = Commands(workflow);
  EXPECT_THAT(text, HasSubstr("cmake --install"));
  EXPECT_THAT(text, HasSubstr("docker load"));
  EXPECT_THAT(text, HasSubstr("--output-junit"));
  EXPECT_THAT(text, HasSubstr("chancho\" collect"));
  EXPECT_THAT(text, HasSubstr("build/junit.xml"));
  EXPECT_THAT(text, HasSubstr("actions/cache@"));
  // The runs' report.html files go up as an artifact, pass or fail.
  EXPECT_THAT(YAML::Dump(workflow), HasSubstr("build/chancho-test-runs/**/report.html"));
}

// GitLab CI: the .gitlab-ci.yml keywords (docs.gitlab.com, "CI/CD YAML
// syntax reference").
TEST(CiTemplatesTest, GitLabCiUsesDocumentedKeywords) {
  const YAML::Node config = Load("gitlab-ci.yml");
  ASSERT_TRUE(config.IsMap());
  const std::set<std::string> global = {
      "default", "include", "stages", "variables", "workflow", "image",
      "services", "cache", "before_script", "after_script"};
  std::set<std::string> stages = {".pre", "build", "test", "deploy", ".post"};
  if (config["stages"]) {
    stages = {".pre", ".post"};
    for (const auto& stage : config["stages"]) stages.insert(stage.as<std::string>());
  }
  int jobs = 0;
  for (const auto& entry : config) {
    const std::string key = entry.first.as<std::string>();
    if (global.count(key) != 0 || key.starts_with(".")) continue;
    ++jobs;
    const YAML::Node& job = entry.second;
    EXPECT_EQ(Unknown(job,
                      {"after_script", "allow_failure", "artifacts",
                       "before_script", "cache", "coverage", "dependencies",
                       "environment", "extends", "image", "interruptible",
                       "needs", "parallel", "retry", "rules", "script",
                       "services", "stage", "tags", "timeout", "trigger",
                       "variables", "when"},
                      key),
              "");
    ASSERT_TRUE(job["script"].IsSequence()) << key << ": script";
    for (const auto& line : job["script"]) EXPECT_TRUE(line.IsScalar()) << key;
    if (job["stage"]) {
      EXPECT_EQ(stages.count(job["stage"].as<std::string>()), 1u) << key;
    }
    const YAML::Node& artifacts = job["artifacts"];
    ASSERT_TRUE(artifacts.IsMap()) << key;
    EXPECT_EQ(Unknown(artifacts,
                      {"paths", "exclude", "expose_as", "name", "public",
                       "untracked", "when", "expire_in", "reports"},
                      key + "/artifacts"),
              "");
    EXPECT_EQ(artifacts["reports"]["junit"].as<std::string>(), "build/junit.xml");
    EXPECT_EQ(artifacts["when"].as<std::string>(), "always");
  }
  EXPECT_EQ(jobs, 1);
  const std::string text = Commands(config);
  EXPECT_THAT(text, HasSubstr("cmake --install"));
  EXPECT_THAT(text, HasSubstr("docker load"));
  EXPECT_THAT(text, HasSubstr("--output-junit"));
  EXPECT_THAT(text, HasSubstr("chancho\" collect"));
  EXPECT_THAT(text, HasSubstr("dind"));
  EXPECT_THAT(YAML::Dump(config), HasSubstr("build/chancho-test-runs/**/report.html"));
}

}  // namespace
}  // namespace chancho::testing
