#pragma once
// Impossible results: a measured ceiling above its theoretical figure means
// the theoretical figure is wrong (or the measurement is), never that the
// machine beat physics. These checks say so, with the likely cause, so that
// the probe's table and JSON never show such a ratio silently. Pure.

#include <string>

namespace dnnroof {

// The flag of a compute ceiling: empty when measured <= theoretical (or
// either is unknown), else a sentence with the ratio, the clock the
// measurement implies at the assumed FLOP/cycle/core on `cores` cores, and
// the likely cause: the clock is understated (turbo above the reported
// clock; a virtual machine reports its TSC clock, `virtualized`) when the
// implied clock is within 1.6x of the assumed one, else the FLOP/cycle
// assumption is too low. `flops_per_cycle` <= 0 or `clock_hz` <= 0: the
// implied clock is left out.
// `clock_measured`: the clock was measured (probe/clock.h), so an implied
// clock above it means the measurement ran slow (load) or the FLOP/cycle
// figure is too low, not a hidden turbo.
std::string compute_ceiling_flag(double measured, double theoretical, double clock_hz,
                                 double flops_per_cycle, double cores, bool virtualized,
                                 bool clock_measured = false);

// The flag of a bandwidth ceiling of memory level `level`: empty when
// measured <= theoretical (or either is unknown); else the ratio and the
// likely cause: a cache serving part of the working set (DRAM), or a wrong
// derived figure (channels, MT/s).
std::string bandwidth_ceiling_flag(double measured, double theoretical, const std::string& level);

// A note for a measured compute ceiling far below its theoretical figure
// (under `fraction` of it): the instruction's throughput is lower than the
// FLOP/cycle assumed, or other processes shared the cores. Empty otherwise.
std::string compute_shortfall_note(double measured, double theoretical, double fraction = 0.5);

}  // namespace dnnroof
