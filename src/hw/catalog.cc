#include "hw/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/strings.h"
#include "hw/cuda_devices.h"
#include "hw/detail/builtin_catalog.h"
#include "hw/detail/catalog_parse.h"
#include "hw/host.h"

namespace dnnroof {
namespace {

// Built-in files load in kind order (gpu, cpu, asic, soc), then any other
// file alphabetically.
int file_rank(std::string_view path) {
  static constexpr std::array<std::string_view, 4> kOrder{
      "data/chips/gpu.toml", "data/chips/cpu.toml", "data/chips/asic.toml", "data/chips/soc.toml"};
  for (std::size_t i = 0; i < kOrder.size(); ++i) {
    if (kOrder[i] == path) return static_cast<int>(i);
  }
  return static_cast<int>(kOrder.size());
}

Catalog parse_builtin() {
  std::vector<detail::EmbeddedCatalogFile> files(detail::embedded_catalog_files().begin(),
                                                 detail::embedded_catalog_files().end());
  std::stable_sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    return file_rank(a.path) != file_rank(b.path) ? file_rank(a.path) < file_rank(b.path)
                                                  : a.path < b.path;
  });
  Catalog catalog;
  for (const auto& f : files) catalog.load_text(f.text, f.path);
  return catalog;
}

}  // namespace

Catalog Catalog::builtin() {
  // Parsed once; a malformed built-in file throws here on every call.
  static const Catalog kBuiltin = parse_builtin();
  return kBuiltin;
}

void Catalog::load_text(std::string_view text, std::string_view origin) {
  // Parse the whole file first so a malformed one leaves the catalog as it was.
  for (Chip& chip : detail::parse_catalog_text(text, origin)) put(std::move(chip));
}

void Catalog::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read catalog file '{}': {}", path, std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) fail("cannot read catalog file '{}': read error", path);
  load_text(text.str(), path);
}

const Chip* Catalog::find(std::string_view id) const {
  for (const auto& c : chips_) {
    if (c.id == id) return &c;
  }
  const std::string lower = to_lower(trim(id));
  for (const auto& c : chips_) {
    if (c.id == lower) return &c;
  }
  return nullptr;
}

const Chip& Catalog::get(std::string_view id) const {
  if (const Chip* c = find(id)) return *c;
  const auto close = closest_matches(id, ids(), 5);
  fail("unknown chip '{}'; closest: {} (`dnnroof chips` lists them all)", id,
       close.empty() ? "none, the catalog is empty" : join(close, ", "));
}

void Catalog::put(Chip chip) {
  for (auto& c : chips_) {
    if (c.id == chip.id) {
      c = std::move(chip);
      return;
    }
  }
  chips_.push_back(std::move(chip));
}

std::vector<const Chip*> Catalog::of_kind(ChipKind kind) const {
  std::vector<const Chip*> out;
  for (const auto& c : chips_) {
    if (c.kind == kind) out.push_back(&c);
  }
  return out;
}

std::vector<std::string> Catalog::ids() const {
  std::vector<std::string> out;
  out.reserve(chips_.size());
  for (const auto& c : chips_) out.push_back(c.id);
  return out;
}

std::string host_measured_catalog_path() {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v != nullptr ? std::string(v) : std::string();
  };
  if (std::string dir = env("DNNROOF_CACHE_DIR"); !dir.empty()) {
    return dir + "/host-measured.toml";
  }
  if (std::string dir = env("XDG_CACHE_HOME"); !dir.empty()) {
    return dir + "/dnnroof/host-measured.toml";
  }
  if (std::string home = env("HOME"); !home.empty()) {
    return home + "/.cache/dnnroof/host-measured.toml";
  }
  return {};
}

Catalog load_catalog(const std::vector<std::string>& extra_files) {
  Catalog catalog = Catalog::builtin();
  // What `dnnroof probe` measured here, so `--chip host-measured` works in
  // every command; user files come after it and may override it.
  const std::string measured = host_measured_catalog_path();
  std::error_code ec;
  if (!measured.empty() && std::filesystem::is_regular_file(measured, ec)) {
    catalog.load_file(measured);
  }
  for (const auto& path : extra_files) catalog.load_file(path);
  // A user file may describe the host itself (for example with its measured
  // memory bandwidth); that entry wins over the detected one.
  bool user_host = false;
  for (const auto& c : catalog.chips()) user_host = user_host || c.id == "host";
  if (!user_host) catalog.put(detect_host());
  // CUDA GPUs of this machine: "cuda:0", ... (none without a GPU or CUDA).
  for (const CudaDeviceInfo& d : query_cuda_devices().devices) catalog.put(cuda_device_chip(d));
  return catalog;
}

}  // namespace dnnroof
