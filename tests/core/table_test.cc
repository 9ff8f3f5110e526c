#include "core/table.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace dnnroof {
namespace {

Table sample() {
  Table t({"Chip", "Peak"}, {"chip", "peak_flops"});
  t.add_row({"T4, PCIe", Cell(8.1e12, "8.1 TFLOP/s")});
  t.add_row({"say \"hi\"", Cell(19.5e12, "19.5 TFLOP/s")});
  return t;
}

TEST(Table, TextIsAlignedWithARule) {
  const std::string expected =
      "Chip      Peak\n"
      "--------  ------------\n"
      "T4, PCIe   8.1 TFLOP/s\n"
      "say \"hi\"  19.5 TFLOP/s\n";
  EXPECT_EQ(sample().to_text(), expected);
}

TEST(Table, CsvQuotesAndKeepsRawNumbers) {
  const std::string expected =
      "chip,peak_flops\n"
      "\"T4, PCIe\",8100000000000\n"
      "\"say \"\"hi\"\"\",19500000000000\n";
  EXPECT_EQ(sample().to_csv(), expected);
}

TEST(Table, JsonHasNumbersAsNumbers) {
  const std::string json = sample().to_json();
  EXPECT_NE(json.find("\"peak_flops\": 8100000000000.0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"chip\": \"T4, PCIe\""), std::string::npos) << json;
}

TEST(Table, RejectsRowsOfTheWrongWidth) {
  Table t({"a", "b"});
  EXPECT_THROW(t.add_row({"1"}), Error);
}

}  // namespace
}  // namespace dnnroof
