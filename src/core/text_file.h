#pragma once
// Reading a whole small file (a config, a results file, a /proc or /sys
// entry) as text: the one place the library opens a file to read it all.

#include <filesystem>
#include <optional>
#include <string>

namespace dnnroof {

// The file's bytes, or nullopt when it cannot be opened.
std::optional<std::string> read_text_file(const std::filesystem::path& path);

// The file's first line, trimmed (a /proc or /sys value); "" when it cannot be
// read.
std::string read_first_line(const std::filesystem::path& path);

}  // namespace dnnroof
