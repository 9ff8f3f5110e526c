#pragma once
// The report's language-model section (`dnnroof report --llm llama-3-8b,...`,
// docs/report.md and docs/llm.md): prefill and decode of decoder-only
// transformers on the roofline from the analytic per-phase cost (src/llm),
// swept over batch and context on a few chips, with the figures of
// figures_llm.h, the memory fit (weights + KV cache against each chip's
// memory), and the measured prefill and decode steps (result records with
// `llm_phase` set) placed under the same roofs as their lower bound, whole
// and per op group. Every sentence is computed from the numbers; a sentence
// that gives a cause is written only when its condition holds
// (tests/report/test_section_llm.cc has a counter-example for each).
//
// How measured records reach it: build_study (study.h) routes every record
// of StudyOptions::records whose `llm_phase` is set here (and keeps it out
// of the CNN sections), with its device's ceilings; so a caller that
// measures prefill and decode appends those records to StudyOptions::records
// (and to the results file), and `--results` files holding them work alike.

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "hw/catalog.h"
#include "llm/config.h"
#include "llm/cost.h"
#include "report/figures_llm.h"
#include "report/section_measured.h"
#include "store/record.h"

namespace dnnroof {

// What the section studies (StudyOptions::llm; `dnnroof report --llm`).
struct LlmStudyOptions {
  // Shipped config names or config.json paths. Empty: the section appears
  // only when some record is a language model's (then with those models).
  std::vector<std::string> models;
  std::vector<std::int64_t> batches{1, 8, 64};
  std::vector<std::int64_t> contexts{512, 4096, 32768};
  std::string dtype = "bf16";  // weights, activations and KV cache
  // Chips of the static figures (catalog ids). Empty: the chips the records
  // ran on, plus the GPUs and accelerators of the report's chips (--ids)
  // with a peak at `dtype`, else h100-sxm and a100-sxm4-80gb; at most
  // kMaxLlmChips.
  std::vector<std::string> chip_ids;
};
inline constexpr std::size_t kMaxLlmChips = 4;

struct LlmSectionInput {
  LlmSweep sweep;                     // models, batches, contexts, precision, chips
  std::vector<ResultRecord> records;  // measured prefill and decode steps (llm_phase set)
  // The device of each record (MeasuredDevice::key == device_key(record)),
  // with the ceilings that judge it (its chip at its dtype).
  std::vector<MeasuredDevice> devices;
  std::vector<std::string> notes;  // models or chips left out, and why
};

// Resolves the models (options and records), the chips (see
// LlmStudyOptions::chip_ids; `report_chip_ids` are the report's --ids) and
// the precision. Models or chips that cannot be used go to `notes` with the
// reason; throws Error only for a bad dtype or an unknown model name given
// in `options` (the caller's input).
LlmSectionInput make_llm_section_input(const Catalog& catalog, const LlmStudyOptions& options,
                                       const std::vector<std::string>& report_chip_ids,
                                       std::vector<ResultRecord> records,
                                       std::vector<MeasuredDevice> devices);

// ----------------------------------------------------------- static bounds

// Where decode of `model` at `context` stops being memory-bound on `chip`.
struct DecodeCrossover {
  std::string model, chip;
  std::int64_t context = 0;
  double ridge = 0;  // [FLOP/B]
  // The smallest batch at which the step is no longer memory-bound (most
  // of its lower-bound time in compute-bound ops); 0 when none up to 2^20.
  std::int64_t batch = 0;
  // The intensity each added sequence brings (FLOPs / bytes between batch
  // 1024 and 2048, weights already paid): what decode tends to with the
  // batch. [FLOP/B]
  double per_sequence_intensity = 0;
  double per_sequence_kv_share = 0;      // of the bytes a sequence adds, the KV cache's
  std::int64_t max_batch_that_fits = 0;  // 0: none fits (or unknown memory: -1)
};
DecodeCrossover decode_crossover(const llm::LlmConfig& model, const LlmChip& chip,
                                 const llm::Precision& precision, std::int64_t context);

// The smallest prompt at batch 1 whose prefill is compute-bound on `chip`
// (0: none up to 2^20 tokens).
std::int64_t prefill_compute_bound_from(const llm::LlmConfig& model, const LlmChip& chip,
                                        const llm::Precision& precision);

// One paragraph per model and chip: the batch at which decode stops being
// memory-bound at each context (and why it never does where it does not),
// against the largest batch that fits; where prefill turns compute-bound.
std::vector<std::string> llm_bound_commentary(const LlmSweep& sweep);

// One paragraph per model and chip: the weights' share of the chip's
// memory, what is left for the KV cache, the largest batch at each context
// and the largest context at batch 1 that fit; or that the weights alone do
// not fit.
std::vector<std::string> llm_memory_commentary(const LlmSweep& sweep);

// ---------------------------------------------------------------- measured

// One op group of a measured record: its layers' times summed.
struct LlmOpMeasured {
  std::string op;          // src/llm's op name ("attention")
  std::size_t layers = 0;  // layer entries summed
  double time_s = 0;       // [s] sum of their forward medians
  double bound_s = 0;      // [s] max(FLOPs / peak, bytes / bandwidth) of the op (all layers)
  bool memory_bound = true;
  Placement placement;
};

// One measured prefill or decode step placed under its device's roofs.
struct LlmMeasured {
  const ResultRecord* record = nullptr;
  const MeasuredDevice* device = nullptr;
  std::string label;  // "gpt2 decode b1 c512"
  llm::PhaseCost cost;
  double time_s = 0;   // [s] the forward median
  double bound_s = 0;  // [s] src/llm's lower bound on the device's main-memory roof
  bool memory_bound = true;
  std::string ceiling;  // the main-memory ceiling the bound uses (RoofCeiling::label)
  double main_bandwidth = 0, main_peak = 0;
  Placement placement;             // whole step, against every ceiling of the device
  std::vector<LlmOpMeasured> ops;  // from the record's layers; empty without
  std::size_t op_instances = 0;    // ops x layers of the step (kernels at least)
  double ratio() const { return bound_s > 0 ? time_s / bound_s : 0; }
};

// Places every usable record (not failed, with a forward median and a known
// model, dtype and device with ceilings); the others go to `problems` with
// the reason.
std::vector<LlmMeasured> llm_measured(const LlmSectionInput& input,
                                      std::vector<std::string>& problems);

// Per measured step: measured against the lower bound, the binding ceiling,
// and (each only when its condition holds) where the gap is among its op
// groups, fixed per-call cost when its ops are short, a flag when it beats
// its bound.
std::vector<std::string> llm_measured_commentary(const std::vector<LlmMeasured>& measured);

// The section: "<number>. Language models: prefill and decode".
MeasuredSection build_llm_section(const LlmSectionInput& input, const std::string& number);

}  // namespace dnnroof
