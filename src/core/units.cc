#include "core/units.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "core/error.h"
#include "core/strings.h"

namespace dnnroof {
namespace {

std::string format_scaled(double scaled, std::string_view prefix, std::string_view unit,
                          int significant) {
  // Significant digits, without trailing zeros ("19.5", "312", "1.23").
  std::string num = fmt::format("{:.{}g}", scaled, significant);
  if (num.find('e') != std::string::npos) num = fmt::format("{:.0f}", scaled);
  return fmt::format("{} {}{}", num, prefix, unit);
}

}  // namespace

std::string format_si(double value, std::string_view unit, int significant) {
  if (!std::isfinite(value)) return "n/a";
  if (value == 0) return fmt::format("0 {}", unit);
  static constexpr std::array<std::string_view, 13> kPrefixes{"a", "f", "p", "n", "u", "m", "",
                                                              "k", "M", "G", "T", "P", "E"};
  const double mag = std::fabs(value);
  int exp3 = static_cast<int>(std::floor(std::log10(mag) / 3.0));
  exp3 = std::clamp(exp3, -6, 6);
  double scaled = value / std::pow(10.0, 3 * exp3);
  // Rounding can carry to 1000 ("999.96" -> "1000"): move up a prefix.
  const double rounded = std::stod(fmt::format("{:.{}g}", std::fabs(scaled), significant));
  if (rounded >= 1000.0 && exp3 < 6) {
    ++exp3;
    scaled /= 1000.0;
  }
  const int prefix = exp3 + 6;  // 0: "a" .. 12: "E"
  return format_scaled(scaled, kPrefixes.at(static_cast<std::size_t>(prefix)), unit, significant);
}

std::string format_binary(double bytes, std::string_view unit, int significant) {
  if (!std::isfinite(bytes)) return "n/a";
  static constexpr std::array<std::string_view, 6> kPrefixes{"", "Ki", "Mi", "Gi", "Ti", "Pi"};
  std::size_t i = 0;
  double scaled = bytes;
  while (std::fabs(scaled) >= 1024.0 && i + 1 < kPrefixes.size()) {
    scaled /= 1024.0;
    ++i;
  }
  return format_scaled(scaled, kPrefixes.at(i), unit, significant);
}

double parse_quantity(std::string_view text_in, std::string_view unit) {
  const std::string text = trim(text_in);
  double value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr == begin) {
    fail("'{}' is not a quantity: expected a number followed by {}", text_in, unit);
  }
  const std::string rest = trim(std::string_view(ptr, static_cast<std::size_t>(end - ptr)));
  if (rest.empty()) return value;

  struct Prefix {
    std::string_view text;
    double factor;
  };
  // Binary prefixes first so "Gi" is not read as "G" + "iB".
  static constexpr std::array<Prefix, 11> kPrefixes{{{"Ki", 1024.0},
                                                     {"Mi", 1048576.0},
                                                     {"Gi", 1073741824.0},
                                                     {"Ti", 1099511627776.0},
                                                     {"k", 1e3},
                                                     {"K", 1e3},
                                                     {"M", 1e6},
                                                     {"G", 1e9},
                                                     {"T", 1e12},
                                                     {"P", 1e15},
                                                     {"E", 1e18}}};
  auto unit_matches = [&](std::string_view u) {
    if (u == unit) return true;
    return unit == "FLOP/s" && (u == "OP/s" || u == "OPS" || u == "FLOPS");
  };
  if (unit_matches(rest)) return value;
  for (const auto& p : kPrefixes) {
    if (rest.starts_with(p.text) && unit_matches(std::string_view(rest).substr(p.text.size()))) {
      return value * p.factor;
    }
  }
  fail("'{}': unit '{}' is not {} (with an optional prefix k, M, G, T, P, Ki, Mi, Gi)", text_in,
       rest, unit);
}

}  // namespace dnnroof
