#pragma once
// SI units (1 GB = 1e9 B, 1 GFLOP = 1e9 FLOP) for everything we print, binary
// units (KiB, MiB, GiB) only when asked for, and parsing of quantities written
// with units in data files ("2039 GB/s", "40 MiB", "19.5 TFLOP/s", "3.0 GHz").

#include <string>
#include <string_view>

namespace dnnroof {

// "19.5 TFLOP/s": value scaled to the SI prefix that leaves 1 <= x < 1000,
// with `significant` significant digits. 0 -> "0 FLOP/s"; non-finite -> "n/a".
std::string format_si(double value, std::string_view unit, int significant = 3);

// "40 MiB": binary prefixes (Ki, Mi, Gi, Ti).
std::string format_binary(double bytes, std::string_view unit = "B", int significant = 3);

// Parses "<number> [prefix]<unit>" where unit must equal `unit` (for example
// "B/s", "B", "FLOP/s", "Hz"). SI prefixes k, M, G, T, P, E and binary prefixes
// Ki, Mi, Gi, Ti are accepted; "OP/s" is accepted where "FLOP/s" is expected
// (integer peaks). A bare number is taken as already in base units. Throws
// Error naming the text on anything else.
double parse_quantity(std::string_view text, std::string_view unit);

}  // namespace dnnroof
