#include "store/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"

namespace dnnroof {
namespace {

// Closes and, unless released, unlinks the temporary file.
class TempFile {
 public:
  TempFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!released_) ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  void close_or_throw(const std::filesystem::path& target) {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) {
      fail("cannot write '{}': close: {}", target.string(), std::strerror(errno));
    }
  }
  void release() { released_ = true; }

 private:
  int fd_;
  std::string path_;
  bool released_ = false;
};

void write_all(int fd, std::string_view chunk, const std::filesystem::path& target) {
  while (!chunk.empty()) {
    const ssize_t n = ::write(fd, chunk.data(), chunk.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write '{}': {}", target.string(), std::strerror(errno));
    }
    chunk.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

void write_file_atomic(const std::filesystem::path& path,
                       const std::function<void(const ChunkSink&)>& produce) {
  const std::filesystem::path dir =
      path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  // mkstemp in the same directory, so the rename never crosses file systems.
  std::string leaf = ".";
  leaf += path.filename().string();
  leaf += ".tmp.XXXXXX";
  const std::string pattern = (dir / leaf).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) fail("cannot write '{}': temporary file: {}", path.string(), std::strerror(errno));
  TempFile temp(fd, name.data());
  ::fchmod(temp.fd(), 0644);

  produce([&](std::string_view chunk) { write_all(temp.fd(), chunk, path); });

  if (::fsync(temp.fd()) != 0) {
    fail("cannot write '{}': fsync: {}", path.string(), std::strerror(errno));
  }
  temp.close_or_throw(path);
  if (::rename(temp.path().c_str(), path.c_str()) != 0) {
    fail("cannot write '{}': rename: {}", path.string(), std::strerror(errno));
  }
  temp.release();
  // Make the rename itself durable.
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  write_file_atomic(path, [content](const ChunkSink& sink) { sink(content); });
}

}  // namespace dnnroof
