#pragma once

// The report tests' record: testdata/small-record.json, whose times are
// chosen so that every figure of its report can be worked out by hand.

#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/file_text.h"

namespace chancho::report_test {

inline std::filesystem::path TestData() {
  const char* source = std::getenv("CHANCHO_SOURCE_DIR");
  const std::filesystem::path root =
      source != nullptr ? std::filesystem::path(source)
                        : std::filesystem::path(__FILE__).parent_path() / "../../..";
  return (root / "harness/record/testdata").lexically_normal();
}

// How many times `what` occurs in `text` (the marks of a report).
inline int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

inline std::string SmallRecord() { return ReadText(TestData() / "small-record.json"); }

}  // namespace chancho::report_test
