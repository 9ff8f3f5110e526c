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
#include "core/table.h"
#include "core/units.h"
#include "hw/catalog.h"
#include "hw/host.h"
#include "probe/bandwidth_plot.h"
#include "probe/host_measured.h"
#include "probe/probe.h"
#include "report/gnuplot.h"

namespace dnnroof::cli {
namespace {

struct ProbeCliOptions {
  bool quick = false;
  int threads = 0;
  std::string format = "table";
  std::string out;
  bool no_save = false;
  std::string plot;
  bool curve = false;
};

std::string threads_text(int n) { return fmt::format("{}", n); }

Cell rate_cell(double value, std::string_view unit, OutputFormat format) {
  if (!(value > 0) || !std::isfinite(value)) return Cell(format == OutputFormat::table ? "-" : "");
  return Cell(value, format_si(value, unit, 4));
}

Cell percent_cell(double measured, double theoretical, OutputFormat format) {
  if (!(measured > 0) || !(theoretical > 0)) return Cell(format == OutputFormat::table ? "-" : "");
  const double pct = 100.0 * measured / theoretical;
  return Cell(pct, fmt::format("{:.1f}%", pct));
}

// The ceilings table: every compute peak (1 thread and all) and every
// plateau of the triad curves, measured against the host's theoretical
// figure (per-thread share for compute on fewer threads than cores).
Table ceilings_table(const ProbeResult& r, const Chip& host, OutputFormat format) {
  Table t({"ceiling", "threads", "kernel", "measured (best)", "median", "theoretical",
           "% of theoretical", "samples"},
          {"ceiling", "threads", "kernel", "measured", "median", "theoretical",
           "percent_of_theoretical", "samples"});
  const double cores = std::max(1, r.host.physical_cores);
  for (const ComputeCeiling& c : r.compute) {
    const std::string_view unit = is_floating(c.precision) ? "FLOP/s" : "OP/s";
    const double theoretical =
        host.peak_flops(c.precision).value_or(0) * std::min<double>(c.threads, cores) / cores;
    t.add_row({fmt::format("{} peak", dtype_name(c.precision)),
               Cell(c.threads, threads_text(c.threads)), c.kernel,
               rate_cell(c.rate.best, unit, format), rate_cell(c.rate.median, unit, format),
               rate_cell(theoretical, unit, format), percent_cell(c.rate.best, theoretical, format),
               Cell(static_cast<double>(c.rate.samples),
                    fmt::format("{}{}", c.rate.samples, c.rate.converged ? "" : " (noisy)"))});
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
      t.add_row({fmt::format("{} bandwidth ({}-{})", p.level, format_binary(p.min_bytes),
                             format_binary(p.max_bytes)),
                 Cell(curve.threads, threads_text(curve.threads)),
                 std::string(memory_kernel_name(curve.kind)),
                 rate_cell(p.bytes_per_s, "B/s", format), rate_cell(median, "B/s", format),
                 rate_cell(theoretical, "B/s", format),
                 percent_cell(p.bytes_per_s, theoretical, format),
                 Cell(static_cast<double>(p.last - p.first + 1),
                      fmt::format("{} sizes", p.last - p.first + 1))});
    }
  }
  return t;
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
  const HostInfo host = detect_host_info();
  ProbeOptions po;
  po.quick = opt.quick;
  po.threads = opt.threads;
  const bool tty = isatty(fileno(stderr)) != 0;
  fmt::print(stderr, "dnnroof probe: {}, {} cores ({}), {} mode\n", host.cpu_model,
             host.physical_cores, host.virtualized ? "virtual machine" : "bare metal",
             opt.quick ? "quick" : "full");
  const ProbeResult r = run_probe(host, po, [tty](const ProbeProgress& p) {
    const std::string eta =
        std::isfinite(p.remaining_s) ? fmt::format("ETA {:.0f} s", p.remaining_s) : "ETA ?";
    fmt::print(stderr, "{}[{:>3}/{}] {:<34} {:>5.0f} s elapsed, {}{}", tty ? "\r" : "", p.step,
               p.steps, p.what, p.elapsed_s, eta, tty ? "   " : "\n");
    std::fflush(stderr);
  });
  if (tty) fmt::print(stderr, "\n");
  fmt::print(stderr, "dnnroof probe: done in {:.0f} s with the {} kernels{}\n", r.seconds,
             simd_isa_name(r.isa), r.pinned ? ", threads pinned one per core" : "");

  const Chip theoretical = host_chip(host);
  fmt::print("{}", ceilings_table(r, theoretical, format).render(format));
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
      write_file(path, chip_catalog_toml(host_measured_chip(r)));
      fmt::print(stderr, "dnnroof probe: saved chip 'host-measured' to {}{}\n", path,
                 opt.out.empty() ? " (loaded by every command: --chip host-measured)"
                                 : " (use it with --catalog)");
    }
  }
  if (!opt.plot.empty()) {
    const std::filesystem::path p(opt.plot);
    std::error_code ec;
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    run_gnuplot(bandwidth_plot_script(r, opt.plot));
    fmt::print(stderr, "dnnroof probe: wrote {}\n", opt.plot);
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
      "  dnnroof probe --threads 8 --plot bandwidth.png\n"
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
  sub->add_flag("--curve", opt->curve, "Also print every point of the bandwidth curves");
  sub->callback([opt] { run(*opt); });
}

DNNROOF_COMMAND(700, register_probe);

}  // namespace
}  // namespace dnnroof::cli
