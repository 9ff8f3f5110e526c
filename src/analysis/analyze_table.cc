// The tables of `dnnroof analyze` (analyze_table.h).
#include "analysis/analyze_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "graph/graph.h"

namespace dnnroof {
namespace {

// A quantity with its number for programs; "0 FLOP" stays "0 FLOP".
Cell si(double value, std::string_view unit) { return Cell(value, format_si(value, unit)); }
Cell plain_number(double value) { return Cell(value, fmt::format("{:.4g}", value)); }
Cell count(double value) { return Cell(value, format_si(value, "")); }
Cell text_cell(std::string t) { return Cell(std::move(t)); }

// The unit of the FLOP columns under a convention, for the cells.
std::string_view unit_symbol(CostConvention c) {
  const std::string_view u = cost_convention_unit(c);
  if (u == "MACs") return "MAC";
  if (u == "flops") return "flop";
  if (u == "mult-adds") return "MAC";
  return "FLOP";
}

Table totals_table(const std::string& model, const std::vector<BatchCost>& results, bool training) {
  // The FLOP columns hold what the convention's tool counts, labelled by it
  // (fvcore's "flops" and thop's and ptflops' counts are MACs).
  const CostConvention conv = results.front().cost.options.convention;
  const bool peer = conv != CostConvention::dnnroof;
  const std::string u = cost_convention_label(conv);
  const std::string_view usym = unit_symbol(conv);
  // The tool's own MAC count is a column of its own where its headline
  // number is FLOPs (calflops, torch); elsewhere it is the FLOP column.
  const bool macs_apart = conv == CostConvention::calflops || conv == CostConvention::torch;
  std::vector<std::string> cols{"model",   "batch",    "dtype",     "convention",      "params",
                                "buffers", "MACs fwd", "FLOPs fwd", "matmul FLOPs fwd"};
  cols[7] = u + " fwd";
  cols[8] = "matmul " + u + " fwd";
  std::vector<std::string> keys{"model",   "batch",    "dtype",     "convention",      "params",
                                "buffers", "macs_fwd", "flops_fwd", "matmul_flops_fwd"};
  if (macs_apart) {
    cols.push_back(fmt::format("{} MACs", cost_convention_name(conv)));
    keys.emplace_back("convention_macs");
  }
  if (peer) {
    // The parameters the tool reports (thop: only its hooked modules').
    cols.push_back(fmt::format("{} params", cost_convention_name(conv)));
    keys.emplace_back("convention_params");
  }
  if (training) {
    cols.emplace_back("MACs bwd");
    cols.push_back(u + " bwd");
    cols.push_back("bwd/fwd " + u);
    cols.push_back(u + " step");
    keys.insert(keys.end(), {"macs_bwd", "flops_bwd", "bwd_fwd_flops_ratio", "flops_step"});
  }
  cols.emplace_back("activations");
  keys.emplace_back("activation_bytes");
  if (training) {
    cols.emplace_back("saved for bwd");
    keys.emplace_back("saved_bytes");
  }
  cols.insert(cols.end(), {"traffic (no reuse)", "traffic (compulsory)", "OI no reuse [FLOP/B]",
                           "OI compulsory [FLOP/B]"});
  keys.insert(keys.end(), {"traffic_no_reuse_bytes", "traffic_compulsory_bytes",
                           "intensity_no_reuse", "intensity_compulsory"});
  Table t(cols, keys);
  for (const auto& r : results) {
    const ModelCost& c = r.cost;
    std::vector<Cell> row{model,
                          Cell(static_cast<double>(r.batch), std::to_string(r.batch)),
                          std::string(dtype_name(c.storage)),
                          std::string(cost_convention_name(c.options.convention)),
                          count(c.params),
                          count(c.buffers),
                          si(c.forward.macs, "MAC"),
                          si(c.forward.flops(), usym),
                          si(c.forward.matmul_flops, usym)};
    if (macs_apart) row.push_back(si(c.convention_macs, "MAC"));
    if (peer) row.push_back(count(c.convention_params));
    if (training) {
      const double ratio = c.forward.flops() > 0 ? c.backward.flops() / c.forward.flops() : 0;
      row.insert(row.end(), {si(c.backward.macs, "MAC"), si(c.backward.flops(), usym),
                             plain_number(ratio), si(c.step().flops(), usym)});
    }
    row.push_back(si(c.activation_bytes, "B"));
    if (training) row.push_back(si(c.saved_bytes, "B"));
    row.insert(row.end(),
               {si(c.step().bytes(), "B"), si(c.compulsory_step_bytes(), "B"),
                plain_number(c.intensity_no_reuse()), plain_number(c.intensity_compulsory())});
    t.add_row(std::move(row));
  }
  return t;
}

Table layers_table(const BatchCost& r, bool training) {
  std::vector<std::string> cols{"batch",     "node",   "op",        "output",         "MACs fwd",
                                "FLOPs fwd", "params", "bytes fwd", "OI fwd [FLOP/B]"};
  std::vector<std::string> keys{"batch",     "node",   "op",        "output_shape", "macs_fwd",
                                "flops_fwd", "params", "bytes_fwd", "intensity_fwd"};
  if (training) {
    cols.insert(cols.end(), {"FLOPs bwd", "bytes bwd", "grad-input"});
    keys.insert(keys.end(), {"flops_bwd", "bytes_bwd", "grad_input"});
  }
  Table t(cols, keys);
  for (const NodeCost& n : r.cost.nodes) {
    std::vector<Cell> row{Cell(static_cast<double>(r.batch), std::to_string(r.batch)),
                          n.name,
                          std::string(op_name(n.op)),
                          shape_str(n.output_shape),
                          si(n.forward.macs, "MAC"),
                          si(n.forward.flops(), "FLOP"),
                          count(n.params),
                          si(n.forward.bytes(), "B"),
                          plain_number(n.forward.intensity())};
    if (training) {
      row.insert(row.end(), {si(n.backward.flops(), "FLOP"), si(n.backward.bytes(), "B"),
                             text_cell(n.input_needs_grad ? "yes" : "no")});
    }
    t.add_row(std::move(row));
  }
  return t;
}

Cell percent(double part, double whole) {
  const double p = whole > 0 ? 100 * part / whole : 0;
  return Cell(p, fmt::format("{:.1f}%", p));
}

Table by_type_table(const BatchCost& r, bool training) {
  Table t(
      {"batch", "op", "nodes", "MACs", "FLOPs", "FLOPs share", "bytes", "bytes share", "params"},
      {"batch", "op", "nodes", "macs", "flops", "flops_percent", "bytes", "bytes_percent",
       "params"});
  const PassCost total = training ? r.cost.step() : r.cost.forward;
  for (const OpTypeCost& g : group_by_op(r.cost)) {
    const PassCost p = training ? g.forward + g.backward : g.forward;
    t.add_row({Cell(static_cast<double>(r.batch), std::to_string(r.batch)),
               std::string(op_name(g.op)), Cell(g.nodes, std::to_string(g.nodes)),
               si(p.macs, "MAC"), si(p.flops(), "FLOP"), percent(p.flops(), total.flops()),
               si(p.bytes(), "B"), percent(p.bytes(), total.bytes()), count(g.params)});
  }
  return t;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

RoofEstimate roof_estimate(double peak_flops, double bandwidth, double flops, double bytes) {
  RoofEstimate p;
  const double oi = bytes > 0 ? flops / bytes : 0;
  p.attainable_flops = attainable_flops(peak_flops, bandwidth, oi);
  const double t_compute = flops / peak_flops;
  const double t_memory = bytes / bandwidth;
  p.bound = t_memory > t_compute ? Bound::memory : Bound::compute;
  p.seconds = std::max(t_compute, t_memory);
  return p;
}

// `t` with a column inserted before column `at`.
Table table_with_column(const Table& t, std::size_t at, const std::string& column,
                        const std::string& key, const std::vector<Cell>& cells) {
  std::vector<std::string> cols = t.columns();
  std::vector<std::string> keys = t.keys();
  cols.insert(cols.begin() + static_cast<std::ptrdiff_t>(at), column);
  keys.insert(keys.begin() + static_cast<std::ptrdiff_t>(at), key);
  Table out(cols, keys);
  for (std::size_t r = 0; r < t.rows(); ++r) {
    std::vector<Cell> row = t.data()[r];
    row.insert(row.begin() + static_cast<std::ptrdiff_t>(at), cells.at(r));
    out.add_row(std::move(row));
  }
  return out;
}

Table concat_rows(const std::vector<Table>& tables) {
  if (tables.empty()) fail("concat_rows: no table given");
  Table m = tables.front();
  for (std::size_t i = 1; i < tables.size(); ++i) {
    for (const auto& row : tables[i].data()) m.add_row(row);
  }
  return m;
}

namespace {

// The totals with `unused params` after `params`: the parameters no node
// reads (e.g. inception_v3's auxiliary classifier in inference), which
// `params` includes.
Table with_unused_params(const Table& totals, const std::vector<BatchCost>& results) {
  const auto& keys = totals.keys();
  const auto it = std::find(keys.begin(), keys.end(), "params");
  const std::size_t at =
      it == keys.end() ? keys.size() : static_cast<std::size_t>(it - keys.begin()) + 1;
  std::vector<Cell> cells;
  for (const auto& r : results) cells.push_back(count(r.cost.unused_params));
  return table_with_column(totals, at, "unused params", "unused_params", cells);
}

}  // namespace

Table cost_totals_table(const std::string& model, const std::vector<BatchCost>& costs,
                        bool training) {
  if (costs.empty()) fail("cost_totals_table: no batch size for {}", model);
  return with_unused_params(totals_table(model, costs, training), costs);
}

Table cost_chips_table(const std::string& model, const std::vector<BatchCost>& results,
                       const std::vector<const Chip*>& chips, DType precision,
                       OutputFormat format) {
  Table t({"model", "batch", "chip", fmt::format("peak {}", dtype_name(precision)), "main BW",
           "ridge [FLOP/B]", "OI no reuse", "attainable", "bound", "min time", "OI compulsory",
           "attainable (compulsory)", "bound (compulsory)", "min time (compulsory)"},
          {"model", "batch", "chip", "peak_flops", "bandwidth_bytes_per_s", "ridge_flop_per_byte",
           "intensity_no_reuse", "attainable_flops_no_reuse", "bound_no_reuse",
           "min_time_s_no_reuse", "intensity_compulsory", "attainable_flops_compulsory",
           "bound_compulsory", "min_time_s_compulsory"});
  const std::string dash = format == OutputFormat::table ? "-" : "";
  for (const auto& r : results) {
    const ModelCost& c = r.cost;
    const double flops = c.step().flops();
    for (const Chip* chip : chips) {
      std::vector<Cell> row{model, Cell(static_cast<double>(r.batch), std::to_string(r.batch)),
                            chip->id};
      const std::optional<double> peak = chip->peak_flops(precision);
      double bandwidth = 0;
      for (const auto& m : chip->memory) {
        if (m.is_main) bandwidth = m.bandwidth.value;
      }
      std::string missing;
      if (!peak) missing = fmt::format("no {} peak", dtype_name(precision));
      if (!(bandwidth > 0)) {
        missing += missing.empty() ? "" : ", ";
        missing += "no main-memory bandwidth";
      }
      row.push_back(peak ? si(*peak, is_floating(precision) ? "FLOP/s" : "OP/s") : text_cell(dash));
      row.push_back(bandwidth > 0 ? si(bandwidth, "B/s") : text_cell(dash));
      if (!missing.empty()) {
        // Say so in every computed cell rather than print a wrong roof.
        row.push_back(text_cell(dash));
        for (int i = 0; i < 2; ++i) {
          row.push_back(plain_number(i == 0 ? c.intensity_no_reuse() : c.intensity_compulsory()));
          row.push_back(text_cell(missing));
          row.push_back(text_cell(dash));
          row.push_back(text_cell(dash));
        }
        t.add_row(std::move(row));
        continue;
      }
      row.push_back(plain_number(ridge_point(*peak, bandwidth)));
      const RoofEstimate a = roof_estimate(*peak, bandwidth, flops, c.step().bytes());
      const RoofEstimate b = roof_estimate(*peak, bandwidth, flops, c.compulsory_step_bytes());
      const std::string_view rate = is_floating(precision) ? "FLOP/s" : "OP/s";
      row.insert(row.end(), {plain_number(c.intensity_no_reuse()), si(a.attainable_flops, rate),
                             text_cell(std::string(bound_name(a.bound))), si(a.seconds, "s"),
                             plain_number(c.intensity_compulsory()), si(b.attainable_flops, rate),
                             text_cell(std::string(bound_name(b.bound))), si(b.seconds, "s")});
      t.add_row(std::move(row));
    }
  }
  return t;
}

Table cost_layers_table(const std::string& model, const BatchCost& cost, bool training) {
  const Table t = layers_table(cost, training);
  return table_with_column(t, 0, "model", "model", std::vector<Cell>(t.rows(), Cell(model)));
}

Table cost_by_type_table(const std::string& model, const BatchCost& cost, bool training) {
  const Table t = by_type_table(cost, training);
  return table_with_column(t, 0, "model", "model", std::vector<Cell>(t.rows(), Cell(model)));
}

// The name each model is shown by: the graph's (zoo name, .onnx file stem),
// or the argument as given when two arguments would show the same name.
std::vector<std::string> model_display_names(const std::vector<std::string>& sources) {
  std::vector<std::string> names;
  for (const auto& s : sources) {
    // Zoo names are case-insensitive; the zoo's graphs carry the lower-case one.
    names.push_back(ends_with(to_lower(s), ".onnx") ? std::filesystem::path(s).stem().string()
                                                    : to_lower(s));
  }
  std::vector<std::string> shown = names;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (std::count(names.begin(), names.end(), names[i]) > 1) shown[i] = sources[i];
  }
  return shown;
}

std::vector<std::string> ops_zeroed_by_convention(const ModelCost& cost,
                                                  const ModelCost& reference) {
  std::vector<std::string> zeroed;
  const auto theirs = group_by_op(cost);
  for (const OpTypeCost& g : group_by_op(reference)) {
    if (g.forward.flops() <= 0) continue;
    for (const OpTypeCost& t : theirs) {
      if (t.op == g.op && t.forward.flops() <= 0) {
        zeroed.push_back(fmt::format("{} ({} nodes)", op_name(g.op), g.nodes));
      }
    }
  }
  return zeroed;
}

}  // namespace dnnroof
