// read_text_file and read_first_line on files written here.
#include "core/text_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "support/files.h"

namespace dnnroof {
namespace {

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

TEST(TextFile, WholeFileIsReadByteForByte) {
  const test::TempDir dir("text-file");
  const std::string text("a\r\nb\n\0c", 7);
  write(dir / "f.txt", text);
  EXPECT_EQ(read_text_file(dir / "f.txt"), text);
  write(dir / "empty.txt", "");
  EXPECT_EQ(read_text_file(dir / "empty.txt"), "");
  EXPECT_EQ(read_text_file(dir / "missing.txt"), std::nullopt);
}

TEST(TextFile, FirstLineIsTrimmedAndEmptyWhenUnreadable) {
  const test::TempDir dir("first-line");
  // A sysfs CPU list: the value, a newline, nothing else.
  write(dir / "thread_siblings_list", "0-1\n");
  EXPECT_EQ(read_first_line(dir / "thread_siblings_list"), "0-1");
  write(dir / "two", "  3,5 \t\nsecond line\n");
  EXPECT_EQ(read_first_line(dir / "two"), "3,5");
  write(dir / "no-newline", "boot-id");
  EXPECT_EQ(read_first_line(dir / "no-newline"), "boot-id");
  EXPECT_EQ(read_first_line(dir / "missing"), "");
}

}  // namespace
}  // namespace dnnroof
