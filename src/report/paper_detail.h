#pragma once
// Internal to the paper (paper.cc, paper_findings.cc, paper_discussion.cc):
// the phrases and lookups its parts share. Defined in paper_findings.cc.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "report/paper.h"

namespace dnnroof::paper_detail {

// "rises a median 2.0x" or, when the median gain is below 1, "falls to a
// median 0.80x": a throughput that drops with the batch is never said to rise.
std::string throughput_change_text(double median_gain);
// The record's forward median [s]; NaN without one.
double forward_median(const ResultRecord& r);
// "93%", "9.5%": one decimal below 10.
std::string percent_text(double p);
// "1, 8 and 64".
std::string batches_text(const std::vector<std::int64_t>& b);
// The context's measured data, or an empty set.
const MeasuredData& data_of(const PaperContext& c);
// The model's forward intensity at batch `b` [FLOP/B]; NaN when not costed.
double intensity_at(const ModelCosts& m, std::int64_t b);
// Chips compared from a datasheet (not the detected or probed host).
std::size_t datasheet_chips(const std::vector<const Chip*>& chips);
// "3 of 3 at batch 1 and 2 of 3 at batch 4 on X (ridge 34.3 FLOP/B)", one
// item per chip, in order.
std::vector<std::string> static_bound_items(const std::vector<ChipBoundFinding>& bounds);
// The sentence a run without a GPU carries.
std::string no_gpu_sentence();

}  // namespace dnnroof::paper_detail
