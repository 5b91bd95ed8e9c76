#include "harness/compare/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <vector>

#include "common/error.h"

namespace chancho::compare {
namespace {

constexpr size_t kBlockSize = size_t{1} << 20;
constexpr size_t kLineBufferSize = size_t{256} << 10;
constexpr size_t kPage = 4096;
// LineReader reads into its buffer at a multiple of this.
constexpr size_t kCacheLine = 64;

[[noreturn]] void ThrowIoError(const std::filesystem::path& path,
                               const char* what, int error) {
  throw Error(path.string() + ": cannot " + what + ": " + std::strerror(error));
}

}  // namespace

// On the AMD EPYC of BENCHMARKS.md, the kernel copied read() data several
// times slower into a destination 16 bytes off a cache line (where malloc
// puts its big blocks) than into an aligned one: 0.8-1.0 s instead of
// 0.15 s of system time for a 1 GB pair.
void AlignedDelete::operator()(char* data) const {
  ::operator delete[](data, std::align_val_t{kPage});
}

AlignedBuffer AllocateAligned(size_t size) {
  return AlignedBuffer(
      static_cast<char*>(::operator new[](size, std::align_val_t{kPage})));
}

File::File(const std::filesystem::path& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) ThrowIoError(path, "open", errno);
  struct stat st;
  if (::fstat(fd_, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd_);
    throw Error(path.string() + ": is a directory, not a file");
  }
  // The kernel reads ahead more aggressively for sequential scans.
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

size_t File::ReadFull(char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd_, data + done, size - done);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowIoError(path_, "read", errno);
    }
    done += static_cast<size_t>(n);
  }
  return done;
}

void File::Seek(uint64_t offset) {
  if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
    ThrowIoError(path_, "seek", errno);
  }
}

uint64_t File::Size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) ThrowIoError(path_, "stat", errno);
  return static_cast<uint64_t>(st.st_size);
}

namespace {

// GCC's vector extensions: SSE2 on x86-64, NEON on arm64, no intrinsics.
using Bytes16 = signed char __attribute__((vector_size(16)));

// The sum of the 16 lanes of `counts`, each read as unsigned (0..255).
int64_t SumLanes(Bytes16 counts) {
  uint64_t words[2];
  std::memcpy(words, &counts, sizeof words);
  constexpr uint64_t kLowBytes = 0x00FF00FF00FF00FFULL;
  int64_t sum = 0;
  for (uint64_t word : words) {
    // Pairs of bytes into 16-bit lanes (at most 510), then the four lanes
    // into the top 16 bits.
    word = (word & kLowBytes) + ((word >> 8) & kLowBytes);
    sum += static_cast<int64_t>((word * 0x0001000100010001ULL) >> 48);
  }
  return sum;
}

// The number of '\n' bytes, 16 at a time: a lane of (v == '\n') is -1 where
// v holds '\n', so subtracting it counts per lane; the lanes are summed
// before 255 rounds can overflow them. This runs over ten times faster than
// 8-byte SWAR words with __builtin_popcountll (a call to libgcc's
// __popcountdi2 without -mpopcnt), which took most of the time of a match.
int64_t CountNewlines(const char* data, size_t size) {
  constexpr size_t kWidth = sizeof(Bytes16);
  constexpr size_t kMaxRounds = 255;
  Bytes16 newlines;
  std::memset(&newlines, '\n', sizeof newlines);
  int64_t count = 0;
  size_t i = 0;
  while (size - i >= kWidth) {
    const size_t end = i + std::min((size - i) / kWidth, kMaxRounds) * kWidth;
    Bytes16 counts = {};
    for (; i < end; i += kWidth) {
      Bytes16 bytes;
      std::memcpy(&bytes, data + i, kWidth);
      counts -= bytes == newlines;
    }
    count += SumLanes(counts);
  }
  for (; i < size; ++i) count += data[i] == '\n';
  return count;
}

// The offsets just after the last `keep` newlines seen, oldest first.
class LineStarts {
 public:
  explicit LineStarts(size_t keep) : keep_(keep) {}

