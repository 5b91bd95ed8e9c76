#include "system/common/host_port.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace chancho::common {
namespace {

TEST(ParseHostPortTest, SplitsNamesAndAddresses) {
  HostPort a = ParseHostPort("server:12345");
  EXPECT_EQ(a.host, "server");
  EXPECT_EQ(a.port, 12345);
  HostPort b = ParseHostPort("127.0.0.1:80");
  EXPECT_EQ(b.host, "127.0.0.1");
  EXPECT_EQ(b.port, 80);
  HostPort c = ParseHostPort("[::1]:8080");
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 8080);
}

TEST(ParseHostPortTest, RejectsIncompleteAddresses) {
  for (const char* bad : {"", "server", ":80", "server:", "server:0",
                          "server:70000", "server:http", "::1:80", "[]:80"}) {
    EXPECT_THROW(ParseHostPort(bad), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace chancho::common
