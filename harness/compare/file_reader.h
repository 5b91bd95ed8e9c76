#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace chancho::compare {

// Streaming reads of result files. Nothing here loads a file whole: memory
// is one buffer per open file (it grows only to hold a line longer than the
// buffer). Errors (a file that cannot be opened or read) throw
// chancho::Error naming the file. Not thread-safe; one reader per thread.

// A buffer aligned to a page. read() copies into it much faster than into
// malloc's big blocks, which start 16 bytes into a page (see
// file_reader.cc).
struct AlignedDelete {
  void operator()(char* data) const;
};
using AlignedBuffer = std::unique_ptr<char[], AlignedDelete>;
AlignedBuffer AllocateAligned(size_t size);

// An open file descriptor, closed on destruction.
class File {
 public:
  explicit File(const std::filesystem::path& path);
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  void Seek(uint64_t offset);
  // Reads up to `size` bytes, retrying short reads; returns the count, which
  // is less than `size` only at the end of the file.
  size_t ReadFull(char* data, size_t size);
  uint64_t Size() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

// Where two files stop being the same, at a line boundary: the lines
// before `line_offset` are byte-identical in both files.
struct Divergence {
  bool identical = false;       // the files hold the same bytes
  uint64_t line_offset = 0;     // the first line that differs (both files)
  int64_t line_number = 1;      // its 1-based number
  uint64_t context_offset = 0;  // up to `context` lines before it
  int64_t context_line = 1;     // the 1-based number of that line
};

// Compares the files in 1 MiB blocks with memcmp (and counts their lines
// as it goes) up to the first differing byte: a match costs one read of
// each file, and a diff starts where the files differ.
Divergence FindDivergence(const std::filesystem::path& a,
                          const std::filesystem::path& b, int context);

// A line without its '\n'. `terminated` is false only for a last line that
// has no '\n' after it.
struct LineView {
  std::string_view text;
  bool terminated = true;
};

// Reads a file one line at a time.
class LineReader {
 public:
  // Starts at byte `offset`, the start of line `first_line` (1-based).
  explicit LineReader(const std::filesystem::path& path, uint64_t offset = 0,
                      int64_t first_line = 1);

  // The next line; its text stays valid until the next call. Returns false
  // at the end of the file.
  bool Next(LineView* line);
  // The 1-based number of the line last returned.
  int64_t line_number() const { return line_number_; }
  const std::filesystem::path& path() const { return file_.path(); }

 private:
  File file_;
  AlignedBuffer buffer_;
  size_t capacity_;
  size_t begin_ = 0;    // first unread byte
  size_t end_ = 0;      // end of the bytes read so far
  size_t scanned_ = 0;  // bytes after begin_ known to hold no '\n'
  bool eof_ = false;
  int64_t line_number_ = 0;
};

}  // namespace chancho::compare
