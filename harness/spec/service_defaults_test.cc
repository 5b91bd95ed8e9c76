#include "harness/spec/service_defaults.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "harness/spec/spec.h"

namespace chancho {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ServiceDefaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("chancho-defaults-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "spec");
    std::filesystem::create_directories(dir_ / "defaults");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path Write(const std::string& name,
                              const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(ServiceDefaultsTest, FillsRenamesAndAdds) {
  const auto defaults = Write("defaults/d.json", R"({
    "aliases": {"ml": "sentiment"},
    "spare": ["broker"],
    "services": {
      "sentiment": {"command": ["movies-node"], "role": "worker",
                    "log_level": "DEBUG", "depends_on": ["broker"]},
      "filter": {"command": "movies-node", "image": "chancho/movies:latest",
                 "config_files": [{"source": "data", "target": "/data",
                                   "env": "DATA_DIR"}]}
    },
    "add": [{"name": "broker", "role": "broker", "command": "rabbit"},
            {"name": "filter", "command": "never-added"}]
  })");
  const auto spec_file = Write("spec/s.json", R"({
    "name": "seed",
    "services": [
      {"name": "ml", "log_level": "INFO", "replicas": 2},
      {"name": "filter", "output_nodes": ["ml"],
       "input_routing_key": ["a", "b"], "storage": "/var/st"}
    ]
  })");
  const Spec spec = LoadSpec(spec_file, defaults);
  ASSERT_EQ(spec.services.size(), 3u);
  const ServiceSpec& sentiment = spec.services[0];
  EXPECT_EQ(sentiment.name, "sentiment");
  EXPECT_THAT(sentiment.command, ElementsAre("movies-node"));
  // The spec's own keys win over the defaults'.
  EXPECT_EQ(sentiment.seed_variables.at("LOG_LEVEL"), "INFO");
  EXPECT_EQ(sentiment.replicas, 2);
  const ServiceSpec& filter = spec.services[1];
  EXPECT_THAT(filter.output_nodes.at("output_nodes"), ElementsAre("sentiment"));
  EXPECT_EQ(filter.seed_variables.at("INPUT_ROUTING_KEY"), "a,b");
  EXPECT_TRUE(filter.storage);
  EXPECT_EQ(filter.storage_dir, "/var/st");
  ASSERT_EQ(filter.config_files.size(), 1u);
  // Relative to the defaults file, not to the spec.
  EXPECT_EQ(filter.config_files[0].source, (dir_ / "defaults" / "data").string());
  EXPECT_EQ(spec.services[2].name, "broker");
  EXPECT_EQ(spec.spare, (std::vector<std::string>{"broker"}));
}

TEST_F(ServiceDefaultsTest, TheSpecMayNameItsDefaults) {
  Write("spec/d.json", R"({"services": {"a": {"command": "x"}}})");
  const auto spec_file = Write(
      "spec/s.json",
      R"({"name": "p", "defaults": "d.json", "services": [{"name": "a"}]})");
  const Spec spec = LoadSpec(spec_file);
  EXPECT_THAT(spec.services[0].command, ElementsAre("x"));
  EXPECT_TRUE(spec.warnings.empty());
}

TEST_F(ServiceDefaultsTest, BadDefaultsAreOneLineErrors) {
  const auto spec_file =
      Write("spec/s.json", R"({"name": "p", "services": [{"name": "a"}]})");
  const auto error = [&](const std::string& defaults) {
    try {
      LoadSpec(spec_file, Write("defaults/bad.json", defaults));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(error("[1]"), HasSubstr("bad.json: expected a JSON object"));
  EXPECT_THAT(error(R"({"aliases": []})"),
              HasSubstr("bad.json: /aliases: expected an object"));
  EXPECT_THAT(error(R"({"aliases": {"a": 1}})"),
              HasSubstr("bad.json: /aliases/a: expected a service name"));
  EXPECT_THAT(error(R"({"add": {}})"),
              HasSubstr("bad.json: /add: expected an array of services"));
  EXPECT_THAT(error(R"({"services": {"a": 3}})"),
              HasSubstr("bad.json: /services/a: expected an object"));
  EXPECT_THAT(error("{"), HasSubstr("bad.json"));
  try {
    LoadSpec(spec_file, dir_ / "missing.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("missing.json: cannot read"));
  }
}

}  // namespace
}  // namespace chancho
