#include "harness/spec/json_parse.h"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdint>

#include "common/error.h"

namespace chancho {
namespace {

using rapidjson::Document;
using rapidjson::SizeType;

// Builds `doc` from SAX events and refuses (returns false, which stops the
// reader) the first array or object nested deeper than kMaxJsonDepth, so no
// deeper DOM ever exists for a destructor or a checker to recurse into.
class DepthLimitedBuilder {
 public:
  explicit DepthLimitedBuilder(Document& doc) : doc_(doc) {}

  bool too_deep() const { return too_deep_; }

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned u) { return doc_.Uint(u); }
  bool Int64(std::int64_t i) { return doc_.Int64(i); }
  bool Uint64(std::uint64_t u) { return doc_.Uint64(u); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* str, SizeType length, bool copy) {
    return doc_.RawNumber(str, length, copy);
  }
  bool String(const char* str, SizeType length, bool copy) {
    return doc_.String(str, length, copy);
  }
  bool Key(const char* str, SizeType length, bool copy) {
    return doc_.Key(str, length, copy);
  }
  bool StartObject() { return Enter() && doc_.StartObject(); }
  bool EndObject(SizeType members) {
    --depth_;
    return doc_.EndObject(members);
  }
  bool StartArray() { return Enter() && doc_.StartArray(); }
  bool EndArray(SizeType elements) {
    --depth_;
    return doc_.EndArray(elements);
  }

 private:
  bool Enter() {
    if (depth_ == kMaxJsonDepth) {
      too_deep_ = true;
      return false;
    }
    ++depth_;
    return true;
  }

  Document& doc_;
  int depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace

void ParseJson(Document& doc, std::string_view text,
               const std::string& source) {
  // The same stream Document::Parse(str, length) reads, with the iterative
  // reader: its state lives on the heap, not on the call stack.
  rapidjson::MemoryStream memory(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(
      memory);
  rapidjson::Reader reader;
  rapidjson::ParseResult result;
  bool too_deep = false;
  auto generate = [&](Document& target) {
    DepthLimitedBuilder builder(target);
    result = reader.Parse<rapidjson::kParseDefaultFlags |
                          rapidjson::kParseIterativeFlag>(in, builder);
    too_deep = builder.too_deep();
    return !result.IsError();
  };
  doc.Populate(generate);
  if (too_deep) {
    // The reader stops at the bracket that was one level too many.
    throw Error(source + ": offset " + std::to_string(result.Offset()) +
                ": nesting too deep (more than " +
                std::to_string(kMaxJsonDepth) + " levels)");
  }
  if (result.IsError()) {
    throw Error(source + ": invalid JSON at offset " +
                std::to_string(result.Offset()) + ": " +
                rapidjson::GetParseError_En(result.Code()));
  }
}

}  // namespace chancho
