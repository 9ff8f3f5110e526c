#pragma once
// The program run by a test: its exit status, stdout and stderr, each
// captured to a file of a temporary folder.

#include <gtest/gtest.h>

#include <string>

#include "support/files.h"

namespace dnnroof::test {

struct CliRun {
  int status = -1;  // the exit status; -1 when it did not exit (a signal)
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `program args` through the shell, with `env` (VAR=value ..., or an
// `env -u ...` prefix's arguments) before it when not empty; stdout and
// stderr go through files in `dir`.
CliRun run_program(const std::string& program, const std::string& args,
                   const std::filesystem::path& dir, const std::string& env = "");

#if defined(DNNROOF_BINARY)
// A test of the program (DNNROOF_BINARY, set by the test's CMakeLists): a
// temporary folder per test and run() with the output captured there.
class CliTest : public ::testing::Test {
 protected:
  explicit CliTest(const std::string& name) : dir_(name) {}
  // `dnnroof ARGS` (inline: DNNROOF_BINARY is the test's own definition).
  CliRun run(const std::string& args) const { return run_program(DNNROOF_BINARY, args, dir()); }
  const std::filesystem::path& dir() const { return dir_.path(); }

  TempDir dir_;
};
#endif

}  // namespace dnnroof::test
