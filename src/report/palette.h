#pragma once
// One look per model and per op type across every figure of a report.
//
// A figure says what its legend entries are named after (StyleKey): models,
// op types, or nothing in particular (series such as "forward" and
// "backward"). The report writer collects every model and every op type
// named by any figure of the document, sorts each set (models by name, op
// types in the operator table's order: Conv first), and gives the i-th
// model the i-th colour and marker and the i-th op type the i-th colour, so
// resnet18 has the same colour and marker in the latency scatter, the
// throughput lines, the measured roofline and the prediction plot, and Conv
// the same colour in every op-type bar chart and pie. "other" (the op types
// merged together) is always the same grey. A figure drawn on its own (no
// report palette) builds one from its own names, in the same way.

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace dnnroof {

enum class StyleKey {
  none,   // legend entries get colours in their order in the figure
  model,  // legend entries are model names
  op,     // legend entries are op-type names ("Conv", "other")
};

struct SeriesStyle {
  std::string colour;  // "#rrggbb"
  int marker = 7;      // gnuplot point type
};

// The name of the merged op types in share figures; always drawn in kOtherColour.
inline constexpr std::string_view kOtherOps = "other";
inline constexpr std::string_view kOtherColour = "#b4b4b4";

class Palette {
 public:
  Palette() = default;
  // Assigns styles in order: models sorted by name, op types in OpKind order
  // (graph/ops.h; other names after them, by name).
  Palette(const std::set<std::string>& models, const std::set<std::string>& ops);

  // The style of `name` under `key`. A name the palette was not built with
  // gets a style from a hash of the name (stable, but it may repeat one in
  // use). StyleKey::none is not keyed: use indexed().
  SeriesStyle style(StyleKey key, std::string_view name) const;

  // The style of the i-th legend entry of a figure whose entries are not
  // keyed (StyleKey::none).
  static SeriesStyle indexed(std::size_t i);

  // How many distinct colours there are before they repeat (models and op
  // types beyond it share a colour with an earlier one, but not its marker).
  static std::size_t colours();

  const std::vector<std::string>& models() const { return models_; }
  const std::vector<std::string>& ops() const { return ops_; }

 private:
  std::vector<std::string> models_;  // sorted
  std::vector<std::string> ops_;     // in OpKind order, "other" excluded
};

}  // namespace dnnroof
