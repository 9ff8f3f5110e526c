#pragma once
// The probe's bandwidth-versus-working-set figure as a chart (chart.h): one
// line per measured curve (kernel, threads), log-x in bytes and log-y in B/s
// (the levels span an order of magnitude and more), and each named plateau
// a line over its size range at its bandwidth, named in the legend
// ("DRAM 20.5 GB/s (2T)"). `dnnroof probe --plot` draws it.

#include "probe/probe.h"
#include "report/chart.h"

namespace dnnroof {

// Throws Error when `result` has no curve.
Chart bandwidth_chart(const ProbeResult& result);

}  // namespace dnnroof
