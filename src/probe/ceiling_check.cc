#include "probe/ceiling_check.h"

#include <fmt/format.h>

#include <cmath>

#include "core/units.h"

namespace dnnroof {
namespace {

bool known(double v) { return v > 0 && std::isfinite(v); }

}  // namespace

std::string compute_ceiling_flag(double measured, double theoretical, double clock_hz,
                                 double flops_per_cycle, double cores, bool virtualized,
                                 bool clock_measured) {
  if (!known(measured) || !known(theoretical) || measured <= theoretical) return {};
  std::string out =
      fmt::format("IMPOSSIBLE: {:.1f}% of the theoretical peak", 100 * measured / theoretical);
  if (!known(clock_hz) || !known(flops_per_cycle) || !known(cores)) {
    return out + "; the theoretical figure is wrong (clock or FLOP/cycle understated)";
  }
  const double implied_hz = measured / (flops_per_cycle * cores);
  out += fmt::format("; it implies {} at {:g} FLOP/cycle/core on {:g} core{} vs the {} assumed",
                     format_si(implied_hz, "Hz", 3), flops_per_cycle, cores, cores == 1 ? "" : "s",
                     format_si(clock_hz, "Hz", 3));
  if (implied_hz <= 1.6 * clock_hz && clock_measured) {
    out +=
        ": the measured clock is below the one the kernel ran at (the clock was measured "
        "while other work shared the cores: rerun on an idle machine), or the table's "
        "FLOP/cycle is too low";
  } else if (implied_hz <= 1.6 * clock_hz) {
    out += virtualized ? ": the clock is understated (the cores turbo above the clock this virtual "
                         "machine reports, its TSC clock)"
                       : ": the clock is understated (the cores turbo above the clock assumed)";
  } else {
    out += fmt::format(
        ": no plausible turbo reaches that; the FLOP/cycle assumption ({:g}) is too "
        "low",
        flops_per_cycle);
  }
  return out;
}

std::string bandwidth_ceiling_flag(double measured, double theoretical, const std::string& level) {
  if (!known(measured) || !known(theoretical) || measured <= theoretical) return {};
  std::string out = fmt::format("IMPOSSIBLE: {:.1f}% of the theoretical {} bandwidth",
                                100 * measured / theoretical, level);
  if (level == "DRAM") {
    return out +
           ": a cache still serves part of the working set, or the derived figure "
           "(channels x MT/s x 8 B) understates the memory system";
  }
  return out + ": the theoretical figure is understated (clock or bytes/cycle)";
}

std::string compute_shortfall_note(double measured, double theoretical, double fraction) {
  if (!known(measured) || !known(theoretical) || measured >= fraction * theoretical) return {};
  return fmt::format(
      "{:.0f}% of theoretical: the instruction's throughput is below the FLOP/cycle assumed, or "
      "other processes shared the cores (compare the median, the 1-thread row; docs/probe.md)",
      100 * measured / theoretical);
}

}  // namespace dnnroof
