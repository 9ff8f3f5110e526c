// The tables of `dnnroof analyze` (analysis/analyze_table.h) on costs and
// chips made by hand: the roof arithmetic, the chip table's cells (and what a
// chip without a peak shows), the totals' columns per convention, and the
// helpers that make several models' tables one.
#include "analysis/analyze_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "support/files.h"
#include "support/study_fixtures.h"

namespace dnnroof {
namespace {

using test::error_of;

// The cell of `key` in row `row`.
const Cell& cell(const Table& t, std::size_t row, const std::string& key) {
  const auto& keys = t.keys();
  const auto it = std::find(keys.begin(), keys.end(), key);
  if (it == keys.end()) fail("no column {}", key);
  return t.data().at(row).at(static_cast<std::size_t>(it - keys.begin()));
}

double number(const Table& t, std::size_t row, const std::string& key) {
  const Cell& c = cell(t, row, key);
  if (!c.number) fail("column {} row {} has no number ('{}')", key, row, c.text);
  return *c.number;
}

// Each (column, number) of `expected` in row `row`.
void expect_numbers(const Table& t, std::size_t row,
                    std::initializer_list<std::pair<const char*, double>> expected) {
  for (const auto& [key, value] : expected) EXPECT_DOUBLE_EQ(number(t, row, key), value) << key;
}

// 1 TFLOP/s at fp32 and 100 GB/s main memory: ridge 10 FLOP/B.
Chip hand_chip(bool with_peak = true) {
  return test::chip_with(with_peak ? "hand" : "no-peak", "Hand chip", ChipKind::gpu,
                         with_peak ? 1e12 : 0, {test::memory_level("DRAM", 1e11, true)});
}

// 2 GFLOP forward (1 G MACs), 400 MB no-reuse traffic (intensity 5 FLOP/B),
// 50 MB compulsory (40 FLOP/B); 10 M parameters of which 1 M unused.
BatchCost hand_cost(std::int64_t batch = 1) {
  BatchCost b;
  b.batch = batch;
  ModelCost& c = b.cost;
  c.forward.macs = 1e9;
  c.forward.matmul_flops = 2e9;
  c.forward.bytes_read = 3e8;
  c.forward.bytes_written = 1e8;
  c.compulsory_forward_bytes = 5e7;
  c.params = 1e7;
  c.unused_params = 1e6;
  c.activation_bytes = 6e7;
  return b;
}

TEST(RoofEstimate, MemoryAndComputeBoundByHand) {
  // OI 2e9 / 4e8 = 5 < ridge 10: 1e11 x 5 = 5e11 FLOP/s, 4e8 / 1e11 = 4 ms.
  const RoofEstimate m = roof_estimate(1e12, 1e11, 2e9, 4e8);
  EXPECT_DOUBLE_EQ(m.attainable_flops, 5e11);
  EXPECT_EQ(m.bound, Bound::memory);
  EXPECT_DOUBLE_EQ(m.seconds, 4e-3);
  // OI 40 > 10: the peak; 2e9 / 1e12 = 2 ms beats 5e7 / 1e11 = 0.5 ms.
  const RoofEstimate c = roof_estimate(1e12, 1e11, 2e9, 5e7);
  EXPECT_DOUBLE_EQ(c.attainable_flops, 1e12);
  EXPECT_EQ(c.bound, Bound::compute);
  EXPECT_DOUBLE_EQ(c.seconds, 2e-3);
  // Exactly at the ridge the two times tie: compute (memory only when longer).
  EXPECT_EQ(roof_estimate(1e12, 1e11, 2e9, 2e8).bound, Bound::compute);
  // No bytes: intensity 0, nothing attainable from memory, the FLOPs' time.
  const RoofEstimate z = roof_estimate(1e12, 1e11, 2e9, 0);
  EXPECT_DOUBLE_EQ(z.attainable_flops, 0);
  EXPECT_DOUBLE_EQ(z.seconds, 2e-3);
}

TEST(CostChipsTable, RoofCellsByHand) {
  const Chip chip = hand_chip();
  const Table t =
      cost_chips_table("m", {hand_cost(1), hand_cost(4)}, {&chip}, DType::fp32, OutputFormat::json);
  ASSERT_EQ(t.rows(), 2u);
  EXPECT_EQ(cell(t, 0, "chip").text, "hand");
  EXPECT_DOUBLE_EQ(number(t, 1, "batch"), 4);
  expect_numbers(t, 0,
                 {{"peak_flops", 1e12},
                  {"bandwidth_bytes_per_s", 1e11},
                  {"ridge_flop_per_byte", 10},
                  {"intensity_no_reuse", 5},
                  {"attainable_flops_no_reuse", 5e11},
                  {"min_time_s_no_reuse", 4e-3},
                  {"intensity_compulsory", 40},
                  {"attainable_flops_compulsory", 1e12},
                  {"min_time_s_compulsory", 2e-3}});
  EXPECT_EQ(cell(t, 0, "bound_no_reuse").text, "memory");
  EXPECT_EQ(cell(t, 0, "bound_compulsory").text, "compute");
}

TEST(CostChipsTable, AChipWithoutThePeakSaysSoInEveryComputedCell) {
  const Chip chip = hand_chip(false);
  for (const OutputFormat f : {OutputFormat::table, OutputFormat::csv}) {
    const Table t = cost_chips_table("m", {hand_cost()}, {&chip}, DType::fp32, f);
    const std::string dash = f == OutputFormat::table ? "-" : "";
    EXPECT_EQ(cell(t, 0, "peak_flops").text, dash);
    EXPECT_DOUBLE_EQ(number(t, 0, "bandwidth_bytes_per_s"), 1e11);
    EXPECT_EQ(cell(t, 0, "ridge_flop_per_byte").text, dash);
    EXPECT_DOUBLE_EQ(number(t, 0, "intensity_no_reuse"), 5);  // the model's, still known
    EXPECT_EQ(cell(t, 0, "attainable_flops_no_reuse").text, "no fp32 peak");
    EXPECT_EQ(cell(t, 0, "attainable_flops_compulsory").text, "no fp32 peak");
    EXPECT_EQ(cell(t, 0, "min_time_s_compulsory").text, dash);
  }
}

TEST(CostTotalsTable, ColumnsAndUnusedParams) {
  const Table t = cost_totals_table("m", {hand_cost()}, false);
  ASSERT_EQ(t.rows(), 1u);
  const auto& keys = t.keys();
  // `unused params` right after `params`; no training or peer columns.
  const auto p = std::find(keys.begin(), keys.end(), "params");
  ASSERT_NE(p, keys.end());
  EXPECT_EQ(*(p + 1), "unused_params");
  EXPECT_EQ(std::count(keys.begin(), keys.end(), "flops_bwd"), 0);
  EXPECT_EQ(std::count(keys.begin(), keys.end(), "convention_params"), 0);
  expect_numbers(t, 0,
                 {{"params", 1e7},
                  {"unused_params", 1e6},
                  {"macs_fwd", 1e9},
                  {"flops_fwd", 2e9},
                  {"traffic_no_reuse_bytes", 4e8},
                  {"traffic_compulsory_bytes", 5e7}});
  // The FLOP columns are labelled by the convention: dnnroof's FLOPs.
  const auto f_at = std::find(keys.begin(), keys.end(), "flops_fwd") - keys.begin();
  EXPECT_EQ(t.columns().at(static_cast<std::size_t>(f_at)), "FLOPs fwd");
  // fvcore counts MACs and calls them flops: the columns say so, and its
  // parameter count is a column of its own.
  BatchCost peer = hand_cost();
  peer.cost.options.convention = CostConvention::fvcore;
  const Table f = cost_totals_table("m", {peer}, true);
  const auto p_at = std::find(f.keys().begin(), f.keys().end(), "flops_fwd") - f.keys().begin();
  EXPECT_EQ(f.columns().at(static_cast<std::size_t>(p_at)).find("FLOPs"), std::string::npos);
  EXPECT_EQ(std::count(f.keys().begin(), f.keys().end(), "convention_params"), 1);
  EXPECT_EQ(std::count(f.keys().begin(), f.keys().end(), "flops_bwd"), 1);
  EXPECT_NE(error_of([] { cost_totals_table("m", {}, false); }).find("m"), std::string::npos);
}

TEST(TableHelpers, ColumnInsertedAndRowsConcatenated) {
  Table a({"x", "y"}, {"x", "y"});
  a.add_row({"1", "2"});
  Table b({"x", "y"}, {"x", "y"});
  b.add_row({"3", "4"});
  b.add_row({"5", "6"});
  const Table all = concat_rows({a, b});
  ASSERT_EQ(all.rows(), 3u);
  EXPECT_EQ(all.data()[2][1].text, "6");
  const Table w = table_with_column(all, 1, "Model", "model", {"p", "q", "r"});
  EXPECT_EQ(w.columns(), (std::vector<std::string>{"x", "Model", "y"}));
  EXPECT_EQ(w.keys()[1], "model");
  EXPECT_EQ(w.data()[1][0].text, "3");
  EXPECT_EQ(w.data()[1][1].text, "q");
  EXPECT_EQ(w.data()[1][2].text, "4");
  EXPECT_NE(error_of([] { concat_rows({}); }), "");
}

TEST(ModelDisplayNames, ZooLowerCaseFileStemAndArgumentsWhereTheyClash) {
  EXPECT_EQ(model_display_names({"ResNet18", "models/net.ONNX"}),
            (std::vector<std::string>{"resnet18", "net"}));
  EXPECT_EQ(model_display_names({"a/net.onnx", "b/net.onnx", "alexnet"}),
            (std::vector<std::string>{"a/net.onnx", "b/net.onnx", "alexnet"}));
}

}  // namespace
}  // namespace dnnroof
