// Loading catalog files: values, units, provenance, derived CPU figures,
// overriding and look-up.

#include "hw/catalog.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace dnnroof {
namespace {

const std::string kData = std::string(DNNROOF_SOURCE_DIR) + "/tests/hw/data/";

Catalog fixture() {
  Catalog c;
  c.load_file(kData + "chips.toml");
  return c;
}

TEST(Catalog, LoadsChipsInFileOrder) {
  const Catalog c = fixture();
  ASSERT_EQ(c.chips().size(), 4u);
  EXPECT_EQ(c.ids(), (std::vector<std::string>{"a100-fixture", "t4-fixture", "xeon-fixture",
                                               "published-cpu-fixture"}));
  EXPECT_EQ(c.of_kind(ChipKind::gpu).size(), 2u);
  EXPECT_EQ(c.of_kind(ChipKind::cpu).size(), 2u);
  EXPECT_TRUE(c.of_kind(ChipKind::asic).empty());
  const Chip& a100 = c.get("a100-fixture");
  EXPECT_EQ(a100.name, "A100 SXM4 80GB (fixture)");
  EXPECT_EQ(a100.vendor, "NVIDIA");
  EXPECT_EQ(a100.year, 2020);
  EXPECT_EQ(a100.origin, kData + "chips.toml");
}

TEST(Catalog, QuantitiesInBaseUnits) {
  const Catalog c = fixture();
  const Chip& a100 = c.get("a100-fixture");
  EXPECT_DOUBLE_EQ(*a100.peak_flops(DType::fp32), 19.5e12);
  EXPECT_DOUBLE_EQ(*a100.peak_flops(DType::int8), 624e12);  // "624 TOP/s"
  EXPECT_DOUBLE_EQ(a100.main_memory().bandwidth.value, 2039e9);
  EXPECT_DOUBLE_EQ(a100.main_memory().capacity.value, 80e9);            // "80 GB"
  EXPECT_DOUBLE_EQ(a100.find_level("L2")->capacity.value, 41943040.0);  // 40 x 1024 x 1024
  EXPECT_FALSE(a100.memory[0].is_main);
  EXPECT_EQ(a100.memory[0].name, "L2");  // fastest first, as written
  // A bare number is in base units: fp32 = 8.1e12.
  EXPECT_DOUBLE_EQ(*c.get("t4-fixture").peak_flops(DType::fp32), 8.1e12);
}

TEST(Catalog, RidgePointsOfFixtureChips) {
  const Catalog c = fixture();
  // 19.5e12 / 2039e9 = 9.5635...
  EXPECT_NEAR(ridge_point(c.get("a100-fixture"), DType::fp32), 9.5635, 1e-4);
  // 312e12 / 2039e9 = 153.016...
  EXPECT_NEAR(ridge_point(c.get("a100-fixture"), DType::fp16), 153.016, 1e-3);
  // 65e12 / 320e9 = 203.125
  EXPECT_DOUBLE_EQ(ridge_point(c.get("t4-fixture"), DType::fp16), 203.125);
  // T4 at 10 FLOP/B: 10 x 320e9 = 3.2e12 < 65e12.
  EXPECT_DOUBLE_EQ(attainable_flops(c.get("t4-fixture"), DType::fp16, 10.0), 3.2e12);
}

TEST(Catalog, EveryFigureCarriesItsProvenance) {
  const Catalog c = fixture();
  const Chip& a100 = c.get("a100-fixture");
  EXPECT_EQ(a100.source, "https://example.com/a100-datasheet.pdf");
  // A plain string takes the chip's source; a table overrides it.
  EXPECT_EQ(a100.peak.at(DType::fp32).source, "https://example.com/a100-datasheet.pdf");
  EXPECT_EQ(a100.peak.at(DType::fp16).source, "https://example.com/a100-whitepaper.pdf");
  // A table with a derivation and no source stores the derivation only.
  EXPECT_EQ(a100.find_level("L2")->bandwidth.derivation, "5120 B/clk x 1 GHz (fixture)");
  EXPECT_TRUE(a100.find_level("L2")->bandwidth.source.empty());
  EXPECT_EQ(a100.find_level("L2")->capacity.source, "https://example.com/a100-datasheet.pdf");
  // A memory level's own source applies to its figures.
  EXPECT_EQ(c.get("t4-fixture").main_memory().bandwidth.source,
            "https://example.com/t4-memory.pdf");
}

TEST(Catalog, CpuFiguresDerivedFromTheMicroarchitecture) {
  const Catalog c = fixture();
  const Chip& xeon = c.get("xeon-fixture");
  ASSERT_TRUE(xeon.cpu.has_value());
  EXPECT_EQ(xeon.cpu->sockets, 2);
  EXPECT_EQ(xeon.cpu->cores_per_socket, 40);
  EXPECT_EQ(xeon.cpu->threads_per_core, 2);
  EXPECT_DOUBLE_EQ(xeon.cpu->base_clock_hz, 2.3e9);
  EXPECT_EQ(xeon.cpu->simd_bits, 512);
  EXPECT_EQ(xeon.cpu->isa, (std::vector<std::string>{"sse4.2", "avx2", "avx512f"}));
  // 2 sockets x 40 cores x 3.0e9 x 32 = 7.68e12 fp64; x 64 = 15.36e12 fp32.
  EXPECT_DOUBLE_EQ(*xeon.peak_flops(DType::fp64), 7.68e12);
  EXPECT_DOUBLE_EQ(*xeon.peak_flops(DType::fp32), 15.36e12);
  EXPECT_EQ(xeon.peak.at(DType::fp64).derivation,
            "2 sockets x 40 cores x 3.0 GHz x 32 FLOP/cycle = 7.68 TFLOP/s");
  EXPECT_EQ(xeon.peak.at(DType::fp64).source, "https://example.com/xeon-clocks.html");
  // 2 x 8 x 3200e6 x 8 = 409.6e9 B/s
  EXPECT_DOUBLE_EQ(xeon.main_memory().bandwidth.value, 409.6e9);
  EXPECT_EQ(xeon.main_memory().bandwidth.derivation,
            "2 sockets x 8 channels x 3200 MT/s x 8 B = 409.6 GB/s");
  // 15.36e12 / 409.6e9 = 37.5
  EXPECT_DOUBLE_EQ(ridge_point(xeon, DType::fp32), 37.5);
}

TEST(Catalog, PublishedCpuPeakOverridesTheDerivedOne) {
  const Catalog c = fixture();
  const Chip& cpu = c.get("published-cpu-fixture");
  // Derived would be 1 x 10 x 2e9 x 32 = 640e9; the file publishes 1e12.
  EXPECT_DOUBLE_EQ(*cpu.peak_flops(DType::fp32), 1e12);
  EXPECT_TRUE(cpu.peak.at(DType::fp32).derivation.empty());
  EXPECT_EQ(cpu.peak.at(DType::fp32).source, "https://example.com/cpu.html");
  // fp64 is not published: 1 x 10 x 2e9 x 16 = 320e9.
  EXPECT_DOUBLE_EQ(*cpu.peak_flops(DType::fp64), 320e9);
  // The given bandwidth wins over 1 x 4 x 2400e6 x 8 = 76.8e9.
  EXPECT_DOUBLE_EQ(cpu.main_memory().bandwidth.value, 100e9);
}

TEST(Catalog, LaterDefinitionReplacesEarlierOne) {
  Catalog c = fixture();
  c.load_text(R"([[chip]]
id = "t4-fixture"
name = "T4 measured"
kind = "gpu"
source = "my lab"
[chip.peak]
fp32 = "6 TFLOP/s"
[[chip.memory]]
name = "GDDR6"
main = true
bandwidth = "250 GB/s"
)",
              "override.toml");
  ASSERT_EQ(c.chips().size(), 4u);
  EXPECT_EQ(c.chips()[1].id, "t4-fixture");  // keeps its place
  EXPECT_EQ(c.get("t4-fixture").name, "T4 measured");
  // 6e12 / 250e9 = 24
  EXPECT_DOUBLE_EQ(ridge_point(c.get("t4-fixture"), DType::fp32), 24.0);
  EXPECT_FALSE(c.get("t4-fixture").peak_flops(DType::fp16).has_value());
}

TEST(Catalog, EmptyDocumentHasNoChips) {
  Catalog c;
  c.load_text("# nothing yet\n", "empty.toml");
  EXPECT_TRUE(c.chips().empty());
}

TEST(Catalog, UnknownIdSuggestsTheClosest) {
  const Catalog c = fixture();
  try {
    c.get("a100-fixtur");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("unknown chip 'a100-fixtur'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("closest: a100-fixture"), std::string::npos) << msg;
  }
  EXPECT_EQ(c.find("nonsense"), nullptr);
  EXPECT_NE(c.find("T4-FIXTURE"), nullptr);  // ids are lower case; typed in any case
}

TEST(Catalog, PutAddsOrReplaces) {
  Catalog c = fixture();
  Chip chip;
  chip.id = "host-measured";
  c.put(chip);
  EXPECT_EQ(c.chips().size(), 5u);
  chip.name = "again";
  c.put(chip);
  EXPECT_EQ(c.chips().size(), 5u);
  EXPECT_EQ(c.get("host-measured").name, "again");
}

TEST(Catalog, MissingFileIsAnError) {
  Catalog c;
  try {
    c.load_file(kData + "does-not-exist.toml");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does-not-exist.toml"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dnnroof
