#pragma once

// The protocol between movies-client and client-handler: TCP, frames of
// system/common/framing.h (4-byte big-endian length, 1 type byte, payload).
//
//   client                              client-handler
//   Hello(client_id)            ───▶
//                               ◀───    Welcome(session key)
//   Data(file, csv records)     ───▶    (any number, files in order:
//   FileEnd(file, bad_csv)      ───▶     movies, credits, ratings)
//                               ◀───    Result(query, text)  x5, any order
//                               ◀───    Done
//   either side may receive        Error(message) and then a close
//
// A client whose connection breaks after Welcome (the handler crashed, say)
// connects again and resumes its session:
//   Resume(session key)         ───▶
//                               ◀───    ResumeFrom(file, frames)
//   Data/FileEnd from there     ───▶    (the results the handler already
//                               ◀───     has come again; same text)
// ResumeFrom's payload is the file byte (3: every file was taken) and, in
// decimal, how many Data frames of that file the handler already took; the
// client skips exactly those. A key the handler has no record of gets
// Error.
//
// A Data payload is one byte naming the file, then complete CSV records
// (as in the file, with '\n' line ends), at most kMaxBatchBytes in all
// unless a single record is larger. The first Data of each file starts with
// the header record. FileEnd carries the file byte and, in decimal, how many
// records the client's CSV reader could not parse and did not send.
//
// Anything else (an unknown type, a Data before Hello, a file out of order,
// a frame over kMaxFrameBytes) is a protocol error: the handler answers
// Error with one line and closes the connection.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "system/movies/reference.h"  // kQueryCount

namespace chancho::movies {

enum class FrameType : std::uint8_t {
  kHello = 1,
  kWelcome = 2,
  kData = 3,
  kFileEnd = 4,
  kResult = 5,
  kError = 6,
  kDone = 7,
  kResume = 8,
  kResumeFrom = 9,
};

inline bool IsKnownFrameType(std::uint8_t type) {
  return type >= static_cast<std::uint8_t>(FrameType::kHello) &&
         type <= static_cast<std::uint8_t>(FrameType::kResumeFrom);
}

// The three input files, in the order the client sends them.
enum class InputFile : std::uint8_t { kMovies = 0, kCredits = 1, kRatings = 2 };
inline constexpr int kInputFileCount = 3;
inline constexpr std::string_view kInputFileNames[kInputFileCount] = {
    "movies_metadata.csv", "credits.csv", "ratings.csv"};

inline constexpr std::size_t kMaxBatchBytes = 8 * 1024;
inline constexpr std::size_t kMaxFrameBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxClientIdBytes = 64;

// A client id is 1 to kMaxClientIdBytes of [A-Za-z0-9._-]: it names a
// results directory and a part of every message id.
inline bool IsValidClientId(std::string_view id) {
  if (id.empty() || id.size() > kMaxClientIdBytes) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// A session key as the handler makes them: "<client id>@<digits>.<digits>".
inline bool IsValidSessionKey(std::string_view key) {
  const auto at = key.rfind('@');
  if (at == std::string_view::npos || !IsValidClientId(key.substr(0, at))) {
    return false;
  }
  const std::string_view rest = key.substr(at + 1);
  const auto dot = rest.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == rest.size() ||
      rest.size() > 40) {
    return false;
  }
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (i != dot && (rest[i] < '0' || rest[i] > '9')) return false;
  }
  return true;
}

}  // namespace chancho::movies
