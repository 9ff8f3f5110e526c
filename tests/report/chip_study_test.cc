#include "report/chip_study.h"

#include <gtest/gtest.h>

#include <variant>

#include "fixture.h"

namespace dnnroof {
namespace {

using testing::fixture_chips;
using testing::simple_chip;

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// The fixture catalog plus a host of 0.5 TFLOP/s fp32 whose bandwidth is unknown.
class ChipStudyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host_ = simple_chip("host", ChipKind::cpu, DType::fp32, 0.5e12, 0);
    host_.name = "Test host";
    host_.peak[DType::fp32].derivation = "1 socket x 2 cores x 2.5 GHz x 100 FLOP/cycle";
    chips_ = fixture_chips();
    chips_.push_back(&host_);
    info_.cpu_model = "Test CPU";
    info_.physical_cores = 2;
    info_.logical_cpus = 4;
    info_.virtualized = true;
    info_.clock_note = "nominal clock from the model name";
  }
  Chip host_;
  std::vector<const Chip*> chips_;
  HostInfo info_;
};

TEST_F(ChipStudyTest, RidgeStatsByHand) {
  // fp32 ridges: A 19.5e12/2039e9 = 9.5635, B 8.1e12/320e9 = 25.3125,
  // CPU 1e12/100e9 = 10; the ASIC has no fp32, the host no bandwidth.
  const auto s = ridge_stats(chips_, DType::fp32);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->count, 3u);
  EXPECT_NEAR(s->min, 9.5635, 1e-4);
  EXPECT_EQ(s->min_chip->id, "fx-gpu-a");
  EXPECT_DOUBLE_EQ(s->max, 25.3125);
  EXPECT_EQ(s->max_chip->id, "fx-gpu-b");
  EXPECT_NEAR(s->median, 10.0, 1e-9);
  EXPECT_FALSE(ridge_stats(chips_, DType::fp64).has_value());
}

TEST_F(ChipStudyTest, CommentaryIsComputedFromTheNumbers) {
  const std::vector<std::string> c = chip_commentary(chips_, {});
  const std::string all = test::joined(c);
  // Extremes: 25.3125 / 9.5635 = 2.65.
  EXPECT_TRUE(test::has_all(
      all, {"At fp32, 3 of the 5 chips",
            "from 9.56 FLOP/B (Fixture GPU A) to 25.3 FLOP/B (Fixture GPU B), a factor of 2.6x, "
            "with a median of 10 FLOP/B",
            // ReLU at fp32: 1 FLOP / 8 B = 0.125 FLOP/B; 0.125 / 25.3125 = 0.49%,
            // 0.125 / 9.5635 = 1.3%.
            "at most 0.49% of the fp32 peak", "Fixture GPU A at most 1.3%",
            // Bandwidth: 100 GB/s (CPU) to 2039 GB/s (A): 20x.
            "spans 100 GB/s (Fixture CPU) to 2.04 TB/s (Fixture GPU A), 20x"}));
  // Tensor: A 312/19.5 = 16x, B 65/8.1 = 8.0x, median 12x; ridges median
  // (153.0 + 203.1) / 2 = 178 against (9.56 + 25.3) / 2 = 17.4.
  EXPECT_TRUE(contains(all,
                       "On the 2 accelerators with both figures, the fp16/bf16 ridge point "
                       "(tensor units) is a median 12x the fp32 one (178 FLOP/B against "
                       "17.4 FLOP/B; from 8.0x to 16x)"))
      << all;
  // Host: 0.5 TFLOP/s; fastest accelerator A at 19.5 TFLOP/s = 39x; median
  // of A and B (19.5 + 8.1) / 2 = 13.8 TFLOP/s = 28x.
  EXPECT_TRUE(test::has_all(all, {"The host peaks at 500 GFLOP/s at fp32 (1 socket x 2 cores",
                                  "Fixture GPU A, has 19.5 TFLOP/s of compute, 39x the host's",
                                  "the median of the 2 accelerators (13.8 TFLOP/s) is 28x",
                                  "main-memory bandwidth is not known"}));
}

