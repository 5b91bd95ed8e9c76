// Toxics read from and written in Toxiproxy's JSON shapes.
#include "harness/toxiproxy/toxiproxy_json.h"

#include <gtest/gtest.h>

#include "harness/spec/json_parse.h"

namespace chancho {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

Toxic New(const std::string& json) {
  rapidjson::Document doc;
  ParseJson(doc, json, "test");
  return ParseNewToxic(doc);
}

std::string Write(const Toxic& toxic) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> out(buffer);
  WriteToxic(out, toxic);
  return buffer.GetString();
}

std::string NewError(const std::string& json) {
  try {
    New(json);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400);
    return e.message;
  }
  ADD_FAILURE() << "accepted: " << json;
  return "";
}

TEST(ToxiproxyJsonTest, LatencyInToxiproxysUnits) {
  const Toxic t = New(R"({"name":"lag","type":"latency","stream":"upstream",
      "toxicity":0.5,"attributes":{"latency":120,"jitter":15}})");
  EXPECT_EQ(t.name, "lag");
  EXPECT_EQ(t.stream, Direction::kClientToServer);
  EXPECT_EQ(t.fault.kind, LinkFaultKind::kDelay);
  EXPECT_EQ(t.fault.delay, milliseconds(120));
  EXPECT_EQ(t.fault.jitter, milliseconds(15));
  EXPECT_DOUBLE_EQ(t.fault.toxicity, 0.5);
}

TEST(ToxiproxyJsonTest, DefaultsAreDownstreamFullToxicityAndNoName) {
  const Toxic t = New(R"({"type":"timeout","attributes":{"timeout":0}})");
  EXPECT_EQ(t.name, "");
  EXPECT_EQ(t.stream, Direction::kServerToClient);
  EXPECT_EQ(t.fault.kind, LinkFaultKind::kTimeout);
  EXPECT_DOUBLE_EQ(t.fault.toxicity, 1.0);
}

TEST(ToxiproxyJsonTest, EveryTypesAttributes) {
  EXPECT_EQ(New(R"({"type":"bandwidth","attributes":{"rate":64}})")
                .fault.bytes_per_second,
            64000u)
      << "rate is in KB/s";
  EXPECT_EQ(New(R"({"type":"slow_close","attributes":{"delay":250}})").fault.delay,
            milliseconds(250));
  const Toxic slicer = New(
      R"({"type":"slicer","attributes":{"average_size":64,"size_variation":8,"delay":300}})");
  EXPECT_EQ(slicer.fault.average_size, 64u);
  EXPECT_EQ(slicer.fault.size_variation, 8u);
  EXPECT_EQ(slicer.fault.slice_delay, microseconds(300)) << "slicer's delay is in us";
  EXPECT_EQ(New(R"({"type":"limit_data","attributes":{"bytes":4096}})").fault.bytes,
            4096u);
  EXPECT_EQ(New(R"({"type":"blackhole"})").fault.kind, LinkFaultKind::kBlackhole);
}

TEST(ToxiproxyJsonTest, WritesWhatToxiproxyWrites) {
  Toxic t;
  t.name = "slicer_downstream";
  t.stream = Direction::kServerToClient;
  t.fault = {.kind = LinkFaultKind::kSlicer,
             .average_size = 10,
             .size_variation = 2,
             .slice_delay = microseconds(50),
             .toxicity = 0.25};
  EXPECT_EQ(Write(t),
            R"({"name":"slicer_downstream","type":"slicer","stream":"downstream",)"
            R"("toxicity":0.25,"attributes":{"average_size":10,"size_variation":2,)"
            R"("delay":50}})");
}

TEST(ToxiproxyJsonTest, ReadsWhatItWrites) {
  for (const char* json :
       {R"({"name":"a","type":"latency","stream":"upstream","toxicity":1.0,"attributes":{"latency":5,"jitter":1}})",
        R"({"name":"b","type":"bandwidth","stream":"downstream","toxicity":0.5,"attributes":{"rate":3}})",
        R"({"name":"c","type":"limit_data","stream":"upstream","toxicity":1.0,"attributes":{"bytes":7}})",
        R"({"name":"d","type":"blackhole","stream":"downstream","toxicity":1.0,"attributes":{}})"}) {
    EXPECT_EQ(Write(New(json)), json);
  }
}

TEST(ToxiproxyJsonTest, UpdateKeepsWhatIsNotGiven) {
  const Toxic before = New(R"({"name":"lag","type":"latency",
      "attributes":{"latency":100,"jitter":10}})");
  rapidjson::Document doc;
  ParseJson(doc, R"({"attributes":{"latency":300}})", "test");
  const Toxic after = ParseToxicUpdate(doc, before);
  EXPECT_EQ(after.fault.delay, milliseconds(300));
  EXPECT_EQ(after.fault.jitter, milliseconds(10));
  EXPECT_EQ(after.name, "lag");
}

TEST(ToxiproxyJsonTest, UpdateRefusesAnotherTypeOrStream) {
  const Toxic before = New(R"({"name":"lag","type":"latency"})");
  for (const char* body : {R"({"type":"timeout"})", R"({"stream":"upstream"})",
                           R"({"name":"other"})"}) {
    rapidjson::Document doc;
    ParseJson(doc, body, "test");
    EXPECT_THROW(ParseToxicUpdate(doc, before), ApiError) << body;
  }
}

TEST(ToxiproxyJsonTest, BadToxicsAreOneLineErrorsNamingTheProblem) {
  EXPECT_NE(NewError(R"({"type":"reset_peer"})").find("reset_peer is not supported"),
            std::string::npos);
  EXPECT_NE(NewError(R"({"type":"gremlin"})").find("unknown toxic type"),
            std::string::npos);
  EXPECT_NE(NewError(R"({"attributes":{}})").find("needs a type"), std::string::npos);
  EXPECT_NE(NewError(R"({"type":"latency","attributes":{"rate":1}})")
                .find("no attribute \"rate\""),
            std::string::npos);
  EXPECT_NE(NewError(R"({"type":"latency","attributes":{"latency":-1}})")
                .find("whole number"),
            std::string::npos);
  EXPECT_NE(NewError(R"({"type":"latency","attributes":{"latency":1.5}})")
                .find("whole number"),
            std::string::npos);
  EXPECT_NE(NewError(R"({"type":"latency","toxicity":2})").find("toxicity"),
            std::string::npos);
  EXPECT_NE(NewError(R"({"type":"latency","stream":"sideways"})").find("stream"),
            std::string::npos);
  EXPECT_NE(NewError(R"({"type":"latency","colour":"red"})").find("no field \"colour\""),
            std::string::npos);
  EXPECT_NE(NewError(R"([1,2])").find("JSON object"), std::string::npos);
  EXPECT_NE(NewError(R"({"type":"latency","attributes":{"latency":99999999999}})")
                .find("too large"),
            std::string::npos);
}

}  // namespace
}  // namespace chancho
