#include "common/log_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace chancho::common {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(FormatEventTest, WritesActionResultAndFieldsInOrder) {
  EXPECT_EQ(FormatEvent("receive_message", "success",
                        {{"ip", "127.0.0.1"}, {"msg", "hello world"}}),
            "action: receive_message | result: success | ip: 127.0.0.1 | "
            "msg: hello world");
  EXPECT_EQ(FormatEvent("accept_connections", "in_progress"),
            "action: accept_connections | result: in_progress");
}

TEST(FormatEventTest, EscapesNewlines) {
  EXPECT_EQ(FormatEvent("a", "fail", {{"error", "x\ny\r"}}),
            "action: a | result: fail | error: x\\ny\\r");
  EXPECT_EQ(
      FormatEvent("a", "success", {{"msg", std::string("\x1b[1m\0\t\x7f", 7)}}),
      "action: a | result: success | msg: \\x1b[1m\\x00\t\\x7f");
  // UTF-8 passes through.
  EXPECT_EQ(FormatEvent("a", "success", {{"msg", "N°1"}}),
            "action: a | result: success | msg: N°1");
}

TEST(ParseLogLineTest, ParsesABareEvent) {
  const auto event = ParseLogLine(
      "action: receive_message | result: success | ip: 10.0.0.2 | "
      "msg: [CLIENT 1] Message N°1");
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->action, "receive_message");
  EXPECT_EQ(event->result, "success");
  EXPECT_THAT(event->fields,
              ElementsAre(Pair("ip", "10.0.0.2"),
                          Pair("msg", "[CLIENT 1] Message N°1")));
  EXPECT_EQ(event->Get("msg"), "[CLIENT 1] Message N°1");
  EXPECT_EQ(event->Get("missing"), std::nullopt);
}

TEST(ParseLogLineTest, ToleratesTimestampPrefixAndLineEnd) {
  const auto event = ParseLogLine(
      "2024-01-31 12:00:00 WARNING  action: config | result: fail | "
      "error: SERVER_PORT: 'x' is not an integer\r\n");
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->action, "config");
  EXPECT_EQ(event->result, "fail");
  EXPECT_THAT(event->fields,
              ElementsAre(Pair("error", "SERVER_PORT: 'x' is not an integer")));
}

TEST(ParseLogLineTest, ToleratesAComposeLogPrefix) {
  const auto event =
      ParseLogLine("server-1  | action: accept | result: success | ip: x");
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->action, "accept");
  EXPECT_THAT(event->fields, ElementsAre(Pair("ip", "x")));
}

TEST(ParseLogLineTest, KeepsColonsSpacesAndSeparatorsInValues) {
  const auto event = ParseLogLine(
      "action: a | result: success | addr: host:1234 | msg: one | two | "
      "k: v");
  ASSERT_TRUE(event.has_value());
  EXPECT_THAT(event->fields,
              ElementsAre(Pair("addr", "host:1234"), Pair("msg", "one | two"),
                          Pair("k", "v")));
}

TEST(ParseLogLineTest, AcceptsEmptyValues) {
  const auto event = ParseLogLine(
      "action: config | result: success | server_ip:  | listen_backlog: 5");
  ASSERT_TRUE(event.has_value());
  EXPECT_THAT(event->fields,
              ElementsAre(Pair("server_ip", ""), Pair("listen_backlog", "5")));
}

TEST(ParseLogLineTest, RejectsLinesThatAreNotEvents) {
  EXPECT_FALSE(ParseLogLine("").has_value());
  EXPECT_FALSE(ParseLogLine("hello world").has_value());
  EXPECT_FALSE(ParseLogLine("action: x").has_value());
  EXPECT_FALSE(ParseLogLine("action: x | status: ok").has_value());
  EXPECT_FALSE(ParseLogLine("last_action: x | result: y").has_value());
  EXPECT_FALSE(ParseLogLine(" | | | ").has_value());
}

// A key that ends in "action" in the prefix is not the event's start.
TEST(ParseLogLineTest, LastActionKeyDoesNotFoolIt) {
  const auto event =
      ParseLogLine("x | last_action: kill | action: probe | result: success");
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->action, "probe");
  EXPECT_EQ(event->result, "success");
  EXPECT_TRUE(event->fields.empty());

  const auto first = ParseLogLine(
      "last_action: kill | action: probe | result: fail | k: v");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->action, "probe");
  EXPECT_THAT(first->fields, ElementsAre(Pair("k", "v")));
}

// "action: " inside a value, before or within the event, does not move the
// event's start.
TEST(ParseLogLineTest, ActionInsideAValueDoesNotFoolIt) {
  const auto before = ParseLogLine(
      "note: the action: kill | action: probe | result: success | k: v");
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->action, "probe");
  EXPECT_EQ(before->result, "success");
  EXPECT_THAT(before->fields, ElementsAre(Pair("k", "v")));

  const auto within = ParseLogLine(
      "action: probe | result: success | msg: got action: kill | "
      "action: x | result: fail");
  ASSERT_TRUE(within.has_value());
  EXPECT_EQ(within->action, "probe");
  EXPECT_EQ(within->result, "success");
  EXPECT_THAT(within->fields,
              ElementsAre(Pair("msg", "got action: kill"), Pair("action", "x"),
                          Pair("result", "fail")));
}

TEST(ParseLogLineTest, RoundTripsFormatEvent) {
  const LogFields fields = {{"client_id", "3"}, {"msg", "a: b | c"}};
  const auto event = ParseLogLine(FormatEvent("x", "in_progress", fields));
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->action, "x");
  EXPECT_EQ(event->result, "in_progress");
  EXPECT_EQ(event->fields, fields);
}

TEST(ParseLogEventsTest, KeepsOrderAndSkipsNoise) {
  const auto events = ParseLogEvents(
      "action: a | result: success\nnoise\naction: b | result: fail | k: v");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].action, "a");
  EXPECT_EQ(events[1].result, "fail");
  EXPECT_EQ(events[1].Get("k"), "v");
}

}  // namespace
}  // namespace chancho::common
