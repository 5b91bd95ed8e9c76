#pragma once

// The one way Chancho parses JSON text: every reader (spec, scenario, run
// record, control-socket answers, docker inspect) goes through ParseJson, so
// no input can nest deep enough to exhaust the stack.

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace chancho {

// The deepest nesting of arrays and objects ParseJson accepts; the document
// itself is not a level, "[]" is one.
inline constexpr int kMaxJsonDepth = 128;

// Parses `text` into `doc`. Throws chancho::Error "<source>: offset <N>:
// nesting too deep (more than <kMaxJsonDepth> levels)" for input nested
// deeper than kMaxJsonDepth, and "<source>: invalid JSON at offset <N>:
// <rapidjson's message>" for a syntax error. Never recurses on the input's
// depth.
void ParseJson(rapidjson::Document& doc, std::string_view text,
               const std::string& source);

}  // namespace chancho
