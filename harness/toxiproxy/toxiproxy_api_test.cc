// The Toxiproxy-compatible API's handler on real proxies over loopback.
#include "harness/toxiproxy/toxiproxy_api.h"

#include <gtest/gtest.h>

#include "harness/proxy/tcp_proxy_test_util.h"
#include "harness/spec/json_parse.h"

namespace chancho {
namespace {

using namespace proxy_test;  // NOLINT: the shared proxy test helpers

class ToxiproxyApiTest : public testing::Test {
 protected:
  ApiResponse Call(const std::string& method, const std::string& target,
                   const std::string& body = "") {
    return api_.Handle({method, target, body});
  }
  rapidjson::Document Json(const ApiResponse& response) {
    rapidjson::Document doc;
    ParseJson(doc, response.body, "response");
    return doc;
  }
  std::string Upstream() { return "127.0.0.1:" + std::to_string(echo_.port()); }
  // Creates proxy `name` to the echo server and returns its port.
  std::uint16_t Create(const std::string& name) {
    const ApiResponse r = Call("POST", "/proxies",
                               R"({"name":")" + name +
                                   R"(","listen":"localhost:0","upstream":")" +
                                   Upstream() + R"("})");
    EXPECT_EQ(r.status, 201) << r.body;
    const std::string listen = Json(r)["listen"].GetString();
    return static_cast<std::uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
  }
  // One round trip through the proxy on `port`, timed.
  std::optional<milliseconds> RoundTrip(std::uint16_t port) {
    Fd fd = Connect(port);
    const auto start = Clock::now();
    if (!WriteAll(fd.get(), "ping")) return std::nullopt;
    if (ReadFor(fd.get(), 4, milliseconds(5000)).data != "ping") return std::nullopt;
    return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  }

  EchoServer echo_;
  ToxiproxyApi api_;
};

TEST_F(ToxiproxyApiTest, VersionIsPlainText) {
  const ApiResponse r = Call("GET", "/version");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_NE(r.body.find("chancho"), std::string::npos);
}

TEST_F(ToxiproxyApiTest, CreatedProxyForwardsIsListedAndDeleted) {
  const std::uint16_t port = Create("echo");
  ASSERT_NE(port, 0);
  EXPECT_TRUE(RoundTrip(port).has_value());

  const rapidjson::Document all = Json(Call("GET", "/proxies"));
  ASSERT_TRUE(all.HasMember("echo"));
  EXPECT_EQ(std::string(all["echo"]["upstream"].GetString()), Upstream());
  EXPECT_EQ(std::string(all["echo"]["listen"].GetString()),
            "127.0.0.1:" + std::to_string(port));
  EXPECT_TRUE(all["echo"]["enabled"].GetBool());
  EXPECT_TRUE(all["echo"]["toxics"].IsArray());

  EXPECT_EQ(Call("DELETE", "/proxies/echo").status, 204);
  EXPECT_EQ(Call("GET", "/proxies/echo").status, 404);
  EXPECT_EQ(Connect(port).get(), -1) << "the port is closed";
}

TEST_F(ToxiproxyApiTest, ANameInUseIs409) {
  Create("echo");
  const ApiResponse again = Call(
      "POST", "/proxies",
      R"({"name":"echo","listen":"127.0.0.1:0","upstream":")" + Upstream() + R"("})");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(Json(again)["status"].GetInt(), 409);
  EXPECT_NE(std::string(Json(again)["error"].GetString()).find("echo"),
            std::string::npos);
}

