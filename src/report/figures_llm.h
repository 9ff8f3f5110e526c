#pragma once
// Figures of decoder-only language models (docs/llm.md), from the analytic
// per-phase cost (src/llm): a sweep of models x batches x contexts on a few
// chips, as the roofline with decode moving right with the batch, decode
// tokens/s against batch per chip, memory needed against context with each
// chip's memory, and prefill beside decode on one roofline. Each returns a
// FigureBlock (document.h) that `dnnroof analyze --figures` renders alone
// and the report's language-model section (section_llm.h) places in the
// paper. Pure: nothing is drawn here.

#include <cstdint>
#include <string>
#include <vector>

#include "hw/chip.h"
#include "llm/config.h"
#include "llm/cost.h"
#include "report/document.h"

namespace dnnroof {

// One chip as the language-model figures see it: its main-memory roof at the
// sweep's compute precision.
struct LlmChip {
  std::string id;      // catalog id
  std::string name;    // display name
  std::string memory;  // main-memory level ("HBM3")
  llm::Roof roof;      // peak, bandwidth, capacity
};
// Throws Error (llm::roof_of's) when `chip` has no peak at `compute` or no
// main-memory bandwidth.
LlmChip llm_chip(const Chip& chip, DType compute);

struct LlmSweep {
  std::vector<llm::LlmConfig> models;
  std::vector<std::int64_t> batches{1, 8, 64};
  std::vector<std::int64_t> contexts{512, 4096, 32768};
  llm::Precision precision;
  std::vector<LlmChip> chips;
};

// One configuration on one chip, bounded by the roofline.
struct LlmPoint {
  std::string model;
  llm::Phase phase = llm::Phase::decode;
  std::int64_t batch = 1;
  std::int64_t context = 0;
  std::string chip;
  double flops = 0;   // [FLOP]
  double bytes = 0;   // [B]
  double time_s = 0;  // [s] lower bound: sum over ops of max(FLOPs / peak, bytes / bandwidth)
  bool memory_bound = true;
  double memory_need = 0;  // [B] weights + KV cache + activations (llm::memory_needed)
  bool fits = true;        // memory_need <= the chip's memory (true when unknown)
  double intensity() const { return bytes > 0 ? flops / bytes : 0; }
  // [FLOP/s] the rate the bound allows: on the roof when every op is bound
  // by the same ceiling, a little under it otherwise.
  double bound_flops() const { return time_s > 0 ? flops / time_s : 0; }
  double tokens_per_s() const;  // decode: batch / time; prefill: batch x context / time
};

// Every model x phase (prefill, decode) x batch x context x chip, in that
// order. Throws Error (src/llm's) for an invalid batch or context.
std::vector<LlmPoint> llm_sweep_points(const LlmSweep& sweep);

// The context the single-context figures use: 4096 when swept, else the
// middle of the contexts (the larger of the two middle ones).
std::int64_t llm_figure_context(const LlmSweep& sweep);

// Decode on each chip's roofline (one panel per chip, shared axes) at
// `context`: one marker per batch size, so the points move right as the
// batch grows (the weights are read once for the whole batch). Id
// "llm-decode-roofline". Throws Error when the sweep has no model or chip.
FigureBlock llm_decode_roofline_figure(const LlmSweep& sweep, std::int64_t context);

// Decode tokens/s (upper bound) against batch size on one chip, one line
// per context (and model, when several); log axes where the values span more
// than 1.5 decades. Id "llm-tokens-per-s-<chip>".
FigureBlock llm_tokens_per_s_figure(const LlmSweep& sweep, const LlmChip& chip);

// Prefill and decode at every batch of the sweep at `context` on each
// chip's roofline (one panel per chip): prefill far right of the ridge,
// decode left of it. Id "llm-prefill-vs-decode".
FigureBlock llm_prefill_decode_figure(const LlmSweep& sweep, std::int64_t context);

// Memory needed to decode with a cache of each context (weights + KV cache
// + activations), one line per batch size, each chip's memory as a dashed
// line. Id "llm-memory-<model>".
FigureBlock llm_memory_figure(const LlmSweep& sweep, const llm::LlmConfig& model);

// The figures above (tokens/s: one per chip; memory: one per model), in that order.
std::vector<FigureBlock> llm_sweep_figures(const LlmSweep& sweep);

}  // namespace dnnroof
