#pragma once
// Internal: the TOML reader behind Catalog::load_text (format: docs/catalog.md).

#include <string_view>
#include <vector>

#include "hw/chip.h"

namespace dnnroof::detail {

// Every chip in `text`, in file order, validated, with CPU figures derived.
// Throws Error "ORIGIN:LINE: chip 'ID': field 'F': what is wrong" on the first
// problem (TOML syntax errors included); an empty document has no chips.
std::vector<Chip> parse_catalog_text(std::string_view text, std::string_view origin);

}  // namespace dnnroof::detail
