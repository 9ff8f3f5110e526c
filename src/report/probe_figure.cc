#include "report/probe_figure.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/units.h"

namespace dnnroof {

Chart bandwidth_chart(const ProbeResult& result) {
  if (result.curves.empty()) fail("probe: no bandwidth curve to plot");
  Chart c;
  c.kind = ChartKind::scatter;
  c.title = fmt::format("Memory bandwidth vs working set: {}", result.host.cpu_model);
  c.x_label = "working set [B] (all arrays, all threads)";
  c.y_label = "bandwidth [B/s] (fastest sample, STREAM byte counts)";
  c.x_scale = AxisScale::log;
  c.y_scale = AxisScale::log;
  c.width_px = 1200;
  c.height_px = 700;
  // Binary tics every factor of 16 over the measured range: 4 KiB, 64 KiB, ...
  double largest = 0;
  for (const BandwidthCurve& curve : result.curves) {
    for (const BandwidthPoint& p : curve.points) {
      largest = std::max(largest, p.working_set_bytes);
    }
  }
  for (int k = 0; k < 16; ++k) {
    const double t = 4096 * std::pow(16.0, k);
    if (t > 4 * largest) break;
    c.x_tics.push_back(t);
    c.x_tic_labels.push_back(format_binary(t));
  }
  for (const BandwidthCurve& curve : result.curves) {
    ChartSeries s;
    s.name = fmt::format("{}, {} thread{}", memory_kernel_name(curve.kind), curve.threads,
                         curve.threads == 1 ? "" : "s");
    s.lines = true;
    for (const BandwidthPoint& p : curve.points) {
      s.x.push_back(p.working_set_bytes);
      s.y.push_back(p.rate.best);
      s.labels.push_back(fmt::format("{}: {} at {}", s.name, format_si(p.rate.best, "B/s"),
                                     format_binary(p.working_set_bytes)));
    }
    c.series.push_back(std::move(s));
  }
  // Plateaus: a line over each one's size range at its bandwidth.
  for (const BandwidthCurve& curve : result.curves) {
    for (const Plateau& p : curve.plateaus) {
      ChartSeries s;
      s.name = fmt::format("{} {} ({}T)", p.level, format_si(p.bytes_per_s, "B/s"), curve.threads);
      s.lines = true;
      s.x = {p.min_bytes, p.max_bytes};
      s.y = {p.bytes_per_s, p.bytes_per_s};
      c.series.push_back(std::move(s));
    }
  }
  return c;
}

}  // namespace dnnroof
