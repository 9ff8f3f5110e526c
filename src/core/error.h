#pragma once
// Errors: one exception type for everything the user can get wrong (bad input,
// unknown names, malformed files). The message always says what is wrong and
// where (file, line, node, op); the program prints it and exits non-zero.

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace dnnroof {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws Error with a fmt-formatted message.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace dnnroof
