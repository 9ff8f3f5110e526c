// Methods and caveats: how every number was obtained, and what to be wary
// of, both from the records and the run.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string_view>

#include "core/strings.h"
#include "core/version.h"
#include "measure/interval_rule.h"
#include "report/section_measured.h"
#include "report/study.h"
#include "store/timing_text.h"

namespace dnnroof {
namespace {

std::string compiler_text() {
#if defined(__clang__)
  return fmt::format("clang {}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  return fmt::format("GCC {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  return "an unknown compiler";
#endif
}

}  // namespace

std::string noisy_reason_text(const ResultRecord& r) {
  std::string_view reason = r.status_reason;
  // The sampler's reason starts with "noisy: " already; the report adds
  // its own label, so it is dropped here rather than printed twice.
  while (reason.starts_with("noisy: ")) reason.remove_prefix(7);
  return reason.empty() ? std::string("did not converge") : std::string(reason);
}

Section build_methods_section(const MeasuredData& data, const StudyRunInfo& run,
                              const HostInfo* host, const std::string& n) {
  Section s = numbered_section("methods", n, "Methods");
  SubsectionHeadings heading(s, n);
  // The design: what was measured, from the records themselves.
  {
    std::set<std::string> infer_models, train_models, layer_models;
    std::set<std::int64_t> batches;
    for (const ResultRecord& r : data.records) {
      if (r.status == RecordStatus::failed) continue;
      (r.mode == RunMode::train ? train_models : infer_models).insert(r.model);
      if (!r.layers.empty()) layer_models.insert(r.model);
      batches.insert(r.batch);
    }
    std::vector<std::string> design;
    if (!infer_models.empty() || !train_models.empty()) {
      std::vector<std::string> b;
      for (std::int64_t x : batches) b.push_back(std::to_string(x));
      design.push_back(fmt::format("Inference of {} model{} ({}) at batch size{} {}.",
                                   infer_models.size(), infer_models.size() == 1 ? "" : "s",
                                   join({infer_models.begin(), infer_models.end()}, ", "),
                                   b.size() == 1 ? "" : "s", list_text(b)));
      if (!train_models.empty()) {
        design.push_back(
            fmt::format("Training steps (forward, backward and optimizer timed "
                        "apart) of {}.",
                        list_text({train_models.begin(), train_models.end()})));
      }
      if (!layer_models.empty()) {
        design.push_back(fmt::format("Per-layer times of {}.",
                                     list_text({layer_models.begin(), layer_models.end()})));
      }
      std::vector<std::string> devs;
      for (const MeasuredDevice& d : data.devices) {
        devs.push_back(d.chip_id.empty() ? d.name
                                         : fmt::format("{}, judged against the ceilings of "
                                                       "chip {}",
                                                       d.name, d.chip_id));
      }
      if (!devs.empty()) design.push_back(fmt::format("Devices: {}.", join(devs, "; ")));
    } else {
      design.push_back(
          "Nothing was measured: the results are the cost model's and the "
          "catalog's.");
    }
    design.push_back(
        "Every model is costed by the same cost model at every batch size (its FLOPs, bytes and "
        "intensity are the x axis of every roofline); each measured point is judged against "
        "the roofline of the device it ran on.");
    heading("Study design");
    s.blocks.emplace_back(BulletList{std::move(design)});
  }
  heading("Counting conventions");
  s.blocks.emplace_back(BulletList{{
      "MACs (multiply-accumulates): Conv = N x C_out x prod(output spatial) x (C_in / groups) x "
      "prod(kernel); Gemm (Linear) = rows x in x out; MatMul = batch x M x N x K.",
      "FLOPs of those = 2 x MACs (bias ignored), as torch.utils.flop_counter counts. "
      "torchvision's published \"GFLOPS\" column is in fact GMACs: half the FLOPs here.",
      "Other ops have one documented FLOP rule each (ReLU 1/element, Add 1/element, inference "
      "BatchNorm 2/element, MaxPool prod(kernel) - 1 per output, Softmax ~5/element; "
      "docs/cost-model.md). Matrix-class and total FLOPs are both in `data/models.csv`.",
      "Backward: grad-input and grad-weight each cost the forward FLOPs of a Conv/Gemm/MatMul; "
      "grad-input is skipped for the first layer (fed by the data), so backward is a little "
      "under 2 x forward.",
      "Traffic: \"no reuse\" = every node reads all its inputs and weights and writes its "
      "outputs once (the sum over nodes; the x axis of every roofline here); \"compulsory\" = "
      "parameters, model input and output once (the other bound). Operational intensity = "
      "FLOPs / bytes.",
      "Units are SI: 1 GFLOP = 1e9 FLOP, 1 GB = 1e9 B, 1 MB = 1e6 B; binary units are written "
      "KiB, MiB, GiB.",
  }});

  heading("Measurement");
  std::vector<std::string> m;
  m.push_back(
      "CPU time: std::chrono::steady_clock around each iteration; GPU time: CUDA events recorded "
      "on the stream that runs the work (never a host timer around asynchronous work).");
  std::string sampling =
      "Warm-up until the time per iteration stops falling (with a floor), then sampling until "
      "the 95% confidence interval of the median (distribution-free, from order statistics) is "
      "within the target or the time budget ends";
  if (run.sampling_target > 0) {
    sampling += fmt::format(" (target ±{:g}%", 100 * run.sampling_target);
    if (run.accept_target > run.sampling_target) {
      sampling += fmt::format(", a result within ±{:g}% when the budget ends accepted as converged",
                              100 * run.accept_target);
    }
    if (run.min_samples > 0) sampling += fmt::format(", at least {} samples", run.min_samples);
    if (run.budget_per_config_s > 0)
      sampling += fmt::format(", budget {:g} s per configuration", run.budget_per_config_s);
    if (run.min_samples > 0 && run.min_samples_budget_s > run.budget_per_config_s) {
      sampling += fmt::format(
          ", extended up to {:g} s for a model too slow to give {} samples in the budget",
          run.min_samples_budget_s, run.min_samples);
    }
    sampling += ")";
  }
  sampling += run.accept_target > run.sampling_target
                  ? ". A result whose interval did not reach that is marked noisy and kept."
                  : ". A result whose interval did not reach the target is marked noisy and kept.";
  if (!run.remeasured.empty()) sampling += " " + run.remeasured;
  m.push_back(sampling);
  m.push_back(fmt::format(
      "An interval is printed as \"±\" only when it is a 95% interval of at least {} "
      "samples; a result with fewer says \"n=…, no 95% CI\" instead (6 to 9 samples give an "
      "interval that is the whole sample or nearly, decided by one outlier). Every table with a "
      "measured time gives n.",
      kMinSamplesForInterval));
  m.push_back(
      "Reported: n, median (the latency), mean, standard deviation, min, p5, p95 and the "
      "interval, per phase, in `data/latency.csv` and the results file. Throughput = batch / "
      "median latency.");
  m.push_back(
      "Training: forward, backward and optimizer step timed apart, synchronised between; "
      "cross-entropy loss on random labels, SGD with momentum. Per-layer times run each node "
      "alone, synchronised before and after.");
  m.push_back(
      "Roofline ceilings: the catalog's datasheet peaks and bandwidths, and for this machine "
      "the ceilings `dnnroof probe` measured (FMA kernels per precision, STREAM-style triad "
      "bandwidth per cache level, the fastest sample) when available.");
  if (!run.probe.empty()) m.push_back(fmt::format("Host ceilings for this report: {}.", run.probe));
  s.blocks.emplace_back(BulletList{std::move(m)});

  heading("Tools, versions and conditions");
  std::vector<std::string> tools;
  tools.push_back(
      fmt::format("dnnroof {} (revision {}), built with {}; figures drawn with "
                  "gnuplot.",
                  kVersion, kGitRevision, compiler_text()));
  std::map<std::string, std::set<std::string>> libs;
  std::map<std::string, std::set<std::string>> per_device;
  std::set<std::string> dates;
  for (const ResultRecord& r : data.records) {
    for (const auto& [k, v] : r.conditions.library_versions) libs[k].insert(v);
    const MeasuredDevice* d = data.device_of(r);
    const std::string dev = d != nullptr ? d->short_name : r.device;
    per_device[dev].insert(fmt::format(
        "host {}, {}, {}, {}, dnnroof {}",
        r.conditions.host_name.empty() ? "?" : r.conditions.host_name,
        r.conditions.cpu_model.empty() ? "CPU model unknown" : r.conditions.cpu_model,
        threads_in_force(r) > 0 ? threads_in_force_text(r) : "threads unknown", dtype_name(r.dtype),
        r.conditions.git_revision.empty() ? "?" : r.conditions.git_revision));
    if (!r.conditions.date_utc.empty()) dates.insert(r.conditions.date_utc);
  }
  for (const auto& [k, v] : libs) {
    tools.push_back(fmt::format("{}: {}", k, join({v.begin(), v.end()}, "; ")));
  }
  for (const auto& [dev, v] : per_device) {
    tools.push_back(fmt::format("{}: {}", dev, join({v.begin(), v.end()}, "; ")));
  }
  if (!dates.empty()) {
    tools.push_back(
        fmt::format("Measured between {} and {} (UTC).", *dates.begin(), *dates.rbegin()));
  }
  if (run.measured_here) {
    tools.push_back(fmt::format("Measured by this run of `dnnroof report` ({} mode) in {:.0f} s.",
                                run.mode, run.elapsed_s));
  } else if (!run.results_files.empty()) {
    tools.push_back(
        fmt::format("Results loaded from {} (not re-measured).", join(run.results_files, ", ")));
  }
  if (host != nullptr) {
    tools.push_back(fmt::format("This machine: {}, {} physical cores, {} logical CPUs{}.",
                                host->cpu_model, host->physical_cores, host->logical_cpus,
                                host->virtualized ? ", virtualised" : ""));
  }
  s.blocks.emplace_back(BulletList{std::move(tools)});
  return s;
}

Section build_caveats_section(const MeasuredData& data, const StudyRunInfo& run,
                              const HostInfo* host, const std::vector<std::string>& flags,
                              const std::vector<std::string>& notes, const std::string& n) {
  Section s = numbered_section("caveats", n, "Caveats");
  std::vector<std::string> items;
  std::vector<std::string> noisy, failed;
  for (const ResultRecord& r : data.records) {
    const std::optional<Phase> h = headline_phase(r);
    if (r.status == RecordStatus::noisy) {
      // "±3.1%", or "n=4, no 95% CI" (store/timing_text.h); the reason
      // without its own "noisy: ".
      std::string_view why = r.status_reason;
      if (why.starts_with("noisy: ")) why.remove_prefix(7);
      // The sampler's reason already gives n and the interval; a reason
      // from elsewhere gets them in front.
      const std::string interval = h ? interval_text(r.timings.at(*h)) : std::string("no timing");
      noisy.push_back(why.empty() ? fmt::format("{} b{} {} on {} ({})", r.model, r.batch,
                                                run_mode_name(r.mode), r.device, interval)
                      : why.starts_with("n=") || why.starts_with("median 95% CI")
                          ? fmt::format("{} b{} {} on {} ({})", r.model, r.batch,
                                        run_mode_name(r.mode), r.device, why)
                          : fmt::format("{} b{} {} on {} ({}: {})", r.model, r.batch,
                                        run_mode_name(r.mode), r.device, interval, why));
    } else if (r.status == RecordStatus::failed) {
      failed.push_back(fmt::format("{} b{} {} on {}: {}", r.model, r.batch, run_mode_name(r.mode),
                                   r.device,
                                   r.status_reason.empty() ? "no reason given" : r.status_reason));
    }
  }
  if (!noisy.empty()) {
    items.push_back(fmt::format(
        "{} noisy result{} (the median's 95% interval did not reach the target within the "
        "budget; the median is still reported, read it with its interval): {}.",
        noisy.size(), noisy.size() == 1 ? "" : "s", join(noisy, "; ")));
  }
  if (!failed.empty()) {
    items.push_back(fmt::format("{} configuration{} failed and are missing from the figures: {}.",
                                failed.size(), failed.size() == 1 ? "" : "s", join(failed, "; ")));
  }
  if (run.interrupted) {
    items.push_back("The run was interrupted: the report holds what finished before.");
  }
  for (const std::string& x : run.not_run) items.push_back(x);
  for (const std::string& f : flags) items.push_back("Flagged: " + f);
  for (const std::string& x : notes) items.push_back(x);
  if (run.measured_here && host != nullptr) {
    double load[1] = {0};
    const bool have_load = getloadavg(load, 1) == 1;
    items.push_back(fmt::format(
        "Measured on {} with {} logical CPU{}{}{}: other work on the machine slows samples down "
        "at random, which widens the intervals and can mark results noisy; the fastest probe "
        "sample is used for ceilings for that reason.",
        host->cpu_model, host->logical_cpus, host->logical_cpus == 1 ? "" : "s",
        host->virtualized ? ", virtualised (the hypervisor may share the cores)" : "",
        have_load ? fmt::format(", load average {:.2f} when the report was written", load[0])
                  : ""));
  }
  items.push_back(
      "The cost model counts FLOPs and bytes of an ideal implementation; libraries may use "
      "other algorithms (Winograd or FFT convolutions do fewer multiplications, im2col moves "
      "more bytes), so achieved FLOP/s are cost-model FLOPs per second, not counted "
      "instructions.");
  items.push_back(
      "The no-reuse traffic model overstates the bytes of models whose activations stay in "
      "cache between layers (small models, batch 1 on large caches), which moves their points "
      "left of where the hardware sees them; the compulsory traffic is the other bound.");
  s.blocks.emplace_back(BulletList{std::move(items)});
  return s;
}

}  // namespace dnnroof
