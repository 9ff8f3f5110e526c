// Malformed catalog files: every error names the file, the line and the field.

#include <gtest/gtest.h>

#include "core/error.h"
#include "hw/catalog.h"

namespace dnnroof {
namespace {

// A valid GPU entry; the tests replace one line (numbers on the right).
const std::vector<std::string> kGpuLines = {
    "[[chip]]",                // 1
    "id = \"x\"",              // 2
    "name = \"X\"",            // 3
    "kind = \"gpu\"",          // 4
    "source = \"s\"",          // 5
    "[chip.peak]",             // 6
    "fp32 = \"1 TFLOP/s\"",    // 7
    "[[chip.memory]]",         // 8
    "name = \"HBM\"",          // 9
    "main = true",             // 10
    "bandwidth = \"1 TB/s\"",  // 11
};

std::string gpu_with(std::size_t line, const std::string& replacement,
                     const std::string& appended = "") {
  std::string text;
  for (std::size_t i = 0; i < kGpuLines.size(); ++i) {
    text += (i + 1 == line ? replacement : kGpuLines[i]) + "\n";
  }
  return text + appended;
}

// The message of the Error that loading `text` throws ("" if none).
std::string error_of(const std::string& text) {
  Catalog c;
  try {
    c.load_text(text, "test.toml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void expect_contains(const std::string& msg, const std::vector<std::string>& parts) {
  ASSERT_FALSE(msg.empty()) << "no error was thrown";
  for (const auto& p : parts) {
    EXPECT_NE(msg.find(p), std::string::npos) << msg << "\n  lacks: " << p;
  }
}

TEST(CatalogErrors, TheValidBaseLoads) { EXPECT_EQ(error_of(gpu_with(0, "")), ""); }

TEST(CatalogErrors, BadUnitNamesFileLineAndField) {
  Catalog c;
  const std::string path = std::string(DNNROOF_SOURCE_DIR) + "/tests/hw/data/bad_unit.toml";
  try {
    c.load_file(path);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    // Line 9 of bad_unit.toml is: fp16 = "20 TB/s"
    expect_contains(e.what(), {"bad_unit.toml:9:", "chip 'bad-unit'", "field 'peak.fp16'", "TB/s"});
  }
  EXPECT_TRUE(c.chips().empty());
}

TEST(CatalogErrors, UnknownKeyIsNamed) {
  expect_contains(error_of(gpu_with(5, "sorce = \"s\"")),
                  {"test.toml:5:", "chip 'x'", "field 'sorce'", "unknown key", "'source'"});
  expect_contains(error_of(gpu_with(11, "bandwith = \"1 TB/s\"")),
                  {"test.toml:11:", "field 'memory[1].bandwith'", "unknown key", "'bandwidth'"});
  expect_contains(error_of(gpu_with(7, "fp33 = \"1 TFLOP/s\"")),
                  {"test.toml:7:", "field 'peak.fp33'", "unknown precision", "'fp32'"});
  expect_contains(error_of(gpu_with(7, "fp32 = { value = \"1 TFLOP/s\", src = \"a\" }")),
                  {"test.toml:7:", "field 'peak.fp32.src'", "unknown key"});
  expect_contains(error_of("[[chips]]\nid = \"x\"\n"), {"test.toml:1:", "'chips'"});
}

TEST(CatalogErrors, WrongValues) {
  expect_contains(error_of(gpu_with(4, "kind = \"fpga\"")),
                  {"test.toml:4:", "field 'kind'", "fpga", "cpu, gpu, asic, soc"});
  expect_contains(error_of(gpu_with(7, "fp32 = \"-1 TFLOP/s\"")),
                  {"test.toml:7:", "field 'peak.fp32'", "positive"});
  expect_contains(error_of(gpu_with(7, "fp32 = \"fast\"")),
                  {"test.toml:7:", "field 'peak.fp32'", "not a quantity"});
  expect_contains(error_of(gpu_with(7, "fp32 = true")),
                  {"test.toml:7:", "field 'peak.fp32'", "found a boolean"});
  expect_contains(error_of(gpu_with(11, "bandwidth = \"1 TFLOP/s\"")),
                  {"test.toml:11:", "field 'memory[1].bandwidth'", "B/s"});
  expect_contains(error_of(gpu_with(10, "main = \"yes\"")),
                  {"test.toml:10:", "field 'memory[1].main'", "true or false"});
  expect_contains(error_of(gpu_with(2, "id = \"A100 SXM\"")), {"test.toml:2:", "field 'id'"});
  expect_contains(error_of(gpu_with(5, "year = \"2020\"")),
                  {"test.toml:5:", "field 'year'", "expected an integer"});
}

TEST(CatalogErrors, MissingThings) {
  expect_contains(error_of(gpu_with(3, "")),
                  {"test.toml:1:", "chip 'x'", "field 'name'", "missing"});
  expect_contains(error_of(gpu_with(2, "")), {"test.toml:1:", "chip #1", "field 'id'", "missing"});
  // No source anywhere for the fp32 peak.
  expect_contains(error_of(gpu_with(5, "")), {"chip 'x'", "field 'peak.fp32'", "no source"});
  // The main level without a bandwidth.
  expect_contains(error_of(gpu_with(11, "")),
                  {"test.toml:8:", "field 'memory[1].bandwidth'", "missing"});
  // No peak at all.
  expect_contains(error_of(gpu_with(7, "")), {"test.toml:1:", "field 'peak'", "no peak"});
}

TEST(CatalogErrors, ExactlyOneMainLevel) {
  const std::string second =
      "[[chip.memory]]\nname = \"HBM2\"\nmain = true\nbandwidth = \"2 TB/s\"\n";
  // The second main level starts on line 12.
  expect_contains(error_of(gpu_with(0, "", second)),
                  {"test.toml:12:", "field 'memory[2].main'", "second main-memory level"});
  expect_contains(error_of(gpu_with(10, "main = false")),
                  {"field 'memory'", "no main-memory level"});
  const std::string same_name = "[[chip.memory]]\nname = \"hbm\"\n";
  expect_contains(error_of(gpu_with(0, "", same_name)),
                  {"test.toml:13:", "field 'memory[2].name'", "twice"});
}

TEST(CatalogErrors, SyntaxErrorHasItsLine) {
  expect_contains(error_of(gpu_with(7, "fp32 = \"1 TFLOP/s")),
                  {"test.toml:7:", "TOML syntax error"});
  expect_contains(error_of(gpu_with(9, "name = ")), {"test.toml:9:", "TOML syntax error"});
}

TEST(CatalogErrors, DuplicateIdInOneFile) {
  std::string twice = gpu_with(0, "");
  twice += twice;  // the second [[chip]] is on line 12
  expect_contains(error_of(twice),
                  {"test.toml:12:", "chip 'x'", "duplicate id", "first defined at line 1"});
}

TEST(CatalogErrors, CpuNeedsTheFormulaInputs) {
  const std::string cpu =
      "[[chip]]\n"                    // 1
      "id = \"c\"\n"                  // 2
      "name = \"C\"\n"                // 3
      "kind = \"cpu\"\n"              // 4
      "source = \"s\"\n"              // 5
      "[chip.cpu]\n"                  // 6
      "cores = 8\n"                   // 7
      "allcore_clock = \"3 GHz\"\n"   // 8
      "memory_channels = 2\n"         // 9
      "memory_mts = 3200\n"           // 10
      "[chip.cpu.flops_per_cycle]\n"  // 11
      "fp32 = 32\n"                   // 12
      "[[chip.memory]]\n"             // 13
      "name = \"DRAM\"\n"             // 14
      "main = true\n";                // 15
  EXPECT_EQ(error_of(cpu), "");
  auto without = [&](const std::string& line) {
    std::string t = cpu;
    t.erase(t.find(line), line.size());
    return t;
  };
  expect_contains(error_of(without("allcore_clock = \"3 GHz\"\n")),
                  {"test.toml:6:", "chip 'c'", "field 'cpu.allcore_clock'", "missing"});
  expect_contains(error_of(without("cores = 8\n")), {"test.toml:6:", "field 'cpu.cores'"});
  // Without that line, [[chip.memory]] moves up to line 12.
  expect_contains(error_of(without("memory_mts = 3200\n")),
                  {"test.toml:12:", "field 'memory[1].bandwidth'", "memory_mts"});
  expect_contains(error_of(without("fp32 = 32\n")), {"field 'cpu.flops_per_cycle'", "empty"});
  std::string no_cpu = cpu.substr(0, cpu.find("[chip.cpu]")) +
                       "[[chip.memory]]\nname = \"DRAM\"\nmain = true\nbandwidth = \"1 GB/s\"\n";
  expect_contains(error_of(no_cpu), {"test.toml:1:", "field 'cpu'", "[chip.cpu]"});
  std::string bad_clock = cpu;
  bad_clock.replace(bad_clock.find("\"3 GHz\""), 7, "\"3 GB\"");
  expect_contains(error_of(bad_clock), {"test.toml:8:", "field 'cpu.allcore_clock'", "Hz"});
  // [chip.cpu] belongs to CPUs only.
  std::string gpu_cpu = cpu;
  gpu_cpu.replace(gpu_cpu.find("kind = \"cpu\""), 12, "kind = \"gpu\"");
  expect_contains(error_of(gpu_cpu), {"test.toml:6:", "field 'cpu'", "kind = \"cpu\""});
}

TEST(CatalogErrors, AMalformedFileLeavesTheCatalogAsItWas) {
  Catalog c;
  c.load_text(gpu_with(0, ""), "good.toml");
  // A good chip "y", then a bad one.
  const std::string bad = gpu_with(2, "id = \"y\"") + gpu_with(7, "fp32 = \"1 TB/s\"");
  EXPECT_THROW(c.load_text(bad, "bad.toml"), Error);
  EXPECT_EQ(c.ids(), std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace dnnroof