TEST_F(ToxiproxyApiTest, AProxyOffLoopbackIsRefused) {
  const ApiResponse r = Call(
      "POST", "/proxies",
      R"({"name":"wide","listen":"0.0.0.0:0","upstream":")" + Upstream() + R"("})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Call("GET", "/proxies/wide").status, 404);
}

TEST_F(ToxiproxyApiTest, ToxicsAreAddedUpdatedAndRemoved) {
  const std::uint16_t port = Create("echo");
  const ApiResponse added = Call(
      "POST", "/proxies/echo/toxics",
      R"({"type":"latency","stream":"upstream","attributes":{"latency":300}})");
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(std::string(Json(added)["name"].GetString()), "latency_upstream");
  const auto slow = RoundTrip(port);
  ASSERT_TRUE(slow.has_value());
  EXPECT_GE(*slow, milliseconds(300));

  const ApiResponse updated = Call("POST", "/proxies/echo/toxics/latency_upstream",
                                   R"({"attributes":{"latency":1}})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(Json(updated)["attributes"]["latency"].GetInt(), 1);
  const rapidjson::Document got =
      Json(Call("GET", "/proxies/echo/toxics/latency_upstream"));
  EXPECT_EQ(got["attributes"]["latency"].GetInt(), 1);

  EXPECT_EQ(Call("POST", "/proxies/echo/toxics",
                 R"({"type":"latency","stream":"upstream"})")
                .status,
            409)
      << "the default name is taken";
  EXPECT_EQ(Call("DELETE", "/proxies/echo/toxics/latency_upstream").status, 204);
  EXPECT_EQ(Call("GET", "/proxies/echo/toxics/latency_upstream").status, 404);
  EXPECT_EQ(Json(Call("GET", "/proxies/echo/toxics")).Size(), 0u);
}

TEST_F(ToxiproxyApiTest, ToxicsStackInTheOrderAdded) {
  Create("echo");
  ASSERT_EQ(Call("POST", "/proxies/echo/toxics",
                 R"({"name":"first","type":"latency","attributes":{"latency":5}})")
                .status,
            200);
  ASSERT_EQ(Call("POST", "/proxies/echo/toxics",
                 R"({"name":"second","type":"slicer","attributes":{"average_size":4}})")
                .status,
            200);
  const rapidjson::Document toxics = Json(Call("GET", "/proxies/echo/toxics"));
  ASSERT_EQ(toxics.Size(), 2u);
  EXPECT_EQ(std::string(toxics[0]["name"].GetString()), "first");
  EXPECT_EQ(std::string(toxics[1]["name"].GetString()), "second");
}

TEST_F(ToxiproxyApiTest, DisabledRefusesAndResetEnablesWithoutToxics) {
  const std::uint16_t port = Create("echo");
  ASSERT_EQ(Call("POST", "/proxies/echo/toxics",
                 R"({"type":"latency","attributes":{"latency":300}})")
                .status,
            200);
  const ApiResponse off = Call("POST", "/proxies/echo", R"({"enabled":false})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_FALSE(Json(off)["enabled"].GetBool());
  EXPECT_TRUE(SeesResetOrEof(Connect(port).get()));

  EXPECT_EQ(Call("POST", "/reset").status, 204);
  const rapidjson::Document after = Json(Call("GET", "/proxies/echo"));
  EXPECT_TRUE(after["enabled"].GetBool());
  EXPECT_EQ(after["toxics"].Size(), 0u);
  const auto fast = RoundTrip(port);
  ASSERT_TRUE(fast.has_value());
  EXPECT_LT(*fast, milliseconds(300));
}

TEST_F(ToxiproxyApiTest, PatchUpdatesAndAMoveIsRefused) {
  Create("echo");
  EXPECT_EQ(Call("PATCH", "/proxies/echo", R"({"enabled":false})").status, 200);
  const ApiResponse moved =
      Call("POST", "/proxies/echo", R"({"upstream":"127.0.0.1:1"})");
  EXPECT_EQ(moved.status, 400);
  EXPECT_NE(moved.body.find("does not change"), std::string::npos);
}

TEST_F(ToxiproxyApiTest, PopulateCreatesAndKeepsWhatMatches) {
  const std::string body = R"([{"name":"a","listen":"127.0.0.1:0","upstream":")" +
                           Upstream() + R"("},{"name":"b","listen":"127.0.0.1:0",)"
                           R"("upstream":")" + Upstream() + R"(","enabled":false}])";
  const ApiResponse first = Call("POST", "/populate", body);
  ASSERT_EQ(first.status, 201) << first.body;
  const rapidjson::Document made = Json(first);
  ASSERT_EQ(made["proxies"].Size(), 2u);
  EXPECT_FALSE(made["proxies"][1]["enabled"].GetBool());
  const std::string a_listen = made["proxies"][0]["listen"].GetString();

  const std::string keep = R"([{"name":"a","listen":")" + a_listen +
                           R"(","upstream":")" + Upstream() + R"("}])";
  const ApiResponse second = Call("POST", "/populate", keep);
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(std::string(Json(second)["proxies"][0]["listen"].GetString()), a_listen);
  EXPECT_EQ(Json(Call("GET", "/proxies")).MemberCount(), 2u);
}

