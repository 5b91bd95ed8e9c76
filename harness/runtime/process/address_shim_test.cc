// The address shim on the process runtime: two replicas of a service that
// binds 0.0.0.0 on one port, and a caller that finds each by name, all
// unaware of CHANCHO_BIND_IP and the hosts file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "harness/runtime/process/process_runtime.h"
#include "harness/runtime/runtime_options.h"

namespace chancho {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

// A Python server on 0.0.0.0:9555 that answers each connection with its
// name, then exits after serving one.
constexpr const char* kServer = R"(
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9555))
s.listen()
print("listening", flush=True)
while True:
    c, _ = s.accept()
    c.sendall(os.environ["NAME"].encode() + b"\n")
    c.close()
)";

// Connects to each of its arguments by name (port 9555) and prints what it
// read, then the address the name resolved to.
constexpr const char* kCaller = R"(
import socket, sys
for name in sys.argv[1:]:
    with socket.create_connection((name, 9555), timeout=10) as c:
        print("from", name, c.recv(100).decode().strip(),
              socket.gethostbyname(name), flush=True)
print("done", flush=True)
)";

ReplicaPlan Python(const std::string& name, const char* program,
                   std::vector<std::string> args = {}) {
  ReplicaPlan plan;
  plan.name = name;
  plan.service = name;
  plan.command = {"python3", "-c", program};
  plan.command.insert(plan.command.end(), args.begin(), args.end());
  plan.environment["NAME"] = name;
  return plan;
}

class AddressShimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("CHANCHO_BIN_DIR");
    ASSERT_NE(bin, nullptr) << "CHANCHO_BIN_DIR is not set; run through ctest";
    shim_ = AddressShimBeside(std::filesystem::path(bin) / "chancho");
    ASSERT_TRUE(std::filesystem::exists(shim_))
        << shim_ << " is missing; build chancho_address_shim";
    root_ = std::filesystem::temp_directory_path() /
            ("chancho-shim-test-" + std::to_string(::getpid()));
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<ProcessRuntime> Make(bool address_shim) {
    Deployment deployment;
    deployment.project = "shim";
    deployment.spec_dir = root_;
    deployment.address_shim = address_shim;
    for (const char* name : {"echo-1", "echo-2"}) {
      ReplicaPlan server = Python(name, kServer);
      server.readiness.kind = Readiness::Kind::kLogLine;
      server.readiness.pattern = "^listening$";
      deployment.replicas.push_back(server);
    }
    ReplicaPlan caller = Python("caller", kCaller, {"echo-1", "echo-2"});
    caller.depends_on = {"echo-1", "echo-2"};
    deployment.replicas.push_back(caller);
    RuntimeOptions options;
    options.runs_root = root_;
    options.address_shim = shim_;
    return std::make_unique<ProcessRuntime>(std::move(deployment), options);
  }

  std::filesystem::path shim_;
  std::filesystem::path root_;
};

TEST_F(AddressShimTest, TwoReplicasOnOnePortFoundByName) {
  auto runtime = Make(true);
  runtime->Up();
  const auto caller = runtime->WaitExit("caller", seconds(30));
  ASSERT_TRUE(caller.has_value()) << runtime->Logs("caller");
  EXPECT_EQ(caller->exit_code, 0) << runtime->Logs("caller");
  const std::string out = runtime->Logs("caller");
  // Each name reached its own replica, at that replica's own address.
  EXPECT_THAT(out, HasSubstr("from echo-1 echo-1 " +
                             runtime->Status("echo-1").address + "\n"));
  EXPECT_THAT(out, HasSubstr("from echo-2 echo-2 " +
                             runtime->Status("echo-2").address + "\n"));
  EXPECT_THAT(out, HasSubstr("done\n"));
}

TEST_F(AddressShimTest, WithoutItTheSecondReplicaCannotBind) {
  auto runtime = Make(false);
  EXPECT_ANY_THROW(runtime->Up());
  EXPECT_THAT(runtime->Logs("echo-2") + runtime->Logs("echo-1"),
              HasSubstr("Address already in use"));
}

}  // namespace
}  // namespace chancho
