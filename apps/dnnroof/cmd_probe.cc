// `dnnroof probe`: measures this machine's ceilings (peak FLOP/s per
// precision, bandwidth per memory level), prints them against the
// theoretical figures of the detected host, and saves them as the chip
// "host-measured" so that every command can use `--chip host-measured`.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "commands.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/table.h"
#include "core/units.h"
#include "hw/catalog.h"
#include "hw/cpu_affinity.h"
#include "hw/cuda_devices.h"
#include "hw/host.h"
#include "probe/ceiling_check.h"
#include "probe/cuda_probe.h"
#include "probe/host_measured.h"
#include "probe/probe.h"
#include "probe_gemm/gemm_ceiling.h"
#include "report/gnuplot.h"
#include "report/hierarchical_roofline.h"
#include "report/probe_figure.h"

namespace dnnroof::cli {
namespace {

struct ProbeCliOptions {
  bool quick = false;
  int threads = 0;
  std::string format = "table";
  std::string out;
  bool no_save = false;
  std::string plot;
  std::string roofline;
  bool curve = false;
  bool no_gemm = false;
  bool no_gpu = false;
  int gemm_size = 0;
  std::vector<int> also_threads;
};

std::string threads_text(int n) { return fmt::format("{}", n); }
std::string threads_words(int n) { return fmt::format("{} thread{}", n, n == 1 ? "" : "s"); }

Cell rate_cell(double value, std::string_view unit, OutputFormat format) {
  if (!(value > 0) || !std::isfinite(value)) return Cell(format == OutputFormat::table ? "-" : "");
  return Cell(value, format_si(value, unit, 4));
}

Cell percent_cell(double measured, double theoretical, OutputFormat format) {
  if (!(measured > 0) || !(theoretical > 0)) return Cell(format == OutputFormat::table ? "-" : "");
  const double pct = 100.0 * measured / theoretical;
  return Cell(pct, fmt::format("{:.1f}%", pct));
}

// The flag of a compute ceiling against the host's theoretical figure:
// impossible (above 100%) with its likely cause, or far below.
std::string compute_flag(double measured, double theoretical, DType precision, int threads,
                         const Chip& host, const HostInfo& info, bool fma_kernel) {
  double flops_per_cycle = 0;
  if (host.cpu) {
    auto it = host.cpu->flops_per_cycle.find(precision);
    if (it != host.cpu->flops_per_cycle.end()) flops_per_cycle = it->second;
  }
  const double cores = std::min<double>(threads, std::max(1, info.physical_cores));
  const double clock_hz = host_clock_hz(info, static_cast<int>(cores));
  std::string flag = compute_ceiling_flag(measured, theoretical, clock_hz, flops_per_cycle, cores,
                                          info.virtualized, !info.measured_clocks.empty());
  const HostRate rate = host_rate(info, precision);
  if (flag.empty() && fma_kernel && rate.matrix) {
    // The theoretical figure is the AMX tile unit's; the probe's kernel runs
    // on the vector units: say so, with the vector path's own peak.
    const double vector_peak = theoretical * rate.vector_per_cycle / rate.per_cycle;
    flag = fmt::format(
        "theoretical is the AMX tile unit ({:g}/cycle/core); this kernel uses the vector units, "
        "whose peak is {} ({:g}/cycle/core): {:.0f}% of it; the probe has no AMX kernel",
        rate.per_cycle, format_si(vector_peak, is_floating(precision) ? "FLOP/s" : "OP/s", 4),
        rate.vector_per_cycle, vector_peak > 0 ? 100 * measured / vector_peak : 0.0);
    if (vector_peak > 0 && measured > vector_peak) {
      flag = "IMPOSSIBLE against the vector path: " + flag;
    }
  }
  if (flag.empty() && fma_kernel) flag = compute_shortfall_note(measured, theoretical);
  return flag;
}

// The ceilings table: every compute peak (1 thread and all), the GEMM
// ceilings, and every plateau of the triad curves, measured against the
// host's theoretical figure (per-thread share for compute on fewer threads
// than cores), with a flag on any impossible ratio. Flags also go to `flags`.
Table ceilings_table(const ProbeResult& r, const Chip& host, OutputFormat format,
                     std::vector<std::string>& flags) {
  Table t({"ceiling", "threads", "kernel", "measured (best)", "median", "theoretical",
           "% of theoretical", "samples", "flag"},
          {"ceiling", "threads", "kernel", "measured", "median", "theoretical",
           "percent_of_theoretical", "samples", "flag"});
  // The clock the theoretical figures use, per thread count, and where it
  // came from; "theoretical" is what the OS reports (the fallback).
  for (const CoreClock& k : r.host.measured_clocks) {
    t.add_row({"core clock", Cell(k.threads, threads_text(k.threads)), "dependent-add chain",
               rate_cell(k.hz, "Hz", format), Cell(format == OutputFormat::table ? "-" : ""),
               rate_cell(r.host.fallback_clock_hz, "Hz", format),
               percent_cell(k.hz, r.host.fallback_clock_hz, format), Cell(""),
               fmt::format("{}; 'theoretical' is the clock the OS reports ({}), not used", k.origin,
                           r.host.fallback_clock_note)});
  }
  for (const ComputeCeiling& c : r.compute) {
    const std::string_view unit = is_floating(c.precision) ? "FLOP/s" : "OP/s";
    // The theoretical peak of these threads at the clock measured on as
    // many cores (hw/host.h).
    const double theoretical =
        host.peak_flops(c.precision) ? host_peak_flops(r.host, c.precision, c.threads) : 0;
    const std::string flag =
        compute_flag(c.rate.best, theoretical, c.precision, c.threads, host, r.host, true);
    const std::string name = fmt::format("{} peak", dtype_name(c.precision));
    if (flag.rfind("IMPOSSIBLE", 0) == 0) {
      flags.push_back(fmt::format("{}, {}: {}", name, threads_words(c.threads), flag));
    }
    t.add_row({name, Cell(c.threads, threads_text(c.threads)), c.kernel,
               rate_cell(c.rate.best, unit, format), rate_cell(c.rate.median, unit, format),
               rate_cell(theoretical, unit, format), percent_cell(c.rate.best, theoretical, format),
               Cell(static_cast<double>(c.rate.samples),
                    fmt::format("{}{}", c.rate.samples, c.rate.converged ? "" : " (noisy)")),
               flag});
  }
  for (const GemmCeiling& g : r.gemm) {
    const double theoretical =
        host.peak_flops(g.precision) ? host_peak_flops(r.host, g.precision, g.threads) : 0;
    std::string flag = g.rate.best > 0 ? compute_flag(g.rate.best, theoretical, g.precision,
                                                      g.threads, host, r.host, false)
                                       : std::string();
    if (!g.note.empty()) flag = flag.empty() ? g.note : fmt::format("{}; {}", flag, g.note);
    const std::string name = fmt::format("{} GEMM {}^3", dtype_name(g.precision), g.size);
    if (!flag.empty()) {
      flags.push_back(fmt::format("{}, {}: {}", name, threads_words(g.threads), flag));
    }
    t.add_row({name, Cell(g.threads, threads_text(g.threads)), "at::mm (LibTorch)",
               rate_cell(g.rate.best, "FLOP/s", format), rate_cell(g.rate.median, "FLOP/s", format),
               rate_cell(theoretical, "FLOP/s", format),
               percent_cell(g.rate.best, theoretical, format),
               Cell(static_cast<double>(g.rate.samples),
                    fmt::format("{}{}", g.rate.samples,
                                g.rate.converged || g.rate.samples == 0 ? "" : " (noisy)")),
               flag});
  }
  for (const BandwidthCurve& curve : r.curves) {
    for (const Plateau& p : curve.plateaus) {
      double theoretical = 0;
      for (const MemoryLevel& m : host.memory) {
        if (m.name == p.level || (m.is_main && p.level == "DRAM")) theoretical = m.bandwidth.value;
      }
      // The median of the plateau's per-size medians, beside its best.
      std::vector<double> medians;
      for (std::size_t i = p.first; i <= p.last && i < curve.points.size(); ++i) {
        medians.push_back(curve.points[i].rate.median);
      }
      std::sort(medians.begin(), medians.end());
      const double median =
          medians.empty() ? 0
                          : (medians[(medians.size() - 1) / 2] + medians[medians.size() / 2]) / 2;
      const std::string flag = bandwidth_ceiling_flag(p.bytes_per_s, theoretical, p.level);
      const std::string name = fmt::format("{} bandwidth ({}-{})", p.level,
                                           format_binary(p.min_bytes), format_binary(p.max_bytes));
      if (!flag.empty()) {
        flags.push_back(fmt::format("{}, {}: {}", name, threads_words(curve.threads), flag));
      }
      t.add_row({name, Cell(curve.threads, threads_text(curve.threads)),
                 std::string(memory_kernel_name(curve.kind)),
                 rate_cell(p.bytes_per_s, "B/s", format), rate_cell(median, "B/s", format),
                 rate_cell(theoretical, "B/s", format),
                 percent_cell(p.bytes_per_s, theoretical, format),
                 Cell(static_cast<double>(p.last - p.first + 1),
                      fmt::format("{} sizes", p.last - p.first + 1)),
                 flag});
    }
  }
  return t;
}

// The GPU rows: FMA peaks, cuBLAS GEMMs, device-memory and L2 bandwidth per
// device, against the figures the runtime's properties give (fp32/fp64
// peaks, memory bandwidth; others unknown).
void add_gpu_rows(Table& t, const CudaProbeResult& gpus, OutputFormat format,
                  std::vector<std::string>& flags) {
  for (const CudaDeviceProbe& d : gpus.devices) {
    const Chip derived = cuda_device_chip(d.info);
    const std::string dev = fmt::format("cuda:{}", d.info.index);
    auto add = [&](const std::string& name, const std::string& threads, const std::string& kernel,
                   const Rate& rate, std::string_view unit, double theoretical,
                   const std::string& flag) {
      if (!flag.empty()) flags.push_back(fmt::format("{}: {}", name, flag));
      t.add_row({name, threads, kernel, rate_cell(rate.best, unit, format),
                 rate_cell(rate.median, unit, format), rate_cell(theoretical, unit, format),
                 percent_cell(rate.best, theoretical, format),
                 Cell(static_cast<double>(rate.samples),
                      fmt::format("{}{}", rate.samples, rate.converged ? "" : " (noisy)")),
                 flag});
    };
    for (const ComputeCeiling& c : d.compute) {
      const double theoretical = derived.peak_flops(c.precision).value_or(0);
      add(fmt::format("{} {} peak", dev, dtype_name(c.precision)), std::to_string(c.threads),
          c.kernel, c.rate, "FLOP/s", theoretical,
          compute_ceiling_flag(c.rate.best, theoretical, 0, 0, 0, false));
    }
    for (const GemmCeiling& g : d.gemm) {
      const double theoretical = derived.peak_flops(g.precision).value_or(0);
      add(fmt::format("{} {} GEMM {}^3", dev, dtype_name(g.precision), g.size), "-", g.backend,
          g.rate, "FLOP/s", theoretical,
          compute_ceiling_flag(g.rate.best, theoretical, 0, 0, 0, false));
    }
    for (const CudaBandwidth& b : d.bandwidth) {
      double theoretical = 0;
      for (const MemoryLevel& m : derived.memory) {
        if ((m.is_main && b.level == "DRAM") || m.name == b.level) theoretical = m.bandwidth.value;
      }
      add(fmt::format("{} {} bandwidth ({})", dev, b.level, format_binary(b.working_set_bytes)),
          "-", std::string(memory_kernel_name(b.kind)), b.rate, "B/s", theoretical,
          bandwidth_ceiling_flag(b.rate.best, theoretical, b.level));
    }
    for (const std::string& n : d.notes) fmt::print(stderr, "dnnroof probe: {}: {}\n", dev, n);
  }
}

Table curve_table(const ProbeResult& r, OutputFormat format) {
  Table t({"kernel", "threads", "working set", "bandwidth (best)", "median", "samples"},
          {"kernel", "threads", "working_set_bytes", "bandwidth_bytes_per_s", "median_bytes_per_s",
           "samples"});
  for (const BandwidthCurve& c : r.curves) {
    for (const BandwidthPoint& p : c.points) {
      t.add_row({std::string(memory_kernel_name(c.kind)), Cell(c.threads, threads_text(c.threads)),
                 Cell(p.working_set_bytes, format_binary(p.working_set_bytes)),
                 rate_cell(p.rate.best, "B/s", format), rate_cell(p.rate.median, "B/s", format),
                 Cell(static_cast<double>(p.rate.samples), std::to_string(p.rate.samples))});
    }
  }
  return t;
}

void write_file(const std::string& path, const std::string& text) {
  const std::filesystem::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail("cannot write '{}'", tmp);
    out << text;
    if (!out.flush()) fail("cannot write '{}'", tmp);
  }
  std::filesystem::rename(tmp, p, ec);
  if (ec) fail("cannot move '{}' to '{}': {}", tmp, path, ec.message());
}

void run(const ProbeCliOptions& opt) {
  const OutputFormat format = parse_output_format(opt.format);
  if (opt.threads < 0) fail("--threads {}: must be positive", opt.threads);
  if (!opt.plot.empty()) {
    // Before minutes of measuring: an image type gnuplot will not write.
    const std::string ext = std::filesystem::path(opt.plot).extension().string();
    if (ext != ".png" && ext != ".svg" && ext != ".pdf") {
      fail("--plot {}: unknown image type (use .png, .svg or .pdf)", opt.plot);
    }
  }
  if (!opt.roofline.empty()) {
    const std::string ext = std::filesystem::path(opt.roofline).extension().string();
    if (ext != ".png" && ext != ".svg" && ext != ".pdf") {
      fail("--roofline {}: unknown image type (use .png, .svg or .pdf)", opt.roofline);
    }
  }
  if (opt.gemm_size < 0) fail("--gemm-size {}: must be positive", opt.gemm_size);
  const HostInfo host = detect_host_info();
  ProbeOptions po;
  po.quick = opt.quick;
  po.threads = opt.threads;
  po.extra_threads = opt.also_threads;
  const bool tty = isatty(fileno(stderr)) != 0;
  fmt::print(stderr, "dnnroof probe: {}, {} cores ({}), {} mode\n", host.cpu_model,
             host.physical_cores, host.virtualized ? "virtual machine" : "bare metal",
             opt.quick ? "quick" : "full");
  ProbeResult r = run_probe(host, po, [tty](const ProbeProgress& p) {
    const std::string eta =
        std::isfinite(p.remaining_s) ? fmt::format("ETA {:.0f} s", p.remaining_s) : "ETA ?";
    fmt::print(stderr, "{}[{:>3}/{}] {:<34} {:>5.0f} s elapsed, {}{}", tty ? "\r" : "", p.step,
               p.steps, p.what, p.elapsed_s, eta, tty ? "   " : "\n");
    std::fflush(stderr);
  });
  if (tty) fmt::print(stderr, "\n");
  fmt::print(stderr, "dnnroof probe: done in {:.0f} s with the {} kernels{}\n", r.seconds,
             simd_isa_name(r.isa), r.pinned ? ", threads pinned one per core" : "");
  std::vector<int> counts;
  for (const ComputeCeiling& c : r.compute) {
    if (std::find(counts.begin(), counts.end(), c.threads) == counts.end()) {
      counts.push_back(c.threads);
    }
  }
  {
    std::vector<std::string> words;
    for (int n : counts) words.push_back(std::to_string(n));
    fmt::print(stderr,
               "dnnroof probe: ceilings measured per thread count: {} (all-core: {} thread{} on "
               "CPUs {}; a run is judged against the ceilings of its own thread count)\n",
               join(words, ", "), r.all_threads, r.all_threads == 1 ? "" : "s",
               cpu_list_text(cpus_for_threads(r.all_threads)));
  }

  if (opt.no_gemm) {
    // Nothing: asked for.
  } else if (!gemm_ceiling_available()) {
    fmt::print(stderr, "dnnroof probe: no GEMM ceiling: {}\n", gemm_backend_description());
  } else {
    // One GEMM ceiling per thread count measured, like the peaks.
    for (int n : counts) {
      GemmCeilingOptions go;
      go.quick = opt.quick;
      go.size = opt.gemm_size;
      go.threads = n;
      fmt::print(stderr, "dnnroof probe: GEMM ceiling ({}^3, fp32 and bf16, {}) through {}\n",
                 go.size > 0 ? go.size : (opt.quick ? 2048 : 4096), threads_words(go.threads),
                 gemm_backend_description());
      for (GemmCeiling& g : measure_gemm_ceilings(go)) r.gemm.push_back(std::move(g));
    }
  }

  CudaProbeResult gpus;
  if (!opt.no_gpu) {
    gpus = run_cuda_probes(opt.quick, [](const std::string& what) {
      fmt::print(stderr, "dnnroof probe: {}\n", what);
    });
    if (gpus.devices.empty()) {
      fmt::print(stderr, "dnnroof probe: no CUDA device: GPU probes skipped ({})\n", gpus.status);
    }
  }

  // The theoretical figures at the clock this probe measured (saved for
  // later commands: `host` then uses it too).
  const Chip theoretical = host_chip(r.host);
  fmt::print(stderr, "dnnroof probe: clock for the theoretical peaks: {}\n", r.host.clock_note);
  if (r.host.clock_measured && !opt.no_save) {
    const std::string clock_path = host_clock_cache_path();
    if (save_measured_clocks(r.host, clock_path)) {
      fmt::print(stderr, "dnnroof probe: saved the measured clock to {}\n", clock_path);
    }
  }
  std::vector<std::string> flags;
  Table table = ceilings_table(r, theoretical, format, flags);
  add_gpu_rows(table, gpus, format, flags);
  fmt::print("{}", table.render(format));
  for (const std::string& f : flags) fmt::print(stderr, "dnnroof probe: warning: {}\n", f);
  if (opt.curve) {
    if (format == OutputFormat::table) fmt::print("\n");
    fmt::print("{}", curve_table(r, format).render(format));
  }

  if (!opt.no_save) {
    const std::string path = opt.out.empty() ? host_measured_catalog_path() : opt.out;
    if (path.empty()) {
      fmt::print(stderr,
                 "dnnroof probe: not saved: no HOME, XDG_CACHE_HOME or DNNROOF_CACHE_DIR; use "
                 "--out FILE\n");
    } else {
      // The host and every measured GPU in one catalog file.
      std::string text = chip_catalog_toml(host_measured_chip(r));
      for (const CudaDeviceProbe& d : gpus.devices) {
        text += "\n" + chip_catalog_toml(cuda_measured_chip(d));
      }
      write_file(path, text);
      fmt::print(stderr, "dnnroof probe: saved chip 'host-measured' to {}{}\n", path,
                 opt.out.empty() ? " (loaded by every command: --chip host-measured)"
                                 : " (use it with --catalog)");
    }
  }
  if (!opt.plot.empty()) {
    const std::filesystem::path p(opt.plot);
    std::error_code ec;
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    render_chart(bandwidth_chart(r), p);
    fmt::print(stderr, "dnnroof probe: wrote {}\n", opt.plot);
  }
  if (!opt.roofline.empty()) {
    const Chip measured = host_measured_chip(r);
    const HierarchicalCeilings h = hierarchical_ceilings(theoretical, &measured, DType::fp32);
    for (const std::string& n : h.notes) fmt::print(stderr, "dnnroof probe: roofline: {}\n", n);
    PlotLayout layout;
    layout.max_ridge_labels = 0;  // roofs share peaks: the legend gives the values
    render_roofline({hierarchical_roofline(theoretical, &measured, DType::fp32)},
                    fmt::format("Hierarchical roofline: {}", host.cpu_model), opt.roofline, layout);
    fmt::print(stderr, "dnnroof probe: wrote {}\n", opt.roofline);
    // One figure per GPU beside it: FILE-cuda0.png, at fp16 (tensor cores).
    for (const CudaDeviceProbe& d : gpus.devices) {
      const std::filesystem::path base(opt.roofline);
      const std::filesystem::path out =
          base.parent_path() /
          fmt::format("{}-cuda{}{}", base.stem().string(), d.info.index, base.extension().string());
      const Chip gpu = cuda_device_chip(d.info);
      const Chip gpu_measured = cuda_measured_chip(d);
      try {
        render_roofline({hierarchical_roofline(gpu, &gpu_measured, DType::fp16)},
                        fmt::format("Hierarchical roofline: {}", d.info.name), out, layout);
        fmt::print(stderr, "dnnroof probe: wrote {}\n", out.string());
      } catch (const Error& e) {
        // The measurements are saved already: a figure that cannot be drawn
        // is a warning, not a failure.
        fmt::print(stderr, "dnnroof probe: warning: no roofline for cuda:{}: {}\n", d.info.index,
                   e.what());
      }
    }
  }
}

void register_probe(CLI::App& app, Context& /*ctx*/) {
  auto* sub = app.add_subcommand(
      "probe",
      "Measure this machine's ceilings (peak FLOP/s per precision, bandwidth per memory level) "
      "and save them as the chip 'host-measured'");
  sub->footer(
      "Examples:\n"
      "  dnnroof probe --quick\n"
      "  dnnroof probe --threads 8 --plot bandwidth.png --roofline roofline.png\n"
      "  dnnroof probe --format json --curve --no-save | jq\n"
      "  dnnroof chips show host-measured\n"
      "Progress goes to stderr. The chip is saved to $DNNROOF_CACHE_DIR/host-measured.toml\n"
      "(default ~/.cache/dnnroof/host-measured.toml), which every command loads.\n");
  auto opt = std::make_shared<ProbeCliOptions>();
  sub->add_flag("--quick", opt->quick,
                "Fewer working-set sizes and shorter sampling (under a minute)");
  sub->add_option("--threads", opt->threads,
                  "Threads of the all-core runs (default: one per physical core)")
      ->check(CLI::PositiveNumber);
  add_format_option(*sub, opt->format);
  sub->add_option("--out", opt->out,
                  "Write the host-measured chip (catalog TOML) here instead of the cache");
  sub->add_flag("--no-save", opt->no_save, "Do not write the host-measured chip");
  sub->add_option("--plot", opt->plot,
                  "Draw bandwidth vs working set with the plateaus (.png, .svg or .pdf; gnuplot)");
  sub->add_option("--roofline", opt->roofline,
                  "Draw the hierarchical roofline: theoretical and measured roofs, every memory "
                  "level (.png, .svg or .pdf; gnuplot)");
  sub->add_flag("--curve", opt->curve, "Also print every point of the bandwidth curves");
  sub->add_option("--also-threads", opt->also_threads,
                  "More thread counts to measure ceilings on, besides 1 and the all-core "
                  "count (comma-separated), e.g. the --threads of your bench runs")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  sub->add_flag("--no-gpu", opt->no_gpu, "Skip the CUDA GPU probes");
  sub->add_flag("--no-gemm", opt->no_gemm,
                "Skip the GEMM ceiling (large fp32/bf16 matrix multiplications through LibTorch)");
  sub->add_option("--gemm-size", opt->gemm_size,
                  "n of the n x n x n GEMMs (default 4096; 2048 with --quick)")
      ->check(CLI::PositiveNumber);
  sub->callback([opt] { run(*opt); });
}

DNNROOF_COMMAND(700, register_probe);

}  // namespace
}  // namespace dnnroof::cli
