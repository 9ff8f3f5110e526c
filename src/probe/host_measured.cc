#include "probe/host_measured.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "hw/host.h"

namespace dnnroof {
namespace {

// A TOML basic string.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(ch));
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

// A float that reads back bit for bit ("1.2345678901234567e+11").
std::string number(double v) { return fmt::format("{:.16e}", v); }

std::string figure_toml(const Figure& f) {
  std::string out = fmt::format("{{ value = {}", number(f.value));
  if (!f.source.empty()) out += fmt::format(", source = {}", quoted(f.source));
  if (!f.derivation.empty()) out += fmt::format(", derivation = {}", quoted(f.derivation));
  return out + " }";
}

std::string threads_text(int n) { return fmt::format("{} thread{}", n, n == 1 ? "" : "s"); }

std::string rate_note(const Rate& r, DType precision) {
  return fmt::format("fastest of {} samples (median {}{})", r.samples,
                     format_si(r.median, is_floating(precision) ? "FLOP/s" : "OP/s", 4),
                     r.converged ? "" : ", noisy");
}

// The ceilings measured on `threads` threads: compute peaks, GEMMs and the
// triad curve's plateaus (DRAM: the largest working set when no plateau).
ThreadCeilings ceilings_on(const ProbeResult& result, const Chip& chip, int threads) {
  ThreadCeilings t;
  t.threads = threads;
  for (const ComputeCeiling& c : result.compute) {
    if (c.threads != threads) continue;
    Figure f;
    f.value = c.rate.best;
    f.derivation = fmt::format("measured by dnnroof probe: {} on {}, {}", c.kernel,
                               threads_text(c.threads), rate_note(c.rate, c.precision));
    t.peak[c.precision] = f;
  }
  for (const GemmCeiling& g : result.gemm) {
    if (g.threads != threads || !(g.rate.best > 0)) continue;
    Figure f;
    f.value = g.rate.best;
    f.derivation = fmt::format(
        "measured by dnnroof probe: {}^3 GEMM through {} on {}, fastest of {} samples (median "
        "{}{})",
        g.size, g.backend, threads_text(g.threads), g.rate.samples,
        format_si(g.rate.median, "FLOP/s", 4), g.rate.converged ? "" : ", noisy");
    t.practical[g.precision] = f;
  }
  const BandwidthCurve* curve = result.curve(MemoryKernelKind::triad, threads);
  if (curve == nullptr) return t;
  // A private cache level (L1, L2) offers `threads` of the chip's cores'
  // share of its capacity; a shared one (L3) all of it.
  const int cores = std::max(1, result.all_threads);
  auto usable_capacity = [&](const MemoryLevel& level) {
    const bool private_level =
        to_lower(level.name).starts_with("l1") || to_lower(level.name).starts_with("l2");
    return private_level ? level.capacity.value * std::min(threads, cores) / cores
                         : level.capacity.value;
  };
  double smaller_level_bytes = 0;  // usable capacity of the level above [B]
  for (const MemoryLevel& level : chip.memory) {
    Figure bw;
    for (const Plateau& p : curve->plateaus) {
      if (to_lower(p.level) != to_lower(level.is_main ? std::string("DRAM") : level.name)) {
        continue;
      }
      bw.value = p.bytes_per_s;
      bw.derivation = fmt::format(
          "measured by dnnroof probe: triad on {}, median over the plateau {} to {} of "
          "each size's fastest sample "
          "(STREAM bytes, no write-allocate)",
          threads_text(curve->threads), format_binary(p.min_bytes), format_binary(p.max_bytes));
    }
    // A cache level whose bandwidth is not flat enough to form a plateau
    // (short levels, noisy small working sets): the fastest working set that
    // fits in it and not in the level above, said so.
    const double fits = usable_capacity(level);
    if (!level.is_main && bw.value <= 0 && fits > 0) {
      const BandwidthPoint* best = nullptr;
      for (const BandwidthPoint& point : curve->points) {
        if (point.working_set_bytes <= smaller_level_bytes || point.working_set_bytes > fits) {
          continue;
        }
        if (best == nullptr || point.rate.best > best->rate.best) best = &point;
      }
      if (best != nullptr) {
        bw.value = best->rate.best;
        bw.derivation = fmt::format(
            "measured by dnnroof probe: triad on {}, fastest working set that fits in {} ({} of "
            "{} usable on these threads), {} (no flat region was found for this level)",
            threads_text(curve->threads), level.name, format_binary(fits),
            format_binary(level.capacity.value), format_binary(best->working_set_bytes));
      }
    }
    if (!level.is_main && fits > 0) smaller_level_bytes = fits;
    if (level.is_main && bw.value <= 0 && !curve->points.empty()) {
      const BandwidthPoint& biggest = curve->points.back();
      bw.value = biggest.rate.best;
      bw.derivation = fmt::format(
          "measured by dnnroof probe: triad on {} at the largest working set, {} (no flat "
          "DRAM region was found)",
          threads_text(curve->threads), format_binary(biggest.working_set_bytes));
    }
    if (bw.value > 0) t.bandwidth[level.name] = bw;
  }
  return t;
}

}  // namespace

Chip host_measured_chip(const ProbeResult& result) {
  Chip chip = host_chip(result.host);
  chip.id = "host-measured";
  chip.name = fmt::format("{} (measured)", result.host.cpu_model);
  chip.origin = "dnnroof probe";
  chip.source = "measured on this machine by `dnnroof probe`";
  // The chip's own figures are the all-core ones (what `--chip host-measured`
  // has always meant); every thread count measured is also kept apart, so a
  // run is judged against the ceilings of its own thread count.
  std::vector<int> counts;
  for (const ComputeCeiling& c : result.compute) counts.push_back(c.threads);
  for (const BandwidthCurve& c : result.curves) counts.push_back(c.threads);
  for (const GemmCeiling& g : result.gemm) counts.push_back(g.threads);
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  const ThreadCeilings all = ceilings_on(result, chip, result.all_threads);
  chip.peak = all.peak;
  chip.practical = all.practical;
  // Only what was measured: a precision left in flops_per_cycle would come
  // back derived from the clock when the file is loaded.
  if (chip.cpu) {
    std::erase_if(chip.cpu->flops_per_cycle,
                  [&](const auto& entry) { return chip.peak.count(entry.first) == 0; });
  }
  for (MemoryLevel& level : chip.memory) {
    const auto it = all.bandwidth.find(level.name);
    level.bandwidth = it != all.bandwidth.end() ? it->second : Figure{};
  }
  chip.thread_ceilings.clear();
  for (int n : counts) {
    ThreadCeilings t = ceilings_on(result, chip, n);
    if (!t.peak.empty()) chip.thread_ceilings.push_back(std::move(t));
  }
  std::vector<std::string> measured_counts;
  for (const ThreadCeilings& t : chip.thread_ceilings) {
    measured_counts.push_back(std::to_string(t.threads));
  }
  std::vector<std::string> notes{fmt::format(
      "measured with the {} kernels in {:.0f} s; peaks are the fastest all-core "
      "samples, practical ceilings large GEMMs, bandwidths all-core triad plateaus "
      "({} threads); ceilings per thread count for {} threads ([[chip.threads]])",
      simd_isa_name(result.isa), result.seconds, result.all_threads, join(measured_counts, ", "))};
  if (!chip.notes.empty()) notes.push_back(fmt::format("host: {}", chip.notes));
  chip.notes = join(notes, ". ");
  return chip;
}

std::string chip_catalog_toml(const Chip& chip) {
  std::string out = "# Written by `dnnroof probe`; format: docs/catalog.md.\n[[chip]]\n";
  out += fmt::format("id = {}\nname = {}\nkind = {}\n", quoted(chip.id), quoted(chip.name),
                     quoted(chip_kind_name(chip.kind)));
  if (!chip.vendor.empty()) out += fmt::format("vendor = {}\n", quoted(chip.vendor));
  if (chip.year > 0) out += fmt::format("year = {}\n", chip.year);
  if (!chip.source.empty()) out += fmt::format("source = {}\n", quoted(chip.source));
  if (!chip.notes.empty()) out += fmt::format("notes = {}\n", quoted(chip.notes));
  if (!chip.peak.empty()) {
    out += "\n[chip.peak]\n";
    for (const auto& [p, f] : chip.peak) {
      out += fmt::format("{} = {}\n", dtype_name(p), figure_toml(f));
    }
  }
  if (!chip.practical.empty()) {
    out += "\n[chip.practical]\n";
    for (const auto& [p, f] : chip.practical) {
      out += fmt::format("{} = {}\n", dtype_name(p), figure_toml(f));
    }
  }
  if (chip.cpu) {
    const CpuMicroarch& c = *chip.cpu;
    out += "\n[chip.cpu]\n";
    out += fmt::format("sockets = {}\ncores = {}\nthreads_per_core = {}\n", c.sockets,
                       c.cores_per_socket, c.threads_per_core);
    if (c.base_clock_hz > 0) out += fmt::format("base_clock = {}\n", number(c.base_clock_hz));
    out += fmt::format("allcore_clock = {}\n", number(c.allcore_clock_hz));
    if (c.simd_bits > 0) out += fmt::format("simd_bits = {}\n", c.simd_bits);
    if (c.fma_units > 0) out += fmt::format("fma_units = {}\n", c.fma_units);
    out += fmt::format("amx = {}\n", c.amx ? "true" : "false");
    std::vector<std::string> isa;
    for (const auto& f : c.isa) isa.push_back(quoted(f));
    out += fmt::format("isa = [{}]\n", join(isa, ", "));
    if (c.memory_channels > 0) out += fmt::format("memory_channels = {}\n", c.memory_channels);
    if (c.memory_mts > 0) out += fmt::format("memory_mts = {}\n", number(c.memory_mts));
    if (!c.clock_source.empty()) out += fmt::format("clock_source = {}\n", quoted(c.clock_source));
    if (!c.memory_source.empty()) {
      out += fmt::format("memory_source = {}\n", quoted(c.memory_source));
    }
    out += "\n[chip.cpu.flops_per_cycle]\n";
    for (const auto& [p, n] : c.flops_per_cycle) {
      out += fmt::format("{} = {}\n", dtype_name(p), number(n));
    }
  }
  for (const MemoryLevel& m : chip.memory) {
    out += fmt::format("\n[[chip.memory]]\nname = {}\n", quoted(m.name));
    if (m.is_main) out += "main = true\n";
    if (m.bandwidth.value > 0) out += fmt::format("bandwidth = {}\n", figure_toml(m.bandwidth));
    if (m.capacity.value > 0) out += fmt::format("capacity = {}\n", figure_toml(m.capacity));
  }
  for (const ThreadCeilings& t : chip.thread_ceilings) {
    out += fmt::format("\n[[chip.threads]]\nthreads = {}\n", t.threads);
    if (!t.peak.empty()) {
      out += "[chip.threads.peak]\n";
      for (const auto& [p, f] : t.peak)
        out += fmt::format("{} = {}\n", dtype_name(p), figure_toml(f));
    }
    if (!t.practical.empty()) {
      out += "[chip.threads.practical]\n";
      for (const auto& [p, f] : t.practical) {
        out += fmt::format("{} = {}\n", dtype_name(p), figure_toml(f));
      }
    }
    if (!t.bandwidth.empty()) {
      out += "[chip.threads.bandwidth]\n";
      for (const auto& [level, f] : t.bandwidth) {
        out += fmt::format("{} = {}\n", quoted(level), figure_toml(f));
      }
    }
  }
  return out;
}

}  // namespace dnnroof
