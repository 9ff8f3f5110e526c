// bench_probe: how close the probe comes to the hardware.
//  1. The FMA peak (fp64, fp32) on one core and on all, against the host's
//     theoretical peak (cores x clock x FLOP/cycle). Target: >= 90%.
//  2. The probe's triad against a STREAM-equivalent triad (stream_triad.cc)
//     at a DRAM-sized working set (each array >= 4 x LLC, STREAM's rule), on
//     all cores, both counted as STREAM counts. Target: >= 90% of STREAM.
// Usage: bench_probe [array MiB] (default max(4 x LLC, 128 MiB) per array).

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "core/units.h"
#include "hw/host.h"
#include "probe/probe.h"
#include "probe/thread_team.h"
#include "stream_triad.h"

int main(int argc, char** argv) {
  using namespace dnnroof;
  const HostInfo host = detect_host_info();
  const Chip theoretical = host_chip(host);
  const int all = static_cast<int>(physical_core_cpus().size());
  const double cores = std::max(1, host.physical_cores);
  fmt::print("host: {}, {} physical cores, clock {} ({})\n", host.cpu_model, host.physical_cores,
             format_si(host.clock_hz, "Hz", 4),
             host.virtualized ? "virtual machine" : "bare metal");

  fmt::print("\n1. FMA peak vs theoretical (target >= 90%)\n");
  fmt::print("{:<20} {:>7} {:>16} {:>16} {:>16} {:>8} {:>8}\n", "kernel", "threads", "best",
             "median", "theoretical", "best %", "median %");
  for (const ComputeKernel& k : select_compute_kernels(host.isa)) {
    if (k.precision != DType::fp64 && k.precision != DType::fp32) continue;
    for (int threads : {1, all}) {
      if (threads == all && all == 1) continue;
      const ComputeCeiling c = measure_compute_ceiling(k, threads, false);
      const double peak = theoretical.peak_flops(k.precision).value_or(0) *
                          std::min<double>(threads, cores) / cores;
      fmt::print("{:<20} {:>7} {:>16} {:>16} {:>16} {:>7.1f}% {:>7.1f}%{}\n", k.name, threads,
                 format_si(c.rate.best, "FLOP/s", 4), format_si(c.rate.median, "FLOP/s", 4),
                 format_si(peak, "FLOP/s", 4), 100 * c.rate.best / peak, 100 * c.rate.median / peak,
                 c.rate.best >= 0.9 * peak ? "  ok" : "  BELOW TARGET");
    }
  }

  const double llc = std::max({host.l3_bytes, host.l2_bytes, 8.0 * 1024 * 1024});
  double array_bytes = std::max(4 * llc, 128.0 * 1024 * 1024);
  if (argc > 1) array_bytes = std::atof(argv[1]) * 1024 * 1024;
  const auto elements = static_cast<std::size_t>(array_bytes / sizeof(double));
  fmt::print("\n2. triad at {} per array ({} in all), {} threads (target >= 90% of STREAM)\n",
             format_binary(array_bytes), format_binary(3 * array_bytes), all);
  const MemoryKernel triad = select_memory_kernel(host.isa, MemoryKernelKind::triad);
  const BandwidthPoint mine = measure_bandwidth_point(triad, all, 3 * array_bytes, false);
  const double stream = bench::stream_triad_best(elements, 20, all);
  fmt::print("probe triad ({}):  best {}  median {}  ({} samples)\n", simd_isa_name(triad.isa),
             format_si(mine.rate.best, "B/s", 4), format_si(mine.rate.median, "B/s", 4),
             mine.rate.samples);
  fmt::print("STREAM-equivalent triad (-O3 -march=native -fopenmp, best of 19): {}\n",
             format_si(stream, "B/s", 4));
  fmt::print("ratio probe best / STREAM best: {:.1f}%{}\n", 100 * mine.rate.best / stream,
             mine.rate.best >= 0.9 * stream ? "  ok" : "  BELOW TARGET");
  return 0;
}