// Counter-example: once `dnnroof probe` has measured the host (chip
// host-measured, 20 GB/s here), neither the commentary nor the caveats may
// call its bandwidth unknown; they name the measured figure instead.
TEST_F(ChipStudyTest, MeasuredHostBandwidthIsNeverCalledUnknown) {
  Chip measured = simple_chip("host-measured", ChipKind::cpu, DType::fp32, 0.4e12, 20e9);
  std::vector<const Chip*> with_probe = chips_;
  with_probe.push_back(&measured);
  const std::string all = test::joined(chip_commentary(with_probe, {}));
  EXPECT_FALSE(contains(all, "not known")) << all;
  // Ridge against the derived peak: 0.5e12 / 20e9 = 25 FLOP/B.
  EXPECT_TRUE(contains(all,
                       "`dnnroof probe` measured 20 GB/s (chip host-measured), ridge point "
                       "25 FLOP/B"))
      << all;
  const ChipStudy study = build_chip_study(with_probe, &info_);
  std::string bullets;
  for (const Block& b : study.section.blocks) {
    if (const auto* l = std::get_if<BulletList>(&b)) {
      for (const std::string& item : l->items) bullets += item + "\n";
    }
  }
  EXPECT_FALSE(contains(bullets, "unknown")) << bullets;
  EXPECT_TRUE(contains(bullets, "`dnnroof probe` measured 20 GB/s")) << bullets;
  // Without the probe the caveat says it is unknown and how to measure it.
  const ChipStudy bare = build_chip_study(chips_, &info_);
  std::string bare_bullets;
  for (const Block& b : bare.section.blocks) {
    if (const auto* l = std::get_if<BulletList>(&b)) {
      for (const std::string& item : l->items) bare_bullets += item + "\n";
    }
  }
  EXPECT_TRUE(contains(bare_bullets, "is unknown (run `dnnroof probe` to measure it)"))
      << bare_bullets;
}

TEST_F(ChipStudyTest, CommentaryChangesWithTheData) {
  // Without GPU B the extremes are A and the CPU: 10 / 9.5635 = 1.0x.
  std::vector<const Chip*> fewer;
  for (const Chip* c : chips_) {
    if (c->id != "fx-gpu-b") fewer.push_back(c);
  }
  const std::string all = test::joined(chip_commentary(fewer, {}));
  EXPECT_TRUE(contains(all, "from 9.56 FLOP/B (Fixture GPU A) to 10 FLOP/B (Fixture CPU)")) << all;
  EXPECT_FALSE(contains(all, "Fixture GPU B"));
}

TEST_F(ChipStudyTest, SectionHasTablesFiguresHostCommentaryMethodsAndCaveats) {
  const ChipStudy study = build_chip_study(chips_, &info_);
  EXPECT_EQ(study.section.title, "1. The chips");
  std::vector<std::string> headings, figures, paragraphs, bullets;
  std::size_t tables = 0;
  for (const Block& b : study.section.blocks) {
    if (const auto* h = std::get_if<Heading>(&b)) headings.push_back(h->text);
    if (const auto* f = std::get_if<FigureBlock>(&b)) figures.push_back(f->id);
    if (const auto* p = std::get_if<Paragraph>(&b)) paragraphs.push_back(p->text);
    if (const auto* l = std::get_if<BulletList>(&b)) {
      for (const auto& i : l->items) bullets.push_back(i);
    }
    if (std::holds_alternative<TableBlock>(b)) ++tables;
  }
  EXPECT_EQ(headings, (std::vector<std::string>{
                          "1.1 Catalog", "1.2 Rooflines at fp32",
                          "1.3 Rooflines at fp16/bf16 (tensor units)", "1.4 This machine (host)",
                          "1.5 What the numbers say", "1.6 Methods", "1.7 Caveats"}));
  // fp32: CPU (fx-cpu; the host has no bandwidth) and GPU; the ASIC has no
  // fp32. Tensor: GPU and ASIC, not CPUs.
  EXPECT_EQ(figures, (std::vector<std::string>{"chips-cpu-fp32", "chips-gpu-fp32", "chips-gpu-fp16",
                                               "chips-asic-fp16"}));
  EXPECT_EQ(tables, 4u);  // memory and ridges, peaks, host facts, sources
  bool no_asic = false;
  for (const auto& p : paragraphs) no_asic = no_asic || contains(p, "No ASIC roofline at fp32");
  EXPECT_TRUE(no_asic);
  bool hypervisor = false, host_left_out = false;
  for (const auto& b : bullets) {
    hypervisor = hypervisor || contains(b, "hypervisor");
    host_left_out = host_left_out || contains(b, "host left out of the CPU fp32 roofline");
  }
  EXPECT_TRUE(hypervisor);
  EXPECT_TRUE(host_left_out);
  ASSERT_EQ(study.notes.size(), 2u);
  EXPECT_EQ(study.notes[0], "host left out of the CPU fp32 roofline: DRAM bandwidth unknown");
  EXPECT_EQ(study.notes[1],
            "fx-asic left out of the ASIC fp32 roofline: no fp32 peak in the catalog");
}

