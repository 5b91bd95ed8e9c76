#include "harness/runtime/docker/docker_inspect.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/error.h"

namespace chancho {
namespace {

using std::chrono::system_clock;
using ::testing::HasSubstr;

// Trimmed from `docker inspect` of engine 20.10: one running container, one
// that was killed with SIGKILL.
constexpr char kContainers[] = R"([
  {
    "Id": "8c27a6dceeb38a6433488e28d29552379084cdfa23041868658be6793d9019d9",
    "Created": "2026-11-24T04:46:33.193986867Z",
    "Path": "tp0-server",
    "State": {
      "Status": "running", "Running": true, "Paused": false,
      "Restarting": false, "OOMKilled": false, "Dead": false,
      "Pid": 30194, "ExitCode": 0, "Error": "",
      "StartedAt": "2026-11-24T04:46:34.976114041Z",
      "FinishedAt": "0001-01-01T00:00:00Z"
    },
    "Name": "/tp0-x-server",
    "RestartCount": 0,
    "Config": {
      "Labels": {"com.chancho.project": "tp0", "com.chancho.run": "x"}
    },
    "NetworkSettings": {
      "Networks": {
        "tp0-x_testing_net": {"IPAddress": "172.25.125.2", "Aliases": null}
      }
    }
  },
  {
    "Id": "405753822d42",
    "State": {
      "Status": "exited", "Pid": 0, "ExitCode": 137,
      "StartedAt": "2026-11-24T04:46:37.461912676Z",
      "FinishedAt": "2026-11-24T04:46:46.406023774Z"
    },
    "Name": "/client1",
    "Config": {"Labels": null},
    "NetworkSettings": {"Networks": {"n": {"IPAddress": ""}}}
  }
])";

TEST(ParseContainerInspectTest, ReadsStateLabelsAndAddresses) {
  const auto infos = ParseContainerInspect(kContainers);
  ASSERT_EQ(infos.size(), 2u);
  const ContainerInfo& server = infos[0];
  EXPECT_EQ(server.name, "tp0-x-server");
  EXPECT_EQ(server.status, "running");
  EXPECT_EQ(server.pid, 30194);
  EXPECT_EQ(server.exit_code, 0);
  EXPECT_EQ(server.started_at, "2026-11-24T04:46:34.976114041Z");
  EXPECT_EQ(server.finished_at, "");  // Go's zero time: never
  EXPECT_EQ(server.labels.at("com.chancho.run"), "x");
  EXPECT_EQ(server.networks.at("tp0-x_testing_net"), "172.25.125.2");
  EXPECT_EQ(StateOf(server), ReplicaState::kRunning);

  const ContainerInfo& client = infos[1];
  EXPECT_EQ(client.name, "client1");
  EXPECT_EQ(client.exit_code, 137);
  EXPECT_TRUE(client.labels.empty());
  EXPECT_EQ(client.networks.at("n"), "");
  EXPECT_EQ(StateOf(client), ReplicaState::kExited);
}

TEST(ParseContainerInspectTest, EmptyArray) {
  EXPECT_TRUE(ParseContainerInspect("[]").empty());
}

TEST(ParseContainerInspectTest, ErrorsNameTheField) {
  EXPECT_THROW(ParseContainerInspect("not json"), Error);
  EXPECT_THROW(ParseContainerInspect("{}"), Error);
  try {
    ParseContainerInspect(R"([{"Id": "a", "State": {"Pid": "x"}}])");
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "docker inspect/State/Pid: expected an integer");
  }
  EXPECT_THROW(ParseContainerInspect(R"([{"Id": "a"}])"), Error);  // no State
}

// The message of the Error that `parse` throws on `json`.
template <typename Parse>
std::string ErrorOf(Parse parse, const std::string& json) {
  try {
    parse(json);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ParseContainerInspectTest, DeepNestingIsRefusedOnOneLine) {
  EXPECT_EQ(ErrorOf(ParseContainerInspect, std::string(100000, '[')),
            "docker inspect: offset 128: nesting too deep (more than 128 "
            "levels)");
  EXPECT_EQ(ErrorOf(ParseNetworkInspect, "[" + std::string(100000, '{')),
            "docker network inspect: invalid JSON at offset 2: Missing a name "
            "for object member.");
  std::string objects = "[";
  for (int i = 0; i < 100000; ++i) objects += R"({"Labels":)";
  EXPECT_EQ(ErrorOf(ParseNetworkInspect, objects),
            "docker network inspect: offset 1271: nesting too deep (more than "
            "128 levels)");
}

TEST(ParseNetworkInspectTest, ReadsLabelsAndSubnets) {
  const auto networks = ParseNetworkInspect(R"([
    {"Name": "bridge", "Id": "71c8", "IPAM": {"Driver": "default",
     "Options": null, "Config": [{"Subnet": "172.17.0.0/16"}]},
     "Labels": {}},
    {"Name": "tp0-x_testing_net", "Id": "38c1", "IPAM": {"Config": []},
     "Labels": {"com.chancho.owner-pid": "12"},
     "Containers": {"5f2a": {"Name": "tp0-x-server"},
                    "ep-9b1c": {"Name": "tp0-x-client-1"}}},
    {"Name": "host", "Id": "8cee", "IPAM": {"Config": null}, "Labels": null,
     "Containers": {}}
  ])");
  ASSERT_EQ(networks.size(), 3u);
  EXPECT_EQ(networks[0].subnets, std::vector<std::string>{"172.17.0.0/16"});
  EXPECT_EQ(networks[1].labels.at("com.chancho.owner-pid"), "12");
  EXPECT_TRUE(networks[2].subnets.empty());
  EXPECT_EQ(networks[0].attached, 0u);  // no "Containers" at all
  EXPECT_EQ(networks[1].attached, 2u);
  EXPECT_EQ(networks[2].attached, 0u);
}

