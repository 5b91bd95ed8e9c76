#pragma once

// The --json output of run, wait, probe, down and chaos: one JSON object
// per command on stdout, whose first key "schema" names its shape and
// version ("chancho.wait/1"). The shapes are documented in README.md
// ("Output for scripts"); a field is added without a new version, never
// renamed or removed.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chancho::cli {

class JsonOut {
 public:
  explicit JsonOut(std::string_view schema) : writer_(buffer_) {
    writer_.StartObject();
    Field("schema", schema);
  }

  JsonOut& Field(std::string_view key, std::string_view value) {
    Key(key);
    writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    return *this;
  }
  JsonOut& Field(std::string_view key, const char* value) {
    return Field(key, std::string_view(value));
  }
  JsonOut& Field(std::string_view key, const std::string& value) {
    return Field(key, std::string_view(value));
  }
  JsonOut& Field(std::string_view key, bool value) {
    Key(key);
    writer_.Bool(value);
    return *this;
  }
  JsonOut& Field(std::string_view key, std::int64_t value) {
    Key(key);
    writer_.Int64(value);
    return *this;
  }
  JsonOut& Field(std::string_view key, int value) {
    return Field(key, static_cast<std::int64_t>(value));
  }
  JsonOut& Field(std::string_view key, std::uint64_t value) {
    Key(key);
    writer_.Uint64(value);
    return *this;
  }
  JsonOut& Field(std::string_view key, double value) {
    Key(key);
    writer_.Double(value);
    return *this;
  }
  template <typename T>
  JsonOut& Field(std::string_view key, const std::optional<T>& value) {
    if (value) return Field(key, *value);
    Key(key);
    writer_.Null();
    return *this;
  }
  // Nested arrays and objects.
  JsonOut& StartArray(std::string_view key) {
    Key(key);
    writer_.StartArray();
    return *this;
  }
  JsonOut& EndArray() {
    writer_.EndArray();
    return *this;
  }
  JsonOut& StartObject(std::string_view key = {}) {
    if (!key.empty()) Key(key);
    writer_.StartObject();
    return *this;
  }
  JsonOut& EndObject() {
    writer_.EndObject();
    return *this;
  }
  JsonOut& String(std::string_view value) {
    writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    return *this;
  }

  // The object, closed, with a newline.
  std::string Done() {
    writer_.EndObject();
    return std::string(buffer_.GetString(), buffer_.GetSize()) + "\n";
  }

 private:
  void Key(std::string_view key) {
    writer_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  }

  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

}  // namespace chancho::cli
