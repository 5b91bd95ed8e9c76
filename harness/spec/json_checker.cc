#include "harness/spec/json_checker.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <set>

#include "common/error.h"

namespace chancho {

using rapidjson::Value;

std::string JsonPointerChild(const std::string& pointer, std::string_view key) {
  std::string out = pointer + "/";
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string JsonPointerChild(const std::string& pointer,
                             rapidjson::SizeType index) {
  return pointer + "/" + std::to_string(index);
}

std::string JsonText(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string JsonQuote(std::string_view text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string JsonString(const Value& value) {
  return std::string(value.GetString(), value.GetStringLength());
}

void JsonChecker::Fail(const std::string& pointer,
                       const std::string& message) const {
  std::string text = label_ + ": ";
  if (!pointer.empty()) text += pointer + ": ";
  throw Error(text + message);
}

void JsonChecker::Expected(const std::string& pointer, std::string_view what,
                           const Value& got) const {
  Fail(pointer, "expected " + std::string(what) + ", got " + JsonText(got));
}

void JsonChecker::Warn(const std::string& pointer, std::string_view key) {
  warnings_.push_back(label_ + ": " + pointer + ": unknown key " +
                      JsonQuote(key) + " ignored");
}

// RapidJSON keeps repeated keys. A repeated key is almost always a copy-paste
// mistake, so it is an error rather than "the last one wins".
void JsonChecker::ExpectObject(const Value& value,
                               const std::string& pointer) const {
  if (!value.IsObject()) Expected(pointer, "an object", value);
  std::set<std::string> seen;
  for (const auto& member : value.GetObject()) {
    const std::string key = JsonString(member.name);
    if (!seen.insert(key).second) {
      Fail(JsonPointerChild(pointer, key), "duplicate key " + JsonQuote(key));
    }
  }
}

void JsonChecker::Require(const Value& object, const std::string& pointer,
                          const char* key) const {
  if (!object.HasMember(key)) {
    Fail(pointer, "missing required key " + JsonQuote(key));
  }
}

std::string JsonChecker::String(const Value& value,
                                const std::string& pointer) const {
  if (!value.IsString()) Expected(pointer, "a string", value);
  return JsonString(value);
}

std::string JsonChecker::NonEmptyString(const Value& value,
                                        const std::string& pointer) const {
  if (!value.IsString() || value.GetStringLength() == 0) {
    Expected(pointer, "a non-empty string", value);
  }
  return JsonString(value);
}

bool JsonChecker::Bool(const Value& value, const std::string& pointer) const {
  if (!value.IsBool()) Expected(pointer, "true or false", value);
  return value.GetBool();
}

int JsonChecker::PositiveInt(const Value& value,
                             const std::string& pointer) const {
  if (!value.IsInt() || value.GetInt() <= 0) {
    Expected(pointer, "a positive integer", value);
  }
  return value.GetInt();
}

int JsonChecker::NonNegativeInt(const Value& value,
                                const std::string& pointer) const {
  if (!value.IsInt() || value.GetInt() < 0) {
    Expected(pointer, "a non-negative integer", value);
  }
  return value.GetInt();
}

int JsonChecker::Port(const Value& value, const std::string& pointer) const {
  if (!value.IsInt() || value.GetInt() < 1 || value.GetInt() > 65535) {
    Expected(pointer, "a port number (1..65535)", value);
  }
  return value.GetInt();
}

std::string JsonChecker::ScalarText(const Value& value,
                                    const std::string& pointer) const {
  if (value.IsString()) return JsonString(value);
  if (value.IsBool()) return value.GetBool() ? "true" : "false";
  if (!value.IsNumber()) {
    Expected(pointer, "a string, number or boolean", value);
  }
  if (value.IsInt64()) return std::to_string(value.GetInt64());
  if (value.IsUint64()) return std::to_string(value.GetUint64());
  char buffer[64];
  auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value.GetDouble());
  return std::string(buffer, result.ptr);
}

// Ten years: beyond any run, and far inside what milliseconds in 64 bits
// hold, so that callers convert without overflow.
constexpr double kMaxSeconds = 315'360'000;

double JsonChecker::NonNegativeSeconds(const Value& value,
                                       const std::string& pointer) const {
  if (!value.IsNumber() || value.GetDouble() < 0) {
    Expected(pointer, "a non-negative number of seconds", value);
  }
  if (value.GetDouble() > kMaxSeconds) {
    Expected(pointer, "at most 315360000 seconds (10 years)", value);
  }
  return value.GetDouble();
}

double JsonChecker::PositiveSeconds(const Value& value,
                                    const std::string& pointer) const {
  if (!value.IsNumber() || value.GetDouble() <= 0) {
    Expected(pointer, "a positive number of seconds", value);
  }
  if (value.GetDouble() > kMaxSeconds) {
    Expected(pointer, "at most 315360000 seconds (10 years)", value);
  }
  return value.GetDouble();
}

}  // namespace chancho