TEST_F(ToxiproxyApiTest, ARunsLinkTakesToxicsButStays) {
  TcpProxyOptions options;
  options.upstream_host = "127.0.0.1";
  options.upstream_port = echo_.port();
  TcpProxy link(options);
  ToxiproxyApi api({{"filter-1:rabbitmq", Upstream(), &link}});
  const ApiResponse got = api.Handle({"GET", "/proxies/filter-1%3Arabbitmq", ""});
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(std::string(Json(got)["listen"].GetString()),
            "127.0.0.1:" + std::to_string(link.port()));
  EXPECT_EQ(api.Handle({"POST", "/proxies/filter-1:rabbitmq/toxics",
                        R"({"type":"blackhole","stream":"upstream"})"})
                .status,
            200);
  ASSERT_EQ(link.Toxics().size(), 1u);
  EXPECT_EQ(link.Toxics()[0].fault.kind, LinkFaultKind::kBlackhole);
  EXPECT_EQ(api.Handle({"DELETE", "/proxies/filter-1:rabbitmq", ""}).status, 403);
  EXPECT_EQ(api.Handle({"POST", "/reset", ""}).status, 204);
  EXPECT_TRUE(link.Toxics().empty());
}

TEST_F(ToxiproxyApiTest, BadRequestsAreErrorsWithToxiproxysShape) {
  Create("echo");
  const struct {
    const char* method;
    const char* target;
    const char* body;
    int status;
  } cases[] = {
      {"GET", "/nowhere", "", 404},
      {"GET", "/proxies/echo/toxics/a/b", "", 404},
      {"GET", "/proxies/none", "", 404},
      {"GET", "/proxies/echo/toxics/none", "", 404},
      {"DELETE", "/proxies/echo/toxics/none", "", 404},
      {"PUT", "/proxies", "", 405},
      {"GET", "/reset", "", 405},
      {"POST", "/proxies", "{not json", 400},
      {"POST", "/proxies", R"({"name":"x"})", 400},
      {"POST", "/proxies", R"({"name":"x","listen":"127.0.0.1","upstream":"a:1"})", 400},
      {"POST", "/proxies", R"({"name":"x","listen":"[::1]:0","upstream":"a:1"})", 400},
      {"POST", "/proxies", R"({"name":"x","listen":"127.0.0.1:0","upstream":"a:1","ttl":3})", 400},
      {"POST", "/proxies/echo/toxics", R"({"type":"bandwidth","attributes":{"rate":0}})", 400},
      {"POST", "/proxies/echo", R"({"enabled":"no"})", 400},
      {"POST", "/populate", R"({"name":"x"})", 400},
  };
  for (const auto& c : cases) {
    const ApiResponse r = Call(c.method, c.target, c.body);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.target << " " << c.body
                                  << " -> " << r.body;
    const rapidjson::Document doc = Json(r);
    ASSERT_TRUE(doc.IsObject() && doc.HasMember("error") && doc["error"].IsString())
        << r.body;
    EXPECT_EQ(doc["status"].GetInt(), c.status);
    EXPECT_EQ(std::string(doc["error"].GetString()).find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace chancho