TEST(ParseNetworkInspectTest, ContainersMustBeAnObject) {
  try {
    ParseNetworkInspect(R"([{"Name": "n", "Id": "1", "Containers": []}])");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Containers"), std::string::npos)
        << e.what();
  }
}

TEST(StateOfTest, EveryDockerStatus) {
  ContainerInfo info;
  const std::pair<const char*, ReplicaState> cases[] = {
      {"created", ReplicaState::kCreated},
      {"running", ReplicaState::kRunning},
      {"restarting", ReplicaState::kRunning},
      {"paused", ReplicaState::kPaused},
      {"exited", ReplicaState::kExited},
      {"dead", ReplicaState::kExited},
      {"removing", ReplicaState::kExited}};
  for (const auto& [status, state] : cases) {
    info.status = status;
    EXPECT_EQ(StateOf(info), state) << status;
  }
}

TEST(NormaliseExitTest, SignalsAre128PlusN) {
  EXPECT_EQ(NormaliseExit(137).term_signal, 9);
  EXPECT_FALSE(NormaliseExit(137).exit_code.has_value());
  EXPECT_EQ(NormaliseExit(143).term_signal, 15);
  EXPECT_EQ(NormaliseExit(0).exit_code, 0);
  EXPECT_FALSE(NormaliseExit(0).term_signal.has_value());
  EXPECT_EQ(NormaliseExit(1).exit_code, 1);
  EXPECT_EQ(NormaliseExit(128).exit_code, 128);
  EXPECT_EQ(NormaliseExit(255).exit_code, 255);
}

TEST(ParseContainerEventTest, ADieEventHasTheNameCodeAndTime) {
  const auto event = ParseContainerEvent(
      R"({"Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":)"
      R"({"name":"server","exitCode":"137"}},"time":1700000000,"timeNano":1700000000123456789})");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->container, "server");
  EXPECT_EQ(event->action, "die");
  EXPECT_EQ(event->exit_code, 137);
  EXPECT_EQ(event->time.time_since_epoch(), std::chrono::nanoseconds(1700000000123456789));
  EXPECT_FALSE(ParseContainerEvent(R"({"Type":"network","Action":"connect"})"));
}

// Found by fuzz_docker: a "time" in seconds beyond what the clock holds in
// nanoseconds overflowed in the conversion (undefined behaviour); now it is
// an error of one line.
TEST(ParseContainerEventTest, ATimeOutOfRangeIsAnError) {
  for (const char* time : {"17000100000", "-5", "9223372036854775807"}) {
    const std::string line =
        std::string(R"({"Type":"container","Action":"die","Actor":{"Attributes":)"
                    R"({"name":"server"}},"time":)") + time + "}";
    try {
      ParseContainerEvent(line);
      ADD_FAILURE() << "accepted time " << time;
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr("out of range")) << time;
    }
  }
}

TEST(ParseDockerTimeTest, NanosecondsAndOffsets) {
  const auto t = ParseDockerTime("2026-11-24T04:46:34.976114041Z");
  ASSERT_TRUE(t.has_value());
  const auto since_epoch =
      std::chrono::duration_cast<std::chrono::microseconds>(
          t->time_since_epoch());
  EXPECT_EQ(since_epoch.count(), 1795495594976114LL);
  EXPECT_EQ(ParseDockerTime("2026-11-24T01:46:34.976114041-03:00"), t);
  EXPECT_EQ(ParseDockerTime("2026-11-24T04:46:34Z")->time_since_epoch(),
            std::chrono::seconds(1795495594));
}

TEST(ParseDockerTimeTest, ZeroTimeAndGarbage) {
  EXPECT_FALSE(ParseDockerTime("0001-01-01T00:00:00Z").has_value());
  EXPECT_FALSE(ParseDockerTime("").has_value());
  EXPECT_FALSE(ParseDockerTime("2026-11-24 04:46:34Z").has_value());
  EXPECT_FALSE(ParseDockerTime("2026-11-24T04:46:34.Z").has_value());
  EXPECT_FALSE(ParseDockerTime("2026-13-24T04:46:34Z").has_value());
  EXPECT_FALSE(ParseDockerTime("2026-11-24T04:46:34").has_value());
}

}  // namespace
}  // namespace chancho
