#include "store/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "core/error.h"
#include "fixtures.h"

namespace dnnroof {
namespace {

using testing::read_file;
using testing::TempDir;
using testing::write_file;

std::size_t entries(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(AtomicFile, ReplacesTheWholeFile) {
  TempDir dir("replace");
  const auto path = dir / "results.json";
  write_file(path, "old content that is longer than the new one");
  write_file_atomic(path, [](const ChunkSink& sink) {
    sink("new ");
    sink("content");
  });
  EXPECT_EQ(read_file(path), "new content");
  EXPECT_EQ(entries(dir.path()), 1u);  // no temporary file left
  const auto perms = std::filesystem::status(path).permissions();
  EXPECT_NE(perms & std::filesystem::perms::others_read, std::filesystem::perms::none);
}

TEST(AtomicFile, AWriterThatThrowsMidwayLeavesTheOldFileIntact) {
  TempDir dir("throw");
  const auto path = dir / "results.json";
  write_file(path, "{\"schema_version\": 1, \"records\": []}\n");
  EXPECT_THROW(write_file_atomic(path,
                                 [](const ChunkSink& sink) {
                                   sink("{\"schema_version\": 1, \"records\": [");
                                   throw std::runtime_error("killed mid-way");
                                 }),
               std::runtime_error);
  EXPECT_EQ(read_file(path), "{\"schema_version\": 1, \"records\": []}\n");
  EXPECT_EQ(entries(dir.path()), 1u);  // the partial temporary file is gone
}

TEST(AtomicFile, CreatesAMissingFileAndFailsInAMissingDirectory) {
  TempDir dir("create");
  write_file_atomic(dir / "new.json", "x");
  EXPECT_EQ(read_file(dir / "new.json"), "x");
  try {
    write_file_atomic(dir / "no-such-dir" / "f.json", "x");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-dir/f.json"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dnnroof
