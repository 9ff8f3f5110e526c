#pragma once
// The chip catalog: the built-in TOML files (data/chips/*.toml, compiled in),
// plus user files given with --catalog, plus the host. Format: docs/catalog.md.

#include <string>
#include <string_view>
#include <vector>

#include "hw/chip.h"

namespace dnnroof {

class Catalog {
 public:
  // The built-in catalog (data/chips/*.toml compiled into the binary).
  static Catalog builtin();

  // Parses TOML text; `origin` names it in errors ("data/chips/gpu.toml").
  // Chips whose id already exists are replaced. A malformed file throws
  // Error naming origin, line and field.
  void load_text(std::string_view text, std::string_view origin);
  void load_file(const std::string& path);

  // The chip with this id. "host" is the detected machine (see host.h).
  // An unknown id throws Error listing the closest ids.
  const Chip& get(std::string_view id) const;
  const Chip* find(std::string_view id) const;

  // Adds or replaces one chip (used for "host" and "host-measured").
  void put(Chip chip);

  // In catalog order (built-in files in kind order, then user files).
  const std::vector<Chip>& chips() const { return chips_; }
  std::vector<const Chip*> of_kind(ChipKind kind) const;
  std::vector<std::string> ids() const;

 private:
  std::vector<Chip> chips_;
};

// Where `dnnroof probe` saves the measured host ("host-measured"):
// $DNNROOF_CACHE_DIR/host-measured.toml, else $XDG_CACHE_HOME/dnnroof/..., else
// ~/.cache/dnnroof/...; "" when none of those variables is set.
std::string host_measured_catalog_path();

// The built-in catalog, then host_measured_catalog_path() when that file
// exists (a malformed one throws Error naming it), then each file in
// `extra_files`, then "host".
Catalog load_catalog(const std::vector<std::string>& extra_files);

}  // namespace dnnroof
