#pragma once
// Files for tests: a temporary folder removed at the end of its scope, a
// whole file read or written, and the message of the error a call throws.

#include <filesystem>
#include <string>

#include "core/error.h"

namespace dnnroof::test {

// $TMPDIR/dnnroof-NAME-PID, created empty (an old one is removed first),
// removed again by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& name);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& leaf) const { return path_ / leaf; }

 private:
  std::filesystem::path path_;
};

// The bytes of `path`; "" when it cannot be read.
std::string read_file(const std::filesystem::path& path);

// Writes `text` to `path` (replacing it), as bytes.
void write_file(const std::filesystem::path& path, const std::string& text);

// The message of the Error `f` throws; "" when it throws none (any other
// exception goes through, failing the test).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace dnnroof::test
