// libFuzzer target: the Python-literal parser of the Kaggle list columns.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "system/movies/python_literal.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  chancho::movies::PyParseError error;
  (void)chancho::movies::ParsePyLiteral(text, &error);
  (void)chancho::movies::ExtractListField(text, "name");
  (void)chancho::movies::PyRepr(text);
  return 0;
}
