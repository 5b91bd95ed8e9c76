#include "system/common/bind_address.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace chancho::common {
namespace {

EnvLookup FixedEnv(std::map<std::string, std::string> vars) {
  return
      [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
      };
}

TEST(BindAddressTest, ConfiguredThenRuntimeThenAnyAddress) {
  const EnvLookup with_ip = FixedEnv({{kBindIpEnv, "127.5.0.3"}});
  EXPECT_EQ(BindAddress("10.0.0.1", with_ip), "10.0.0.1");
  EXPECT_EQ(BindAddress("", with_ip), "127.5.0.3");
  EXPECT_EQ(BindAddress("", FixedEnv({})), "0.0.0.0");
}

TEST(SourceAddressTest, OnlyWhenTheRuntimeSetsOne) {
  EXPECT_EQ(SourceAddress(FixedEnv({{kBindIpEnv, "127.5.0.4"}})), "127.5.0.4");
  EXPECT_EQ(SourceAddress(FixedEnv({})), std::nullopt);
}

}  // namespace
}  // namespace chancho::common
