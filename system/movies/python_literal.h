#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace chancho::movies {

// One value of a Python literal as the Kaggle list columns hold them:
// None, True/False, int, float, str, list or dict. Dict keys must be str
// (that is all the data uses); dict entries keep their order in the text.
struct PyDictEntry;

struct PyValue {
  using List = std::vector<PyValue>;
  // Entries in text order. A struct of its own rather than std::pair, which
  // may not be instantiated while PyValue is incomplete.
  using Dict = std::vector<PyDictEntry>;

  std::variant<std::monostate, bool, int64_t, double, std::string, List, Dict>
      value;

  bool IsNone() const { return value.index() == 0; }
  // The alternative, or nullptr when the value is of another type.
  const std::string* AsString() const {
    return std::get_if<std::string>(&value);
  }
  const List* AsList() const { return std::get_if<List>(&value); }
  const Dict* AsDict() const { return std::get_if<Dict>(&value); }
  // For a dict, the value of the first entry named `key`; nullptr otherwise.
  const PyValue* Find(std::string_view key) const;
};

struct PyDictEntry {
  std::string first;  // the key
  PyValue second;     // its value
};

// Why a literal could not be parsed: the byte offset and a one-line cause.
struct PyParseError {
  std::size_t offset = 0;
  std::string message;
};

// Parses exactly one literal (surrounding whitespace allowed) written the way
// Python's repr() writes it:
//   - str in single or double quotes with the backslash escapes of Python
//     (\\ \' \" \a \b \f \n \r \t \v, octal \ooo, \xhh, \uXXXX,
//     \UXXXXXXXX written out as UTF-8, backslash-newline as nothing; an
//     unknown escape such as \d stays as written, like Python);
//   - int within int64, float (decimal with optional exponent), None, True,
//     False; lists and dicts, trailing commas allowed.
// Unsupported or malformed input gives an error, never a crash: \N{...},
// string prefixes, tuples, sets, non-str dict keys, nesting deeper than
// kMaxPyDepth, raw line breaks inside a str. Thread-safe (pure).
inline constexpr int kMaxPyDepth = 64;
std::optional<PyValue> ParsePyLiteral(std::string_view text,
                                      PyParseError* error = nullptr);

// For the Kaggle list columns (genres, production_countries, cast, ...):
// the str value of `key` in each dict of a list of dicts, in list order.
// nullopt when the text is not such a list, or some element is not a dict
// or lacks a str `key`. An empty list gives an empty vector.
std::optional<std::vector<std::string>> ExtractListField(std::string_view text,
                                                         std::string_view key);

// Python's repr() of a str: single quotes unless the text has a single
// quote and no double quote, backslash escapes for the quote, backslash and
// control bytes; other bytes (UTF-8) unchanged. Used to write test data
// exactly as the real files have it.
std::string PyRepr(std::string_view text);

}  // namespace chancho::movies