TEST_F(ChipStudyTest, GpuFigureHoldsBothGpusWithTheirRidges) {
  const ChipStudy study = build_chip_study(chips_, &info_);
  const FigureBlock* gpu = nullptr;
  for (const Block& b : study.section.blocks) {
    if (const auto* f = std::get_if<FigureBlock>(&b); f && f->id == "chips-gpu-fp32") gpu = f;
  }
  ASSERT_NE(gpu, nullptr);
  ASSERT_EQ(gpu->panels.size(), 1u);
  ASSERT_EQ(gpu->panels[0].ceilings.size(), 2u);
  EXPECT_NEAR(gpu->panels[0].ceilings[0].ridge_intensity, 9.5635, 1e-4);
  EXPECT_DOUBLE_EQ(gpu->panels[0].ceilings[1].ridge_intensity, 25.3125);
}

TEST_F(ChipStudyTest, NoTensorPrecisionsMeansNoTensorFiguresOrColumn) {
  ChipStudyOptions options;
  options.tensor_precisions.clear();
  const ChipStudy study = build_chip_study(chips_, nullptr, options);
  std::vector<std::string> headings;
  for (const Block& b : study.section.blocks) {
    if (const auto* h = std::get_if<Heading>(&b)) headings.push_back(h->text);
    if (const auto* f = std::get_if<FigureBlock>(&b)) {
      EXPECT_EQ(f->id.find("fp16"), std::string::npos);
    }
  }
  EXPECT_EQ(headings,
            (std::vector<std::string>{"1.1 Catalog", "1.2 Rooflines at fp32",
                                      "1.3 What the numbers say", "1.4 Methods", "1.5 Caveats"}));
  EXPECT_FALSE(contains(study.data[0].table.to_csv(), "ridge_tensor"));
}

TEST_F(ChipStudyTest, DataFileHasEveryChipWithRawNumbers) {
  const ChipStudy study = build_chip_study(chips_, &info_);
  ASSERT_GE(study.data.size(), 1u);
  EXPECT_EQ(study.data[0].stem, "chips");
  const std::string csv = study.data[0].table.to_csv();
  EXPECT_TRUE(contains(csv, "ridge_fp32_flop_per_byte")) << csv;
  EXPECT_TRUE(contains(csv, "main_bandwidth_bytes_per_s"));
  EXPECT_TRUE(contains(csv, "peak_int8_ops"));
  // fx-gpu-b: 8.1e12 FLOP/s, 320e9 B/s, ridges 25.3125 and 203.125.
  EXPECT_TRUE(
      contains(csv, "fx-gpu-b,Fixture GPU B,gpu,2018,Fixture,,8100000000000,,65000000000000,"))
      << csv;
  EXPECT_TRUE(contains(csv, "320000000000,,25.3125,203.125,fp16,https://example.com/gpu-b.pdf"))
      << csv;
  EXPECT_EQ(study.data[0].table.rows(), 5u);
  ASSERT_EQ(study.data.size(), 3u);
  EXPECT_EQ(study.data[2].stem, "host");
  EXPECT_TRUE(contains(study.data[2].table.to_csv(), "Peak fp32,500000000000\n"))
      << study.data[2].table.to_csv();
}

}  // namespace
}  // namespace dnnroof
