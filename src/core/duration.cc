#include "core/duration.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>

#include "core/error.h"
#include "core/strings.h"

namespace dnnroof {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "?";
  const auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  if (total < 60) return fmt::format("{} s", total);
  if (total < 3600) return fmt::format("{} min {} s", total / 60, total % 60);
  return fmt::format("{} h {} min", total / 3600, (total % 3600) / 60);
}

double parse_duration_s(std::string_view text, std::string_view option) {
  const std::string t = to_lower(trim(std::string(text)));
  try {
    std::size_t used = 0;
    const double v = std::stod(t, &used);
    const std::string unit = trim(t.substr(used));
    double scale = 0;
    if (unit.empty() || unit == "s") scale = 1;
    if (unit == "ms") scale = 1e-3;
    if (unit == "min" || unit == "m") scale = 60;
    if (unit == "h") scale = 3600;
    if (scale > 0 && v > 0 && std::isfinite(v)) return v * scale;
  } catch (const std::exception&) {
  }
  fail("{} '{}': expected a positive duration such as 10s, 500ms or 2min", option, text);
}

double parse_target_fraction(std::string_view text, std::string_view option) {
  const std::string t = trim(std::string(text));
  try {
    std::size_t used = 0;
    if (t.ends_with("%")) {
      const double pct = std::stod(t.substr(0, t.size() - 1), &used);
      if (used == t.size() - 1 && pct > 0 && pct < 100) return pct / 100;
    } else {
      const double v = std::stod(t, &used);
      if (used == t.size() && v > 0 && v < 1) return v;
    }
  } catch (const std::exception&) {
  }
  fail("{} '{}': expected a percentage such as 2% (or a fraction such as 0.02)", option, text);
}

}  // namespace dnnroof
