// The built-in catalog (data/chips/*.toml compiled in): complete, every figure
// justified, and a few published datasheet values spot-checked.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "hw/catalog.h"

namespace dnnroof {
namespace {

bool have_data_files() {
  std::error_code ec;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(DNNROOF_SOURCE_DIR) + "/data/chips", ec)) {
    if (e.path().extension() == ".toml") return true;
  }
  return false;
}

#define SKIP_WITHOUT_DATA() \
  if (!have_data_files()) GTEST_SKIP() << "data/chips/ has no .toml files yet"

// Relative comparison for published figures ("19.5 TFLOP/s" parsed vs 19.5e12).
void expect_figure(double actual, double published) {
  EXPECT_NEAR(actual, published, published * 1e-9);
}

TEST(BuiltinCatalog, HasEveryRequiredChip) {
  SKIP_WITHOUT_DATA();
  const Catalog c = Catalog::builtin();
  EXPECT_GE(c.chips().size(), 35u);
  for (const char* id : {"t4",
                         "p100-pcie",
                         "v100-pcie",
                         "v100-sxm2",
                         "a100-pcie-40gb",
                         "a100-pcie-80gb",
                         "a100-sxm4-40gb",
                         "a100-sxm4-80gb",
                         "h100-pcie",
                         "h100-sxm",
                         "h200-sxm",
                         "l4",
                         "rtx-4090",
                         "b200",
                         "mi250x",
                         "mi300x",
                         "gaudi2",
                         "gaudi3",
                         "tpu-v3",
                         "tpu-v4",
                         "tpu-v5e",
                         "wormhole-n300s",
                         "xeon-platinum-8380",
                         "xeon-gold-6448y",
                         "xeon-e5-2699-v4",
                         "xeon-e5-2697-v2",
                         "xeon-phi-7120a",
                         "epyc-7763",
                         "epyc-9654",
                         "apple-a14",
                         "apple-m1",
                         "apple-m2",
                         "apple-m3",
                         "jetson-orin-nx",
                         "colab-cpu",
                         "colab-t4"}) {
    EXPECT_NE(c.find(id), nullptr) << "missing chip " << id;
  }
}

TEST(BuiltinCatalog, EveryFigureHasASourceOrDerivation) {
  SKIP_WITHOUT_DATA();
  const Catalog catalog = Catalog::builtin();
  for (const Chip& chip : catalog.chips()) {
    EXPECT_FALSE(chip.peak.empty()) << chip.id;
    EXPECT_GT(chip.main_memory().bandwidth.value, 0) << chip.id;
    for (const auto& [p, f] : chip.peak) {
      EXPECT_GT(f.value, 0) << chip.id << " " << dtype_name(p);
      EXPECT_FALSE(f.source.empty() && f.derivation.empty())
          << chip.id << " peak " << dtype_name(p);
    }
    for (const auto& m : chip.memory) {
      for (const Figure* f : {&m.bandwidth, &m.capacity}) {
        if (f->value > 0) {
          EXPECT_FALSE(f->source.empty() && f->derivation.empty()) << chip.id << " " << m.name;
        }
      }
    }
    if (chip.kind == ChipKind::cpu) {
      ASSERT_TRUE(chip.cpu.has_value()) << chip.id;
    }
  }
}

TEST(BuiltinCatalog, FilesLoadInKindOrder) {
  SKIP_WITHOUT_DATA();
  const std::vector<std::string> order = {"data/chips/gpu.toml", "data/chips/cpu.toml",
                                          "data/chips/asic.toml", "data/chips/soc.toml"};
  std::size_t rank = 0;
  const Catalog catalog = Catalog::builtin();
  for (const Chip& chip : catalog.chips()) {
    auto it = std::find(order.begin(), order.end(), chip.origin);
    const std::size_t r = static_cast<std::size_t>(it - order.begin());
    EXPECT_GE(r, rank) << chip.id << " from " << chip.origin << " comes too late";
    rank = std::max(rank, r);
  }
}

TEST(BuiltinCatalog, PublishedDatasheetValues) {
  SKIP_WITHOUT_DATA();
  const Catalog c = Catalog::builtin();
  // NVIDIA A100 datasheet: SXM4 80GB fp32 19.5 TFLOP/s, HBM2e 2039 GB/s.
  const Chip& a100 = c.get("a100-sxm4-80gb");
  expect_figure(*a100.peak_flops(DType::fp32), 19.5e12);
  expect_figure(a100.main_memory().bandwidth.value, 2039e9);
  // 19.5e12 / 2039e9 = 9.5635 FLOP/B
  EXPECT_NEAR(ridge_point(a100, DType::fp32), 9.5635, 1e-4);
  // NVIDIA T4 datasheet: mixed-precision fp16 65 TFLOP/s, 320 GB/s.
  const Chip& t4 = c.get("t4");
  expect_figure(*t4.peak_flops(DType::fp16), 65e12);
  expect_figure(t4.main_memory().bandwidth.value, 320e9);
  // 65e12 / 320e9 = 203.125 FLOP/B
  EXPECT_NEAR(ridge_point(t4, DType::fp16), 203.125, 1e-9);
  // NVIDIA H100 whitepaper: H100 SXM5 bf16 dense 989.4 TFLOP/s.
  expect_figure(*c.get("h100-sxm").peak_flops(DType::bf16), 989.4e12);
}

TEST(BuiltinCatalog, LoadCatalogAddsUserFilesAndTheHost) {
  SKIP_WITHOUT_DATA();
  const std::size_t builtin = Catalog::builtin().chips().size();
  const Catalog c =
      load_catalog({std::string(DNNROOF_SOURCE_DIR) + "/tests/hw/data/override_t4.toml"});
  // The host, and what `dnnroof probe` saved if it ran on this machine.
  EXPECT_EQ(c.chips().size(), builtin + 1 + (c.find("host-measured") != nullptr ? 1 : 0));
  EXPECT_EQ(c.chips().back().id, "host");
  // The user's t4 replaces the built-in one: 7e12 / 250e9 = 28 FLOP/B.
  EXPECT_DOUBLE_EQ(ridge_point(c.get("t4"), DType::fp32), 28.0);
  EXPECT_EQ(c.get("t4").name, "T4 as measured (fixture)");
}

TEST(LoadCatalog, AlwaysHasTheHost) {
  const Catalog c = load_catalog({});
  ASSERT_NE(c.find("host"), nullptr);
  EXPECT_EQ(c.get("host").kind, ChipKind::cpu);
}

}  // namespace
}  // namespace dnnroof
