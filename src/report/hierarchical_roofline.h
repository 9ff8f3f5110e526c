#pragma once
// The hierarchical roofline of one chip: its datasheet (or derived) roofs and
// its measured roofs (`dnnroof probe`'s host-measured or cuda:N (measured)
// chip) on one figure. Every roof is one continuous line: a compute ceiling
// against one memory level's bandwidth, slanted up to its ridge point, then
// flat. Measured: the peak (FMA loops) against every memory level with a
// measured bandwidth (L1d, L2, L3, DRAM), and the practical ceiling (large
// GEMM) against main memory. Datasheet: the peak against every level with a
// published or derived bandwidth; when none is known (a virtual machine's
// DRAM), against the measured main-memory bandwidth, and the legend says so.

#include <string>
#include <vector>

#include "core/dtype.h"
#include "hw/chip.h"
#include "report/roofline.h"

namespace dnnroof {

// The ceilings, in drawing order (datasheet first, then measured fastest
// level first, then the practical ceiling), each with its own colour. Notes
// say what could not be drawn and why ("measured: no fp16 peak"). Throws
// Error when no roof at all can be drawn at `precision` (naming the chips).
struct HierarchicalCeilings {
  std::vector<Ceiling> ceilings;
  std::vector<std::string> notes;
};
HierarchicalCeilings hierarchical_ceilings(const Chip& datasheet, const Chip* measured,
                                           DType precision = DType::fp32);

// The figure (roofline.h), titled "Hierarchical roofline: <name>, <precision>";
// gnuplot.h draws it (render_roofline). `measured` may be null.
RooflineFigure hierarchical_roofline(const Chip& datasheet, const Chip* measured,
                                     DType precision = DType::fp32);

}  // namespace dnnroof
