// libFuzzer target: record.json, as a replay reads it (ParseRecord) and as
// the report draws it (BuildReportModel, RenderReportHtml).
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/error.h"
#include "harness/record/record.h"
#include "harness/record/report_html.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)chancho::ParseRecord(text, "fuzz.json");
  } catch (const chancho::Error&) {
  }
  try {
    (void)chancho::ReportHtml(text, "fuzz.json");
  } catch (const chancho::Error&) {
  }
  return 0;
}
