#include "harness/probes/log_line.h"

#include <gtest/gtest.h>

namespace chancho {
namespace {

TEST(ParseLogLine, ReadsActionResultAndFieldsAfterAPrefix) {
  auto event = ParseLogLine(
      "2026-11-24 04:00:00 INFO     action: receive_message | result: success "
      "| ip: 127.0.0.1 | msg: [CLIENT 1] Message N°1");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->action, "receive_message");
  EXPECT_EQ(event->result, "success");
  ASSERT_EQ(event->fields.size(), 2u);
  EXPECT_EQ(event->Get("ip"), "127.0.0.1");
  EXPECT_EQ(event->Get("msg"), "[CLIENT 1] Message N°1");
  EXPECT_FALSE(event->Get("nope"));
}

TEST(ParseLogLine, ValuesMayHoldColonsAndSeparators) {
  auto event = ParseLogLine(
      "action: x | result: fail | error: connect: refused | msg: a | b\r");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->Get("error"), "connect: refused");
  EXPECT_EQ(event->Get("msg"), "a | b");
}

TEST(ParseLogLine, RejectsOtherLines) {
  EXPECT_FALSE(ParseLogLine("plain text"));
  EXPECT_FALSE(ParseLogLine("action: only"));
  EXPECT_FALSE(ParseLogLine("action: x | status: ok"));
  EXPECT_FALSE(ParseLogLine(""));
}

TEST(ParseLogEvents, KeepsOrderAndSkipsNoise) {
  const auto events = ParseLogEvents(
      "action: a | result: success\nnoise\naction: b | result: fail | k: v");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].action, "a");
  EXPECT_EQ(events[1].result, "fail");
  EXPECT_EQ(events[1].Get("k"), "v");
}

}  // namespace
}  // namespace chancho
