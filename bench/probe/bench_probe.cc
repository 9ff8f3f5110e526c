// bench_probe: how close the probe comes to the hardware.
//  1. The FMA peak (fp64, fp32) on one core and on all, against the host's
//     theoretical peak (cores x clock x FLOP/cycle). Target: >= 90%.
//  2. The probe's triad against a STREAM-equivalent triad (stream_triad.cc)
//     at a DRAM-sized working set (each array >= 4 x LLC, STREAM's rule), on
//     all cores, both counted as STREAM counts. Target: >= 90% of STREAM.
//  3. The practical ceiling: an n x n x n GEMM through LibTorch (fp32, bf16)
//     on all cores, against the theoretical peak and against the FMA loop's
//     measured peak of the same precision (printed as ratios).
// Usage: bench_probe [fma] [stream] [gemm] [ARRAY_MIB] [--gemm-size N]
//                    [--gemm-threads T]
//   sections to run (default all); ARRAY_MIB: the triad's array size
//   (default max(4 x LLC, 128 MiB) per array); N default 2048; T default
//   all cores.

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>

#include "core/units.h"
#include "hw/host.h"
#include "probe/probe.h"
#include "probe/thread_team.h"
#include "probe_gemm/gemm_ceiling.h"
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

  std::set<std::string> sections;
  double array_mib = 0;
  int gemm_size = 2048;
  int gemm_threads = 0;  // 0: all cores
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "fma" || a == "stream" || a == "gemm") {
      sections.insert(a);
    } else if (a == "--gemm-threads" && i + 1 < argc) {
      gemm_threads = std::atoi(argv[++i]);
    } else if (a == "--gemm-size" && i + 1 < argc) {
      gemm_size = std::atoi(argv[++i]);
    } else if (std::atof(a.c_str()) > 0) {
      array_mib = std::atof(a.c_str());
    } else {
      fmt::print(stderr, "bench_probe: unknown argument '{}'\n", a);
      return 2;
    }
  }
  if (sections.empty()) sections = {"fma", "stream", "gemm"};
  if (sections.count("fma") != 0) {
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
                   format_si(peak, "FLOP/s", 4), 100 * c.rate.best / peak,
                   100 * c.rate.median / peak,
                   c.rate.best >= 0.9 * peak ? "  ok" : "  BELOW TARGET");
      }
    }
  }

  if (sections.count("stream") != 0) {
    const double llc = std::max({host.l3_bytes, host.l2_bytes, 8.0 * 1024 * 1024});
    double array_bytes = std::max(4 * llc, 128.0 * 1024 * 1024);
    if (array_mib > 0) array_bytes = array_mib * 1024 * 1024;
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
  }

  if (sections.count("gemm") != 0) {
    if (gemm_threads <= 0) gemm_threads = all;
    fmt::print(
        "\n3. GEMM {}^3 through LibTorch on {} threads vs theoretical and vs the FMA "
        "loop\n",
        gemm_size, gemm_threads);
    if (!gemm_ceiling_available()) {
      fmt::print("skipped: {}\n", gemm_backend_description());
      return 0;
    }
    fmt::print("backend: {}\n", gemm_backend_description());
    GemmCeilingOptions go;
    go.size = gemm_size;
    go.threads = gemm_threads;
    const std::vector<GemmCeiling> gemms = measure_gemm_ceilings(go);
    fmt::print("{:<6} {:>16} {:>16} {:>16} {:>16} {:>14} {:>14}\n", "dtype", "best", "median",
               "theoretical", "FMA loop best", "% theoretical", "% FMA loop");
    for (const GemmCeiling& g : gemms) {
      const double peak = theoretical.peak_flops(g.precision).value_or(0) *
                          std::min<double>(gemm_threads, cores) / cores;
      double fma = 0;
      for (const ComputeKernel& k : select_compute_kernels(host.isa)) {
        if (k.precision == g.precision)
          fma = measure_compute_ceiling(k, gemm_threads, false).rate.best;
      }
      auto pct = [](double a, double b) {
        return a > 0 && b > 0 ? fmt::format("{:.1f}%", 100 * a / b) : std::string("-");
      };
      fmt::print("{:<6} {:>16} {:>16} {:>16} {:>16} {:>14} {:>14}\n", dtype_name(g.precision),
                 format_si(g.rate.best, "FLOP/s", 4), format_si(g.rate.median, "FLOP/s", 4),
                 format_si(peak, "FLOP/s", 4), format_si(fma, "FLOP/s", 4), pct(g.rate.best, peak),
                 pct(g.rate.best, fma));
      if (!g.note.empty()) fmt::print("       note: {}\n", g.note);
    }
  }
  return 0;
}
