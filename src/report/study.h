#pragma once
// The whole study as one Document, section by section, as the seeds do it
// by hand: 1 the chips; 2 model compute and memory (cost model); 3
// benchmarks; 4 hardware utilisation (measured rooflines); 5 inference vs
// training; 6 predicted vs measured; then methods and caveats. Sections 3-6
// are built from result records (measured now by `dnnroof report`, or loaded
// with --results); without records they say so and what would fill them.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hw/catalog.h"
#include "hw/host.h"
#include "ncu/results.h"
#include "report/chip_study.h"
#include "report/document.h"
#include "report/section_llm.h"
#include "report/section_models.h"
#include "store/record.h"

namespace dnnroof {

// How the records were obtained, for the methods section and the caveats.
struct StudyRunInfo {
  bool measured_here = false;              // false: loaded with --results
  std::vector<std::string> results_files;  // --results
  std::string mode;                        // "quick", "default", "full", "results"
  double sampling_target = 0;              // median CI half-width target (e.g. 0.02)
  double accept_target = 0;                // accepted at the end of the budget (e.g. 0.05); 0: none
  double budget_per_config_s = 0;          // [s] sampling budget per configuration
  std::size_t min_samples = 0;             // samples before the target may stop sampling
  // [s] the budget's extension for work too slow to give min_samples in it
  // (MeasureOptions::max_time_for_min_samples_s); 0: none.
  double min_samples_budget_s = 0;
  // What re-measuring the noisy configurations at the end did, one sentence
  // ("3 noisy configurations measured again with twice the budget; 2
  // converged."); empty when it did not run.
  std::string remeasured;
  double elapsed_s = 0;  // [s] wall time of measuring
  bool interrupted = false;
  std::string probe;  // how the host ceilings were obtained ("dnnroof probe --quick, 41 s")
  // Configurations planned but not run (time budget, interruption), and
  // anything else that did not go as planned: one line each, for caveats.
  std::vector<std::string> not_run;
};

struct StudyOptions {
  std::string title = "dnnroof study";
  // Chips to include in section 1 (catalog ids); empty: the whole catalog.
  std::vector<std::string> chip_ids;
  bool include_host = true;  // the detected machine as a chip and its facts
  ChipStudyOptions chips;
  std::string generated_at;  // "2026-11-21 23:40 UTC"; empty: now

  // Section 2 (and the costs of sections 3-6). Empty: sections 2-6 left
  // out (the chips-only report).
  std::vector<std::string> models;  // zoo names or .onnx paths
  std::vector<std::int64_t> batches{1};
  DType dtype = DType::fp32;
  // Chips of the static overlay (catalog ids); empty: host-measured when the
  // catalog has it, else host, plus the first GPU of `chip_ids`.
  std::vector<std::string> overlay_chip_ids;
  // Required: the models of section 2, of the records and of the worked
  // example (alexnet, resnet18) are costed through it.
  GraphLoader load_graph;

  // Sections 3-6: what was measured (any device, any machine).
  std::vector<ResultRecord> records;
  StudyRunInfo run;
  // Nsight Compute results (`dnnroof import-ncu --out` files): section 4's
  // "Measured FLOPs and bytes (Nsight Compute)". A file with a model and
  // batch but no comparison is compared with the cost model here.
  std::vector<NcuResults> ncu;

  // The language-model section (section_llm.h), after the other results:
  // present when llm.models is set (`--llm`) or some record has an
  // `llm_phase`. Such records are routed there and kept out of the other
  // sections; a caller that measures prefill and decode adds its records to
  // `records`.
  LlmStudyOptions llm;
};

// Builds the document from `catalog` (and `host`, used when include_host).
// `notes` receives what was left out and why (for stderr). Throws Error for
// an unknown chip id (listing the closest) or when no chip is left.
Document build_study(const Catalog& catalog, const HostInfo* host, const StudyOptions& options,
                     std::vector<std::string>* notes = nullptr);

// The current UTC time as "YYYY-MM-DD HH:MM UTC".
std::string utc_now_text();

}  // namespace dnnroof
