// Parsing Nsight Compute CSV: both pages, ncu's noise, units, errors. The
// expected numbers are the fixture's values (tests/ncu/data) converted and
// summed by hand here.

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "ncu/ncu.h"
#include "support/files.h"

namespace dnnroof {
namespace {

const std::string kData = std::string(DNNROOF_SOURCE_DIR) + "/tests/ncu/data/";

using test::error_of;

TEST(NcuNumber, ThousandsSeparatorsAndMissing) {
  EXPECT_DOUBLE_EQ(*parse_ncu_number("118,013,952"), 118013952.0);
  EXPECT_DOUBLE_EQ(*parse_ncu_number(" 1,210.50 "), 1210.5);
  EXPECT_DOUBLE_EQ(*parse_ncu_number("0.03172"), 0.03172);
  EXPECT_FALSE(parse_ncu_number("n/a").has_value());
  EXPECT_FALSE(parse_ncu_number("").has_value());
  EXPECT_NE(error_of([] { parse_ncu_number("12.3.4"); }).find("'12.3.4' is not a number"),
            std::string::npos);
}

TEST(NcuUnits, TimeAndBytesToBaseUnits) {
  EXPECT_DOUBLE_EQ(ncu_to_base("4,896", "nsecond").value, 4896e-9);
  EXPECT_DOUBLE_EQ(ncu_to_base("3.52", "usecond").value, 3.52e-6);
  EXPECT_DOUBLE_EQ(ncu_to_base("0.03172", "msecond").value, 0.03172e-3);
  EXPECT_EQ(ncu_to_base("1", "msecond").unit, "second");
  EXPECT_DOUBLE_EQ(ncu_to_base("1,204,224", "byte").value, 1204224.0);
  EXPECT_DOUBLE_EQ(ncu_to_base("102.40", "Kbyte").value, 102400.0);  // decimal K
  EXPECT_DOUBLE_EQ(ncu_to_base("2.58", "Mbyte").value, 2580000.0);
  EXPECT_DOUBLE_EQ(ncu_to_base("0.0121", "Gbyte").value, 12100000.0);
  EXPECT_DOUBLE_EQ(ncu_to_base("2", "Kibyte").value, 2048.0);
  EXPECT_DOUBLE_EQ(ncu_to_base("1.5", "Minst").value, 1500000.0);
  EXPECT_EQ(ncu_to_base("1.5", "Minst").unit, "inst");
}

TEST(NcuRaw, ReadsEveryKernelWithUnitsRow) {
  const NcuProfile p = read_ncu_csv(kData + "resnet18_a100_raw.csv");
  EXPECT_EQ(p.layout, NcuLayout::raw);
  ASSERT_EQ(p.kernels.size(), 7u);
  EXPECT_EQ(p.device_name, "NVIDIA A100-SXM4-40GB");
  // The header is line 10 (nine ==PROF== lines above it), units line 11.
  EXPECT_EQ(p.kernels[0].line, 12);
  EXPECT_EQ(p.kernels[6].line, 18);
  EXPECT_EQ(p.kernels[0].id, "0");
  // A kernel name with commas and parentheses inside its quotes.
  EXPECT_EQ(p.kernels[2].name.substr(0, 48), "void at::native::vectorized_elementwise_kernel<4");
  // 3,211.26 Kbyte = 3211260 B; 61.47 usecond; 118,013,952 inst.
  EXPECT_DOUBLE_EQ(*p.kernels[0].get("dram__bytes_write.sum"), 3211260.0);
  EXPECT_DOUBLE_EQ(*p.kernels[0].get("gpu__time_duration.sum"), 61.47e-6);
  EXPECT_DOUBLE_EQ(*p.kernels[0].get(sass_flop_metric('f', "fma")), 118013952.0);
  // 0.01285 Gbyte of L2.
  EXPECT_DOUBLE_EQ(*p.kernels[0].get("lts__t_bytes.sum"), 12850000.0);
  // "n/a" is a missing value, not zero.
  EXPECT_FALSE(p.kernels[5].get("l1tex__t_bytes.sum").has_value());
}

TEST(NcuDetails, GroupsRowsByKernelId) {
  const NcuProfile p = read_ncu_csv(kData + "resnet18_a100_details.csv");
  EXPECT_EQ(p.layout, NcuLayout::details);
  ASSERT_EQ(p.kernels.size(), 3u);
  EXPECT_EQ(p.device_name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(p.kernels[1].id, "1");
  // Units vary per row: msecond, nsecond, and the SpeedOfLight "Duration" in usecond.
  EXPECT_DOUBLE_EQ(*p.kernels[0].get("gpu__time_duration.sum"), 0.03172e-3);
  EXPECT_DOUBLE_EQ(*p.kernels[1].get("gpu__time_duration.sum"), 4896e-9);
  EXPECT_DOUBLE_EQ(*p.kernels[2].get("gpu__time_duration.sum"), 3.52e-6);
  EXPECT_DOUBLE_EQ(*p.kernels[0].get("dram__bytes.sum"), 2580000.0);
  EXPECT_DOUBLE_EQ(*p.kernels[1].get("dram__bytes.sum"), 1204224.0);
  EXPECT_DOUBLE_EQ(*p.kernels[2].get("dram__bytes.sum"), 102400.0);
  EXPECT_DOUBLE_EQ(*p.kernels[0].get("sm__ops_path_tensor_src_tf32_dst_fp32.sum"), 231211008.0);
  // The ==WARNING== line is kept as a note.
  ASSERT_FALSE(p.notes.empty());
  EXPECT_NE(p.notes[0].find("line 2: ==WARNING=="), std::string::npos);
}

TEST(NcuDetails, WithoutIdColumnConsecutiveRowsFormAKernel) {
  const std::string csv =
      "\"Kernel Name\",\"Metric Name\",\"Metric Unit\",\"Metric Value\"\n"
      "\"k_a\",\"gpu__time_duration.sum\",\"usecond\",\"2\"\n"
      "\"k_a\",\"dram__bytes.sum\",\"Kbyte\",\"3\"\n"
      "\"k_a\",\"gpu__time_duration.sum\",\"usecond\",\"5\"\n"
      "\"k_b\",\"gpu__time_duration.sum\",\"nsecond\",\"7\"\n";
  const NcuProfile p = parse_ncu_csv(csv, "mem.csv");
  ASSERT_EQ(p.kernels.size(), 3u);  // k_a, k_a again (time repeats), k_b
  EXPECT_DOUBLE_EQ(*p.kernels[0].get("dram__bytes.sum"), 3000.0);
  EXPECT_DOUBLE_EQ(*p.kernels[1].get("gpu__time_duration.sum"), 5e-6);
  EXPECT_DOUBLE_EQ(*p.kernels[2].get("gpu__time_duration.sum"), 7e-9);
}

TEST(NcuErrors, MalformedRowNamesFileAndLine) {
  const std::string msg = error_of([] { read_ncu_csv(kData + "malformed_row.csv"); });
  EXPECT_NE(msg.find("malformed_row.csv:14: malformed row: 26 fields, the header (line 10) has 27"),
            std::string::npos)
      << msg;
}

TEST(NcuErrors, BadNumberNamesLineColumnAndMetric) {
  const std::string csv =
      "\"ID\",\"Kernel Name\",\"gpu__time_duration.sum\",\"dram__bytes_read.sum\"\n"
      "\"\",\"\",\"usecond\",\"Mbyte\"\n"
      "\"0\",\"k\",\"1.5\",\"2\"\n"
      "\"1\",\"k\",\"2.5\",\"3..1\"\n";
  const std::string msg = error_of([&] { parse_ncu_csv(csv, "x.csv"); });
  EXPECT_NE(msg.find("x.csv:4: column 4: metric 'dram__bytes_read.sum': '3..1' is not a number"),
            std::string::npos)
      << msg;
}

TEST(NcuErrors, UnitThatDoesNotFitTheMetric) {
  const std::string csv =
      "\"ID\",\"Kernel Name\",\"Metric Name\",\"Metric Unit\",\"Metric Value\"\n"
      "\"0\",\"k\",\"gpu__time_duration.sum\",\"cycle\",\"1200\"\n";
  const std::string msg = error_of([&] { parse_ncu_csv(csv, "y.csv"); });
  EXPECT_NE(msg.find("y.csv:2: metric 'gpu__time_duration.sum' has unit 'cycle', expected a time"),
            std::string::npos)
      << msg;
}

TEST(NcuErrors, UnterminatedQuote) {
  const std::string csv =
      "\"ID\",\"Kernel Name\",\"gpu__time_duration.sum\"\n"
      "\"0\",\"k(int, float,\"1\"\n"
      "\"1\",\"k\",\"2\n";
  const std::string msg = error_of([&] { parse_ncu_csv(csv, "z.csv"); });
  EXPECT_NE(msg.find("z.csv:2: unexpected text after the closing quote of field 2"),
            std::string::npos)
      << msg;
  const std::string csv2 =
      "\"ID\",\"Kernel Name\",\"gpu__time_duration.sum\"\n"
      "\"1\",\"k\",\"2\n";
  EXPECT_NE(error_of([&] {
              parse_ncu_csv(csv2, "z.csv");
            }).find("z.csv:2: unterminated quoted field (field 3)"),
            std::string::npos);
}

TEST(NcuErrors, NoHeader) {
  const std::string msg =
      error_of([] { parse_ncu_csv("==PROF== Connected to process 1\nhello world\n", "e.csv"); });
  EXPECT_NE(msg.find("e.csv: no Nsight Compute CSV header"), std::string::npos) << msg;
}

TEST(NcuNoise, ProgramOutputBetweenRowsIsSkippedAndNoted) {
  // `ncu --csv > file` mixes the program's stdout into the file.
  const std::string csv =
      "resnet18 forward, batch 1\n"
      "\"ID\",\"Kernel Name\",\"Metric Name\",\"Metric Unit\",\"Metric Value\"\r\n"
      "\"0\",\"k\",\"gpu__time_duration.sum\",\"usecond\",\"1\"\r\n"
      "latency 1.2 ms\n"
      "==PROF== Disconnected from process 9\n"
      "\"1\",\"k\",\"gpu__time_duration.sum\",\"usecond\",\"2\"\n";
  const NcuProfile p = parse_ncu_csv(csv, "m.csv");
  ASSERT_EQ(p.kernels.size(), 2u);
  EXPECT_DOUBLE_EQ(*p.kernels[1].get("gpu__time_duration.sum"), 2e-6);
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_NE(p.notes[0].find("skipped 2 line(s)"), std::string::npos) << p.notes[0];
  EXPECT_NE(p.notes[0].find("the first at line 1"), std::string::npos) << p.notes[0];
}

TEST(NcuErrors, MissingFile) {
  EXPECT_NE(
      error_of([] { read_ncu_csv("/nonexistent/x.csv"); }).find("cannot open '/nonexistent/x.csv'"),
      std::string::npos);
}

}  // namespace
}  // namespace dnnroof
