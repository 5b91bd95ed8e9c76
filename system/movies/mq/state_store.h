#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "system/movies/mq/dedup_tracker.h"

namespace chancho::movies::mq {

// What a stateful service persists: its own state (opaque bytes) and the ids
// of the messages that state already includes.
struct Snapshot {
  std::string state;
  DedupTracker processed;
  bool operator==(const Snapshot&) const = default;
};

// A storage or format problem; the message is one line naming the file.
class StateStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Keeps one Snapshot in `<dir>/<name>`, replaced atomically: Save writes
// `<name>.tmp`, fsyncs it, renames it over `<name>` and fsyncs the
// directory. A crash at any instant leaves either the previous snapshot or
// the new one, never a mix; a leftover `<name>.tmp` is ignored and
// overwritten by the next Save. The file carries a CRC-32, so a snapshot
// damaged on disk is reported rather than half-loaded.
//
// Typical use: restore with Load() at start; every messages_per_commit
// messages Save() and only then ack them. Not thread-safe; one StateStore
// per file.
class StateStore {
 public:
  // Creates `dir` if needed. Throws StateStoreError if it cannot.
  explicit StateStore(std::filesystem::path dir, std::string name = "state");

  void Save(const Snapshot& snapshot);
  // nullopt when nothing was saved yet. Throws StateStoreError when the file
  // exists but is unreadable or corrupt.
  std::optional<Snapshot> Load() const;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path path_;
  std::filesystem::path temp_path_;
};

}  // namespace chancho::movies::mq
