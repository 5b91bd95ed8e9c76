#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chancho {

// Pointer to a member or element of the value at `pointer` (RFC 6901: "~" and
// "/" in keys are escaped). The document itself is "".
std::string JsonPointerChild(const std::string& pointer, std::string_view key);
std::string JsonPointerChild(const std::string& pointer,
                             rapidjson::SizeType index);

// The value as compact, one-line JSON text.
std::string JsonText(const rapidjson::Value& value);
// `text` as a JSON string literal, quotes and escapes included.
std::string JsonQuote(std::string_view text);
// The string value (which must be a string), embedded NULs included.
std::string JsonString(const rapidjson::Value& value);

// Typed reads of JSON values for one file. Every failure throws
// chancho::Error with the one-line message
//   "<label>: <pointer>: expected <what>, got <json text>"
// (the pointer part is left out for the document itself). Unknown keys are
// collected as warnings. Not thread-safe; one checker per parse.
class JsonChecker {
 public:
  explicit JsonChecker(std::string label) : label_(std::move(label)) {}

  [[noreturn]] void Fail(const std::string& pointer,
                         const std::string& message) const;
  [[noreturn]] void Expected(const std::string& pointer, std::string_view what,
                             const rapidjson::Value& got) const;
  // Records "<label>: <pointer>: unknown key "<key>" ignored".
  void Warn(const std::string& pointer, std::string_view key);
  std::vector<std::string> TakeWarnings() { return std::move(warnings_); }

  // An object without repeated keys.
  void ExpectObject(const rapidjson::Value& value,
                    const std::string& pointer) const;
  // `object` (at `pointer`) has member `key`.
  void Require(const rapidjson::Value& object, const std::string& pointer,
               const char* key) const;

  std::string String(const rapidjson::Value& value,
                     const std::string& pointer) const;
  std::string NonEmptyString(const rapidjson::Value& value,
                             const std::string& pointer) const;
  bool Bool(const rapidjson::Value& value, const std::string& pointer) const;
  int PositiveInt(const rapidjson::Value& value,
                  const std::string& pointer) const;
  int NonNegativeInt(const rapidjson::Value& value,
                     const std::string& pointer) const;
  int Port(const rapidjson::Value& value, const std::string& pointer) const;
  // A string, number or boolean as text: integers keep their digits, other
  // numbers get the shortest text that reads back the same (0.5, 1e+20).
  std::string ScalarText(const rapidjson::Value& value,
                         const std::string& pointer) const;
  double NonNegativeSeconds(const rapidjson::Value& value,
                            const std::string& pointer) const;
  double PositiveSeconds(const rapidjson::Value& value,
                         const std::string& pointer) const;

 private:
  std::string label_;
  std::vector<std::string> warnings_;
};

}  // namespace chancho
