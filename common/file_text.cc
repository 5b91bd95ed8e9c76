#include "common/file_text.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "common/error.h"

namespace chancho {

std::string ReadText(const std::filesystem::path& path) {
  const std::string label = path.string();
  auto fail = [&label](int error) {
    throw Error(label + ": cannot read: " + std::strerror(error));
  };
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(label.c_str(), "rb"),
                                             &std::fclose);
  if (!file) fail(errno);
  std::string text;
  char buffer[8192];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    text.append(buffer, n);
  }
  // fopen() succeeds on a directory; the read is what fails (EISDIR).
  if (std::ferror(file.get())) fail(errno);
  return text;
}

void WriteFileAtomically(const std::filesystem::path& path,
                         const std::string& contents) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << contents;
    if (!out.flush()) throw Error(temporary.string() + ": cannot write");
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    throw Error(path.string() + ": cannot rename into place: " + ec.message());
  }
}

}  // namespace chancho
