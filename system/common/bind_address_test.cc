#include "system/common/bind_address.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace chancho::common {
namespace {

TEST(BindAddressTest, ConfiguredThenRuntimeThenAnyAddress) {
  const EnvLookup with_ip = MapEnv({{kBindIpEnv, "127.5.0.3"}});
  EXPECT_EQ(BindAddress("10.0.0.1", with_ip), "10.0.0.1");
  EXPECT_EQ(BindAddress("", with_ip), "127.5.0.3");
  EXPECT_EQ(BindAddress("", MapEnv({})), "0.0.0.0");
}

TEST(SourceAddressTest, OnlyWhenTheRuntimeSetsOne) {
  EXPECT_EQ(SourceAddress(MapEnv({{kBindIpEnv, "127.5.0.4"}})), "127.5.0.4");
  EXPECT_EQ(SourceAddress(MapEnv({})), std::nullopt);
}

}  // namespace
}  // namespace chancho::common
