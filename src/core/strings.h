#pragma once
// Small string utilities.

#include <string>
#include <string_view>
#include <vector>

namespace dnnroof {

std::string to_lower(std::string_view s);
std::string trim(std::string_view s);

// Splits on `sep`; empty fields are kept ("a,,b" -> {"a","","b"}); "" -> {}.
std::vector<std::string> split(std::string_view s, char sep);

std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Levenshtein distance, case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

// Up to `limit` candidates closest to `query`: those containing it as a
// substring first, then by edit distance. Used for "did you mean" messages.
std::vector<std::string> closest_matches(std::string_view query,
                                         const std::vector<std::string>& candidates,
                                         std::size_t limit = 5);

}  // namespace dnnroof