  // Takes the block at `offset` whose first `size` bytes were compared.
  void Scan(const char* data, size_t size, uint64_t offset) {
    const int64_t count = CountNewlines(data, size);
    // Only the last `keep_` newlines of the block can matter.
    std::vector<uint64_t> found;
    for (size_t end = size; found.size() < keep_ && end > 0;) {
      const void* p = ::memrchr(data, '\n', end);
      if (p == nullptr) break;
      end = static_cast<const char*>(p) - data;
      found.push_back(offset + end + 1);
    }
    for (auto it = found.rbegin(); it != found.rend(); ++it) {
      starts_.push_back(*it);
      if (starts_.size() > keep_) starts_.erase(starts_.begin());
    }
    lines_ += count;
  }
  int64_t lines() const { return lines_; }
  // The start of the line `back` lines before the current one (0 = it).
  uint64_t Start(size_t back) const {
    if (back >= starts_.size()) return 0;
    return starts_[starts_.size() - 1 - back];
  }

 private:
  size_t keep_;
  std::vector<uint64_t> starts_;
  int64_t lines_ = 0;  // complete lines seen
};

}  // namespace

Divergence FindDivergence(const std::filesystem::path& a,
                          const std::filesystem::path& b, int context) {
  File file_a(a);
  File file_b(b);
  const bool same_size = file_a.Size() == file_b.Size();
  const AlignedBuffer block_a = AllocateAligned(kBlockSize);
  const AlignedBuffer block_b = AllocateAligned(kBlockSize);
  LineStarts starts(static_cast<size_t>(context) + 1);
  uint64_t offset = 0;
  for (;;) {
    const size_t n_a = file_a.ReadFull(block_a.get(), kBlockSize);
    const size_t n_b = file_b.ReadFull(block_b.get(), kBlockSize);
    const size_t n = std::min(n_a, n_b);
    if (n_a == n_b && std::memcmp(block_a.get(), block_b.get(), n) == 0) {
      if (n < kBlockSize && same_size) {
        Divergence identical;
        identical.identical = true;
        return identical;
      }
      // (Sizes can differ when a file changes while it is read.)
      if (n < kBlockSize) break;
      starts.Scan(block_a.get(), n, offset);
      offset += n;
      continue;
    }
    const size_t equal = static_cast<size_t>(
        std::mismatch(block_a.get(), block_a.get() + n, block_b.get()).first -
        block_a.get());
    starts.Scan(block_a.get(), equal, offset);
    break;
  }
  const int64_t back = std::min<int64_t>(context, starts.lines());
  Divergence d;
  d.line_offset = starts.Start(0);
  d.line_number = starts.lines() + 1;
  d.context_offset = starts.Start(back);
  d.context_line = d.line_number - back;
  return d;
}

LineReader::LineReader(const std::filesystem::path& path, uint64_t offset,
                       int64_t first_line)
    : file_(path),
      buffer_(AllocateAligned(kLineBufferSize)),
      capacity_(kLineBufferSize),
      line_number_(first_line - 1) {
  if (offset > 0) file_.Seek(offset);
}

bool LineReader::Next(LineView* line) {
  for (;;) {
    const char* start = buffer_.get() + begin_;
    const void* newline =
        std::memchr(start + scanned_, '\n', end_ - begin_ - scanned_);
    if (newline != nullptr) {
      const size_t length = static_cast<const char*>(newline) - start;
      line->text = std::string_view(start, length);
      line->terminated = true;
      begin_ += length + 1;
      scanned_ = 0;
      ++line_number_;
      return true;
    }
    scanned_ = end_ - begin_;
    if (eof_) {
      if (begin_ == end_) return false;
      line->text = std::string_view(start, end_ - begin_);
      line->terminated = false;
      begin_ = end_;
      scanned_ = 0;
      ++line_number_;
      return true;
    }
    // Keep the partial line, move it to the front, and make room for more;
    // the buffer only grows for a line longer than it. The line ends on a
    // cache line, so that the read below copies to an aligned address.
    const size_t partial = end_ - begin_;
    const size_t pad = (kCacheLine - partial % kCacheLine) % kCacheLine;
    if (begin_ != pad) {
      std::memmove(buffer_.get() + pad, start, partial);
      begin_ = pad;
      end_ = pad + partial;
    }
    if (end_ == capacity_) {
      AlignedBuffer bigger = AllocateAligned(capacity_ * 2);
      std::memcpy(bigger.get(), buffer_.get(), end_);
      buffer_ = std::move(bigger);
      capacity_ *= 2;
    }
    const size_t n = file_.ReadFull(buffer_.get() + end_, capacity_ - end_);
    end_ += n;
    if (n == 0) eof_ = true;
  }
}

}  // namespace chancho::compare
