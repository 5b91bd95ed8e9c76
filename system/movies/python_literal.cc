#include "system/movies/python_literal.h"

#include <charconv>
#include <cstdlib>
#include <system_error>

namespace chancho::movies {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Recursive descent over the text. Every method either advances or fails,
// and depth is capped, so no input can loop forever or exhaust the stack.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::optional<PyValue> ParseAll(PyParseError* error) {
    PyValue value;
    SkipSpace();
    if (ParseValue(value, 0)) {
      SkipSpace();
      if (pos_ == text_.size()) return value;
      Fail("unexpected text after the value");
    }
    if (error != nullptr) *error = error_;
    return std::nullopt;
  }

 private:
  bool Fail(std::string message) {
    if (error_.message.empty()) error_ = {pos_, std::move(message)};
    return false;
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Current() const { return text_[pos_]; }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(Current())) ++pos_;
  }
  bool ConsumeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    const std::size_t after = pos_ + word.size();
    if (after < text_.size()) {
      const char c = text_[after];
      if (c == '_' || IsDigit(c) || (c >= 'a' && c <= 'z') ||
          (c >= 'A' && c <= 'Z')) {
        return false;
      }
    }
    pos_ = after;
    return true;
  }

  bool ParseValue(PyValue& out, int depth) {
    if (AtEnd()) return Fail("expected a value, found the end");
    const char c = Current();
    if (c == '\'' || c == '"') {
      std::string text;
      if (!ParseString(text)) return false;
      out.value = std::move(text);
      return true;
    }
    if (c == '[' || c == '{') {
      if (depth >= kMaxPyDepth) return Fail("nesting too deep");
      return c == '[' ? ParseList(out, depth + 1) : ParseDict(out, depth + 1);
    }
    if (c == '-' || c == '+' || c == '.' || IsDigit(c)) {
      return ParseNumber(out);
    }
    if (ConsumeWord("None")) {
      out.value = std::monostate{};
      return true;
    }
    if (ConsumeWord("True")) {
      out.value = true;
      return true;
    }
    if (ConsumeWord("False")) {
      out.value = false;
      return true;
    }
    return Fail("unexpected character");
  }

  bool ParseList(PyValue& out, int depth) {
    ++pos_;
    PyValue::List items;
    SkipSpace();
    while (AtEnd() || Current() != ']') {
      PyValue item;
      if (!ParseValue(item, depth)) return false;
      items.push_back(std::move(item));
      if (!ParseSeparator(']')) return false;
    }
    ++pos_;
    out.value = std::move(items);
    return true;
  }

  bool ParseDict(PyValue& out, int depth) {
    ++pos_;
    PyValue::Dict entries;
    SkipSpace();
    while (AtEnd() || Current() != '}') {
      if (AtEnd()) return Fail("unterminated dict");
      if (Current() != '\'' && Current() != '"') {
        return Fail("dict key is not a str");
      }
      std::string key;
      if (!ParseString(key)) return false;
      SkipSpace();
      if (AtEnd() || Current() != ':') return Fail("expected ':'");
      ++pos_;
      SkipSpace();
      PyValue value;
      if (!ParseValue(value, depth)) return false;
      entries.push_back(PyDictEntry{std::move(key), std::move(value)});
      if (!ParseSeparator('}')) return false;
    }
    ++pos_;
    out.value = std::move(entries);
    return true;
  }

  // After an element: either `close` (left for the caller) or a comma,
  // which may be followed by `close` (trailing comma).
  bool ParseSeparator(char close) {
    SkipSpace();
    if (AtEnd()) return Fail("unterminated container");
    if (Current() == close) return true;
    if (Current() != ',') return Fail("expected ',' or the closing bracket");
    ++pos_;
    SkipSpace();
    return true;
  }

  bool ParseNumber(PyValue& out) {
    const std::size_t start = pos_;
    if (Current() == '-' || Current() == '+') ++pos_;
    bool is_float = false;
    std::size_t digits = 0;
    while (!AtEnd() && IsDigit(Current())) ++pos_, ++digits;
    if (!AtEnd() && Current() == '.') {
      is_float = true;
      ++pos_;
      while (!AtEnd() && IsDigit(Current())) ++pos_, ++digits;
    }
    if (digits == 0) return Fail("malformed number");
    if (!AtEnd() && (Current() == 'e' || Current() == 'E')) {
      is_float = true;
      ++pos_;
      if (!AtEnd() && (Current() == '-' || Current() == '+')) ++pos_;
      std::size_t exponent_digits = 0;
      while (!AtEnd() && IsDigit(Current())) ++pos_, ++exponent_digits;
      if (exponent_digits == 0) return Fail("malformed exponent");
    }
    std::string_view number = text_.substr(start, pos_ - start);
    // from_chars rejects a leading '+', which Python accepts as unary plus.
    if (number.front() == '+') number.remove_prefix(1);
    const char* first = number.data();
    const char* last = number.data() + number.size();
    if (is_float) {
      double parsed = 0;
      const auto [end, ec] = std::from_chars(first, last, parsed);
      if (ec != std::errc() || end != last) return Fail("float out of range");
      out.value = parsed;
    } else {
      // Python 3 rejects "012"; accepting it would silently change meaning.
      const std::string_view digits_only =
          number.front() == '-' ? number.substr(1) : number;
      if (digits_only.size() > 1 && digits_only.front() == '0') {
        return Fail("int with leading zeros");
      }
      int64_t parsed = 0;
      const auto [end, ec] = std::from_chars(first, last, parsed);
      if (ec != std::errc() || end != last) return Fail("int out of range");
      out.value = parsed;
    }
    return true;
  }

  bool ParseString(std::string& out) {
    const char quote = Current();
    ++pos_;
    for (;;) {
      if (AtEnd()) return Fail("unterminated str");
      const char c = Current();
      ++pos_;
      if (c == quote) return true;
      if (c == '\n' || c == '\r') return Fail("line break inside a str");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (!ParseEscape(out)) return false;
    }
  }

  // The escape after a backslash, which is already consumed.
  bool ParseEscape(std::string& out) {
    if (AtEnd()) return Fail("unterminated str");
    const char c = Current();
    ++pos_;
    switch (c) {
      case '\\':
        out += '\\';
        return true;
      case '\'':
        out += '\'';
        return true;
      case '"':
        out += '"';
        return true;
      case 'a':
        out += '\a';
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'v':
        out += '\v';
        return true;
      case '\n':
        return true;
      case 'x':
        return ParseHexEscape(out, 2);
      case 'u':
        return ParseHexEscape(out, 4);
      case 'U':
        return ParseHexEscape(out, 8);
      case 'N':
        return Fail("\\N{...} escapes are not supported");
      default:
        break;
    }
    if (c >= '0' && c <= '7') {
      uint32_t code = static_cast<uint32_t>(c - '0');
      for (int i = 0; i < 2 && !AtEnd() && Current() >= '0' && Current() <= '7';
           ++i, ++pos_) {
        code = code * 8 + static_cast<uint32_t>(Current() - '0');
      }
      AppendUtf8(out, code);
      return true;
    }
    out += '\\';
    out += c;
    return true;
  }

  bool ParseHexEscape(std::string& out, int length) {
    uint32_t code = 0;
    for (int i = 0; i < length; ++i, ++pos_) {
      const int digit = AtEnd() ? -1 : HexValue(Current());
      if (digit < 0) return Fail("truncated hex escape");
      code = code * 16 + static_cast<uint32_t>(digit);
    }
    if (code > 0x10FFFF) return Fail("code point out of range");
    AppendUtf8(out, code);
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  PyParseError error_;
};

}  // namespace

const PyValue* PyValue::Find(std::string_view key) const {
  const Dict* dict = AsDict();
  if (dict == nullptr) return nullptr;
  for (const auto& [name, value] : *dict) {
    if (name == key) return &value;
  }
  return nullptr;
}

std::optional<PyValue> ParsePyLiteral(std::string_view text,
                                      PyParseError* error) {
  return Parser(text).ParseAll(error);
}

std::optional<std::vector<std::string>> ExtractListField(std::string_view text,
                                                         std::string_view key) {
  const std::optional<PyValue> parsed = ParsePyLiteral(text);
  if (!parsed) return std::nullopt;
  const PyValue::List* list = parsed->AsList();
  if (list == nullptr) return std::nullopt;
  std::vector<std::string> values;
  values.reserve(list->size());
  for (const PyValue& item : *list) {
    const PyValue* field = item.Find(key);
    const std::string* text_value =
        field == nullptr ? nullptr : field->AsString();
    if (text_value == nullptr) return std::nullopt;
    values.push_back(*text_value);
  }
  return values;
}

std::string PyRepr(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  out += quote;
  return out;
}

}  // namespace chancho::movies
