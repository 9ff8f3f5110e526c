#include "report/palette.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "graph/ops.h"

namespace dnnroof {
namespace {

// Tableau 10 without its grey (kept for "other") and its red (kept for
// points above their roof, gnuplot.cc), then five dark hues of d3's
// category20b and five mid tones, chosen to stay apart from the first
// eight: the default report's eleven models and an op-type figure's ~12
// types all get their own colour.
constexpr std::array<const char*, 18> kColours{
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39",
    "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363"};
// Filled circle, square, triangle, inverted triangle, diamond, pentagon,
// then the open ones, then a cross: 13 markers against 18 colours, so two
// models that share a colour (the 1st and the 19th) differ in marker.
constexpr std::array<int, 13> kMarkers{7, 5, 9, 11, 13, 15, 6, 4, 8, 10, 12, 14, 2};

std::size_t index_in(const std::vector<std::string>& names, std::string_view name) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it != names.end()) return static_cast<std::size_t>(it - names.begin());
  // FNV-1a: stable across runs and platforms, unlike std::hash.
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return static_cast<std::size_t>(h % 1000);
}

}  // namespace

Palette::Palette(const std::set<std::string>& models, const std::set<std::string>& ops)
    : models_(models.begin(), models.end()) {
  for (const std::string& op : ops) {
    if (op != kOtherOps) ops_.push_back(op);
  }
  // Op types in the operator table's order (Conv, Gemm, MatMul, ...,
  // normalisations, activations, pooling, ...): Conv is blue whenever it is
  // there; names that are not op kinds after them, alphabetically.
  std::stable_sort(ops_.begin(), ops_.end(), [](const std::string& a, const std::string& b) {
    const auto ka = parse_op_name(a);
    const auto kb = parse_op_name(b);
    if (ka && kb) return static_cast<int>(*ka) < static_cast<int>(*kb);
    return ka.has_value() && !kb.has_value();
  });
}

SeriesStyle Palette::indexed(std::size_t i) {
  return {kColours.at(i % kColours.size()), kMarkers.at(i % kMarkers.size())};
}

std::size_t Palette::colours() { return kColours.size(); }

SeriesStyle Palette::style(StyleKey key, std::string_view name) const {
  switch (key) {
    case StyleKey::model:
      return indexed(index_in(models_, name));
    case StyleKey::op:
      if (name == kOtherOps) return {std::string(kOtherColour), 1};
      return indexed(index_in(ops_, name));
    case StyleKey::none:
      break;
  }
  return indexed(0);
}

}  // namespace dnnroof
