#pragma once
// Internal to the chip study (chip_study.cc, chip_commentary.cc): the chip
// lookups and phrases its tables and commentary share. Defined in
// chip_commentary.cc.

#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "hw/chip.h"

namespace dnnroof::chip_study_detail {

// The chip's display name, else its id.
std::string chip_name(const Chip& c);
// "fp32/tf32".
std::string precisions_name(std::span<const DType> ps);
// "FLOP/s" for floating-point precisions, "OP/s" for integer ones.
std::string peak_unit(DType p);
// The median of `v` (not empty).
double median_of(std::vector<double> v);
// "3.2x" with one decimal below 10, whole numbers above.
std::string times(double ratio);
// "9.5%", "42%".
std::string percent(double fraction);
// The chips of `kind`, in order.
std::vector<const Chip*> of_kind(const std::vector<const Chip*>& chips, ChipKind kind);
// The detected host ("host") among `chips`; nullptr when absent.
const Chip* find_host(const std::vector<const Chip*>& chips);
// The chip's peak at `p` when positive; nullptr otherwise.
const Figure* peak_figure(const Chip& chip, DType p);
// The main-memory bandwidth [B/s]; 0 when unknown.
double main_bandwidth(const Chip& chip);
// The main-memory bandwidth `dnnroof probe` measured (chip host-measured),
// when that chip is among `chips`; 0 otherwise.
double measured_host_bandwidth(const std::vector<const Chip*>& chips);

}  // namespace dnnroof::chip_study_detail
