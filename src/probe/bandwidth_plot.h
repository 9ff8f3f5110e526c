#pragma once
// The bandwidth-versus-working-set figure of a probe: one line per measured
// curve (kernel, threads), log-x in bytes and log-y in B/s (the levels span
// an order of magnitude and more), each named plateau a labelled horizontal
// segment over its size range. The script is text (tested without gnuplot);
// the caller runs it (report/gnuplot.h run_gnuplot).

#include <string>

#include "probe/probe.h"

namespace dnnroof {

// A complete gnuplot script writing `output`; the terminal follows its
// extension (.png: pngcairo, .svg, .pdf: pdfcairo; else Error). Throws Error
// when `result` has no curve.
std::string bandwidth_plot_script(const ProbeResult& result, const std::string& output);

}  // namespace dnnroof
