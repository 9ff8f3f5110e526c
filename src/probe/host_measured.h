#pragma once
// The probe's result as a chip, "host-measured": the host's description with
// the measured peaks and bandwidths in place of the derived ones, saved in
// the catalog format (docs/catalog.md) so that `--chip host-measured` works in
// every command (load_catalog reads host_measured_catalog_path()).

#include <string>

#include "hw/chip.h"
#include "probe/probe.h"

namespace dnnroof {

// The chip: id "host-measured", kind cpu; peaks per precision = the fastest
// all-core samples (Rate::best); memory levels L1d, L2, L3 (capacities as the host reports them)
// with the all-core triad plateau bandwidths where a plateau was found, and
// DRAM (main) with its plateau, or failing that the best triad bandwidth at
// the largest working set; practical ceilings ([chip.practical]) from the
// measured GEMMs (result.gemm). Every figure says how it was measured.
Chip host_measured_chip(const ProbeResult& result);

// `chip` as catalog TOML; Catalog::load_text reads it back to the same
// numbers (values written with 17 significant digits).
std::string chip_catalog_toml(const Chip& chip);

}  // namespace dnnroof
