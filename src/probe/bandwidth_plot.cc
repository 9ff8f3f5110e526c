#include "probe/bandwidth_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"

namespace dnnroof {
namespace {

std::string lower_extension(const std::string& path) {
  const auto dot = path.find_last_of('.');
  if (dot == std::string::npos) return {};
  std::string ext = path.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

// A gnuplot single-quoted string ('' is a quote inside).
std::string quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string bandwidth_plot_script(const ProbeResult& result, const std::string& output) {
  if (result.curves.empty()) fail("probe: no bandwidth curve to plot");
  const std::string ext = lower_extension(output);
  std::string terminal;
  if (ext == ".png") {
    terminal = "pngcairo size 1200,700 font ',11'";
  } else if (ext == ".svg") {
    terminal = "svg size 1200,700 dynamic font ',12'";
  } else if (ext == ".pdf") {
    terminal = "pdfcairo size 8in,4.7in font ',9'";
  } else {
    fail("--plot {}: unknown image type (use .png, .svg or .pdf)", output);
  }
  std::string s;
  s += fmt::format("set terminal {}\nset output {}\n", terminal, quoted(output));
  s += fmt::format("set title {}\n", quoted(fmt::format("Memory bandwidth vs working set: {}",
                                                        result.host.cpu_model)));
  s += "set logscale xy\nset grid xtics ytics mxtics\n";
  s += "set xlabel 'working set [B] (all arrays, all threads)'\n";
  s += "set ylabel 'bandwidth [B/s] (fastest sample, STREAM byte counts)'\n";
  s += "set format y '%.0s %cB/s'\n";
  // Binary tics every factor of 16 over the measured range: 4 KiB, 64 KiB, ...
  double largest = 0;
  for (const BandwidthCurve& c : result.curves) {
    for (const auto& p : c.points) largest = std::max(largest, p.working_set_bytes);
  }
  std::vector<std::string> tics;
  for (int k = 0; k < 16; ++k) {
    const double t = 4096 * std::pow(16.0, k);
    if (t > 4 * largest) break;
    tics.push_back(fmt::format("{} {:.0f}", quoted(format_binary(t)), t));
  }
  s += fmt::format("set xtics ({})\n", join(tics, ", "));
  s += "set key outside right top\n";
  // Data blocks: one per curve.
  std::vector<std::string> plots;
  for (std::size_t i = 0; i < result.curves.size(); ++i) {
    const BandwidthCurve& c = result.curves[i];
    s += fmt::format("$curve{} << EOD\n", i);
    for (const auto& p : c.points) {
      s += fmt::format("{:.9g} {:.9g}\n", p.working_set_bytes, p.rate.best);
    }
    s += "EOD\n";
    plots.push_back(fmt::format("$curve{} using 1:2 with linespoints lw 2 pt {} title {}", i,
                                5 + static_cast<int>(i),
                                quoted(fmt::format("{}, {} thread{}", memory_kernel_name(c.kind),
                                                   c.threads, c.threads == 1 ? "" : "s"))));
  }
  // Plateaus: a thick segment over each one's size range, its label above.
  int arrow = 1;
  for (std::size_t ci = 0; ci < result.curves.size(); ++ci) {
    const BandwidthCurve& c = result.curves[ci];
    // Labels of alternate curves above and below their segment.
    const double offset = ci % 2 == 0 ? 0.8 : -0.8;
    for (const Plateau& p : c.plateaus) {
      s += fmt::format(
          "set arrow {} from {:.9g},{:.9g} to {:.9g},{:.9g} nohead lw 5 lc rgb '#80000000' "
          "front\n",
          arrow, p.min_bytes, p.bytes_per_s, p.max_bytes, p.bytes_per_s);
      s += fmt::format(
          "set label {} {} at {:.9g},{:.9g} center offset 0,{} front\n", arrow,
          quoted(fmt::format("{} {} ({}T)", p.level, format_si(p.bytes_per_s, "B/s"), c.threads)),
          std::sqrt(p.min_bytes * p.max_bytes), p.bytes_per_s, offset);
      ++arrow;
    }
  }
  s += "plot ";
  for (std::size_t i = 0; i < plots.size(); ++i) s += (i ? ", \\\n     " : "") + plots[i];
  s += "\n";
  return s;
}

}  // namespace dnnroof
