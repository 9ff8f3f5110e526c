// Output paths checked before a command works (see output_path.h).
#include "core/output_path.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "core/error.h"

namespace dnnroof {
namespace fs = std::filesystem;

void prepare_output_dir(std::string_view option, const fs::path& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  // (An existing file on the way is an error of create_directories too.)
  if (ec) fail("{} '{}': cannot create the folder: {}", option, dir.string(), ec.message());
  if (!fs::is_directory(dir, ec)) fail("{} '{}': not a folder", option, dir.string());
  if (::access(dir.c_str(), W_OK) != 0) {
    fail("{} '{}': cannot write in the folder: {}", option, dir.string(), std::strerror(errno));
  }
}

void prepare_output_file(std::string_view option, const fs::path& file) {
  if (file.empty()) fail("{}: give a file name", option);
  std::error_code ec;
  if (file.has_parent_path()) {
    const fs::path parent = file.parent_path();
    fs::create_directories(parent, ec);
    if (ec) {
      fail("{} '{}': cannot create folder '{}': {}", option, file.string(), parent.string(),
           ec.message());
    }
  }
  if (fs::is_directory(file, ec)) fail("{} '{}': is a folder, not a file", option, file.string());
  const bool existed = fs::exists(file, ec);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    fail("{} '{}': cannot write the file: {}", option, file.string(), std::strerror(errno));
  }
  ::close(fd);
  if (!existed) fs::remove(file, ec);
}

}  // namespace dnnroof
