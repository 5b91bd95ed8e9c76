// The HTTP server of the API, over real loopback connections.
#include "harness/toxiproxy/http_api_server.h"

#include <gtest/gtest.h>

#include "harness/proxy/tcp_proxy_test_util.h"

namespace chancho {
namespace {

using namespace proxy_test;  // NOLINT: the shared socket helpers

// Reads one response (headers and a Content-Length body) from `fd`.
std::string ReadResponse(int fd) {
  std::string data;
  for (;;) {
    const ReadResult r = ReadFor(fd, 1, milliseconds(5000));
    if (r.data.empty()) return data;
    data += r.data;
    const auto end = data.find("\r\n\r\n");
    if (end == std::string::npos) continue;
    const auto length = data.find("Content-Length: ");
    const std::size_t body =
        length == std::string::npos ? 0 : std::stoul(data.substr(length + 16));
    if (data.size() >= end + 4 + body) return data;
  }
}

class HttpApiServerTest : public testing::Test {
 protected:
  HttpApiServer server_{"127.0.0.1", 0, [this](const ApiRequest& request) {
                          std::lock_guard lock(mu_);
                          seen_.push_back(request);
                          return ApiResponse{201, "application/json",
                                             "{\"n\":" +
                                                 std::to_string(seen_.size()) +
                                                 "}"};
                        }};
  std::mutex mu_;
  std::vector<ApiRequest> seen_;
};

TEST_F(HttpApiServerTest, HandsOverMethodTargetAndBodyOnAKeptConnection) {
  Fd fd = Connect(server_.port());
  const std::string body = R"({"a":1})";
  ASSERT_TRUE(WriteAll(fd.get(), "POST /proxies?x=1 HTTP/1.1\r\nHost: t\r\n"
                                 "Content-Type: application/json\r\n"
                                 "Content-Length: " +
                                     std::to_string(body.size()) + "\r\n\r\n" + body));
  const std::string first = ReadResponse(fd.get());
  EXPECT_TRUE(first.starts_with("HTTP/1.1 201")) << first;
  EXPECT_NE(first.find("{\"n\":1}"), std::string::npos);
  ASSERT_TRUE(WriteAll(fd.get(), "DELETE /proxies/a HTTP/1.1\r\nHost: t\r\n\r\n"));
  const std::string second = ReadResponse(fd.get());
  EXPECT_NE(second.find("{\"n\":2}"), std::string::npos) << "same connection";
  std::lock_guard lock(mu_);
  ASSERT_EQ(seen_.size(), 2u);
  EXPECT_EQ(seen_[0].method, "POST");
  EXPECT_EQ(seen_[0].target, "/proxies?x=1");
  EXPECT_EQ(seen_[0].body, body);
  EXPECT_EQ(seen_[1].method, "DELETE");
  EXPECT_EQ(seen_[1].body, "");
}

TEST_F(HttpApiServerTest, AMalformedRequestGets400AndTheServerGoesOn) {
  Fd bad = Connect(server_.port());
  ASSERT_TRUE(WriteAll(bad.get(), "NOT HTTP AT ALL\r\n\r\n"));
  const std::string answer = ReadResponse(bad.get());
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
  Fd good = Connect(server_.port());
  ASSERT_TRUE(WriteAll(good.get(), "GET /version HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_TRUE(ReadResponse(good.get()).starts_with("HTTP/1.1 201"));
}

TEST_F(HttpApiServerTest, ABodyOverTheLimitIsRefusedUnread) {
  Fd fd = Connect(server_.port());
  ASSERT_TRUE(WriteAll(fd.get(), "POST /proxies HTTP/1.1\r\nHost: t\r\n"
                                 "Content-Length: 5000000\r\n\r\n"));
  const std::string answer = ReadResponse(fd.get());
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
  std::lock_guard lock(mu_);
  EXPECT_TRUE(seen_.empty());
}

TEST(HttpApiServerSetupTest, AnAddressInUseOrBadIsAnError) {
  HttpApiServer first("127.0.0.1", 0, [](const ApiRequest&) { return ApiResponse{}; });
  EXPECT_THROW(HttpApiServer("127.0.0.1", first.port(),
                             [](const ApiRequest&) { return ApiResponse{}; }),
               Error);
  EXPECT_THROW(HttpApiServer("not-an-ip", 0,
                             [](const ApiRequest&) { return ApiResponse{}; }),
               Error);
}

}  // namespace
}  // namespace chancho
