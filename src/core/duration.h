#pragma once
// Durations as the program reads and writes them: a sampling budget or time
// limit ("10s", "500ms", "2min"), a precision target ("2%"), and seconds
// printed for people ("45 s", "2 min 10 s", "1 h 3 min").

#include <string>
#include <string_view>

namespace dnnroof {

// Whole seconds, rounded: "45 s" below a minute, "2 min 10 s" below an hour,
// "1 h 3 min" above; a negative value is "0 s"; non-finite is "?".
std::string format_duration(double seconds);

// "10s", "10", "500ms", "2min" (or "2m"), "1h", "1.5 s" -> seconds, case and
// surrounding spaces ignored. Throws Error naming `option` and the text
// unless it is a positive finite duration in one of those units.
double parse_duration_s(std::string_view text, std::string_view option = "--budget");

// A relative precision target: "2%" -> 0.02, or a fraction "0.02" -> 0.02.
// Throws Error naming `option` and the text unless it lies strictly between
// 0 and 100% (a bare number >= 1 is refused as ambiguous).
double parse_target_fraction(std::string_view text, std::string_view option = "--target");

}  // namespace dnnroof
