#pragma once
// The parts that make the report a paper (study.cc puts them around the
// results sections): title, abstract, introduction with the questions and
// hypotheses, discussion, threats to validity, conclusion, references, and
// the worked appendix (pen-and-paper FLOPs and bytes of AlexNet's first
// convolution and one ResNet-18 basic block beside the cost model's).
//
// Every number comes from `PaperFindings`, computed from the same records,
// costs and ceilings as the results sections; every sentence that states a
// cause or a condition (no GPU, a virtualised clock, noisy results) is
// written only when the data show it (tests/report/test_paper.cc has a
// counter-example for each).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hw/chip.h"
#include "hw/host.h"
#include "report/document.h"
#include "report/section_measured.h"
#include "report/section_models.h"

namespace dnnroof {

struct StudyRunInfo;

struct PaperContext {
  const MeasuredData* data = nullptr;               // records, costs, devices (may be empty)
  const std::vector<ModelCosts>* models = nullptr;  // section 2's costs (may be empty)
  std::vector<const Chip*> chips;                   // section 1's chips
  std::vector<const Chip*> overlay_chips;           // section 2's static overlay
  const HostInfo* host = nullptr;
  const StudyRunInfo* run = nullptr;
  std::size_t flags = 0;  // items the results sections flagged
  DType precision = DType::fp32;
  // The section titles of the results, for the introduction's outline.
  std::vector<std::string> results_sections;
};

// Static placement of the models on one chip's roof (cost model only).
struct ChipBoundFinding {
  std::string chip;               // display name
  bool measured_ceiling = false;  // a `dnnroof probe` chip (host-measured)
  double ridge = 0;               // [FLOP/B]
  std::int64_t batch = 1;
  std::vector<std::string> memory_bound;  // models left of the ridge
  std::size_t models = 0;
};

// Measured placements of one device at one batch.
struct UtilisationFinding {
  std::string device;   // short name
  std::string ceiling;  // the binding ceiling's label of the best point
  std::int64_t batch = 1;
  std::size_t points = 0;
  double median_percent = 0;  // of the attainable roof
  std::string best_model;
  double best_percent = 0;
  std::vector<std::string> memory_bound;
};

struct CorrelationFinding {
  std::string device;
  std::int64_t batch = 1;
  std::size_t models = 0;
  double rho_flops = 0, rho_params = 0;  // Spearman with forward latency
};

struct BatchingFinding {
  std::string device;
  std::int64_t batch_lo = 1, batch_hi = 1;
  std::size_t series = 0;
  double median_gain = 0;  // throughput at batch_hi / at batch_lo
  std::string best_model;
  double best_gain = 0;
  // The median over series of the first batch whose next step gains < 10%
  // (a series that never stops counts as beyond the last batch); 0 when
  // that median lies beyond the batches measured.
  std::int64_t saturates_at = 0;
  std::size_t saturated = 0;  // series that stopped gaining 10% per step
};

struct BackwardFinding {
  std::size_t n = 0;
  double median_flops_ratio = 0, median_time_ratio = 0;
  double min_time_ratio = 0, max_time_ratio = 0;
};

struct PredictionFinding {
  std::string device;
  std::string ceiling;
  std::size_t n = 0;
  double median_measured_over_predicted = 0;
};

struct PaperFindings {
  std::vector<std::string> models;
  std::vector<std::int64_t> batches;
  std::vector<std::string> devices;  // measured, by display name
  bool measured = false;             // some usable record
  bool gpu_measured = false;
  std::size_t records = 0, noisy = 0, failed = 0;
  std::vector<int> threads;  // thread counts in force (CPU records)
  std::vector<ChipBoundFinding> static_bounds;
  std::vector<UtilisationFinding> utilisation;
  std::vector<CorrelationFinding> correlation;
  std::vector<BatchingFinding> batching;
  std::optional<BackwardFinding> backward;
  std::vector<PredictionFinding> prediction;
  std::string libtorch_version;  // from the records' conditions; empty when none
  std::string blas;
};

PaperFindings compute_findings(const PaperContext& context);

// "Roofline analysis and benchmarking of 11 DNNs on an Intel Xeon ... (CPU)".
std::string paper_title(const PaperContext& context, const PaperFindings& findings);

// Unnumbered "Abstract": 150-250 words with the headline numbers.
Section abstract_section(const PaperContext& context, const PaperFindings& findings);
Section introduction_section(const PaperContext& context, const PaperFindings& findings,
                             const std::string& number);
Section discussion_section(const PaperContext& context, const PaperFindings& findings,
                           const std::string& number);
Section threats_section(const PaperContext& context, const PaperFindings& findings,
                        const std::string& number);
Section conclusion_section(const PaperContext& context, const PaperFindings& findings,
                           const std::string& number);
// Williams, Waterman and Patterson (2009); every chip's datasheet; the tools
// and versions of this run.
Section references_section(const PaperContext& context, const PaperFindings& findings);

// ------------------------------------------------------ worked appendix

// A 2-D convolution as written on paper (fp32 unless `bytes_per_element`).
struct HandConv {
  double n = 1, c_in = 0, h = 0, w = 0, c_out = 0, k = 0, stride = 1, pad = 0;
  bool bias = false;
  bool input_needs_grad = true;  // false for the first layer (fed by the data)
  double bytes_per_element = 4;
  double out_h() const;
  double out_w() const;
};
// FLOPs and bytes of one pass, by hand.
struct HandCost {
  double macs = 0;
  double flops = 0;  // [FLOP] matrix-class + other
  double bytes = 0;  // [B]
};
// The appendix's convolutions. AlexNet features.0: 3 -> 64 channels, 11 x 11,
// stride 4, padding 2, with bias, on a 224 x 224 image; the data needs no
// gradient. ResNet-18 layer1.0.conv1 and conv2: 64 -> 64, 3 x 3, stride 1,
// padding 1, no bias, on 56 x 56.
HandConv alexnet_conv1();
HandConv resnet_block_conv();
HandCost hand_conv_forward(const HandConv& c);
HandCost hand_conv_backward(const HandConv& c);
// The rules of docs/cost-model.md for `elements` elements of one tensor.
HandCost hand_batchnorm_forward_inference(double elements, double channels, double bpe = 4);
HandCost hand_batchnorm_backward(double elements, double channels, double bpe = 4);
HandCost hand_relu_forward(double elements, double bpe = 4);
HandCost hand_relu_backward(double elements, double bpe = 4);
HandCost hand_add_forward(double elements, double bpe = 4);
HandCost hand_add_backward(double elements, double bpe = 4);

// One row of the appendix: the hand figure beside the cost model's.
struct WorkedRow {
  std::string what;  // "AlexNet features.0, forward"
  HandCost hand;
  double model_flops = 0, model_bytes = 0;  // the cost model's
};
// Computes both with the cost model (zoo alexnet and resnet18 at batch 1,
// fp32, training costs for backward). Throws what the cost model throws.
std::vector<WorkedRow> worked_example_rows(const GraphLoader& load);
// The appendix section ("Appendix A. ..."): the formulas written out, the
// numbers substituted, and the cost model's figures beside them.
Section worked_example_section(const GraphLoader& load, const std::string& letter);

// Words in `text` (runs of letters/digits), for the abstract's length.
std::size_t word_count(std::string_view text);

}  // namespace dnnroof
