#include "core/text_file.h"

#include <fstream>
#include <sstream>
#include <string_view>

#include "core/strings.h"

namespace dnnroof {

std::optional<std::string> read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string read_first_line(const std::filesystem::path& path) {
  const std::string text = read_text_file(path).value_or("");
  return trim(std::string_view(text).substr(0, text.find('\n')));
}

}  // namespace dnnroof
