// CPU selection for pinned runs, and ceilings per thread count in the
// catalog format.
#include "hw/cpu_affinity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/error.h"
#include "hw/catalog.h"
#include "support/cpu_chip.h"

namespace dnnroof {
namespace {

TEST(CpuAffinity, ListTextAsTheKernelWritesIt) {
  EXPECT_EQ(cpu_list_text({}), "");
  EXPECT_EQ(cpu_list_text({3}), "3");
  EXPECT_EQ(cpu_list_text({0, 1}), "0-1");
  EXPECT_EQ(cpu_list_text({11, 0, 1, 2, 3, 8, 10, 3}), "0-3,8,10-11");
}

TEST(CpuAffinity, CoresComeFromTheLaunchMask) {
  const std::vector<int> allowed = launch_allowed_cpus();
  const std::vector<int> cores = allowed_core_cpus();
  ASSERT_FALSE(allowed.empty());
  ASSERT_FALSE(cores.empty());
  for (int c : cores) {
    EXPECT_TRUE(std::find(allowed.begin(), allowed.end(), c) != allowed.end()) << c;
  }
  EXPECT_EQ(default_thread_count(), static_cast<int>(cores.size()));
  // One CPU per thread: the cores first, in order, then round-robin.
  const int n = static_cast<int>(cores.size());
  const std::vector<int> pick = cpus_for_threads(n);
  EXPECT_EQ(pick, cores);
  EXPECT_EQ(cpus_for_threads(1), std::vector<int>{cores.front()});
  EXPECT_TRUE(cpus_for_threads(0).empty());
  EXPECT_EQ(cpus_for_threads(static_cast<int>(allowed.size()) + 1).size(), allowed.size() + 1);
}

TEST(CpuAffinity, PinAndRestoreTheCallingThread) {
  const std::vector<int> allowed = launch_allowed_cpus();
  ASSERT_TRUE(pin_current_thread(allowed.back()));
  EXPECT_EQ(current_thread_cpus(), std::vector<int>{allowed.back()});
  ASSERT_TRUE(confine_process_threads(allowed));
  EXPECT_EQ(current_thread_cpus(), allowed);
}

// 2 threads all-core; L1d measured on 1 thread only, DRAM on both.
const std::string kMeasured = test::probed_cpu_toml(
    "m-cpu", "Measured CPU", test::measured("2e11", "2 threads"),
    "[[chip.memory]]\nname = \"L1d\"\n[[chip.memory]]\nname = \"DRAM\"\nmain = true\n"
    "bandwidth = " +
        test::measured("2e10", "2 threads") + "\n",
    {{2, test::measured("2e11", "2 threads"), {"DRAM = " + test::measured("2e10", "2 threads")}},
     {1,
      test::measured("1e11", "1 thread"),
      {"\"L1d\" = " + test::measured("4e11", "1 thread"), "DRAM = \"12.5 GB/s\""}}});

TEST(ThreadCeilings, ReadFromTheCatalogSortedByThreads) {
  Catalog c;
  c.load_text(kMeasured, "m.toml");
  const Chip& m = c.get("m-cpu");
  ASSERT_EQ(m.thread_ceilings.size(), 2U);
  EXPECT_EQ(m.thread_ceilings[0].threads, 1);
  EXPECT_EQ(m.thread_ceilings[0].peak.at(DType::fp32).value, 1e11);
  EXPECT_EQ(m.thread_ceilings[0].bandwidth.at("DRAM").value, 12.5e9);
  EXPECT_EQ(m.thread_ceilings[0].bandwidth.at("DRAM").source, "test");  // the chip's source
  EXPECT_EQ(chip_threads(m), 2);
  const auto one = chip_for_threads(m, 1);
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(*one->peak_flops(DType::fp32), 1e11);
  EXPECT_EQ(one->find_level("L1d")->bandwidth.value, 4e11);
  EXPECT_EQ(one->main_memory().bandwidth.value, 12.5e9);
  const auto two = chip_for_threads(m, 2);
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(two->find_level("L1d")->bandwidth.value, 0.0);  // not measured on 2: unknown
  EXPECT_FALSE(chip_for_threads(m, 4).has_value());
}

TEST(ThreadCeilings, ErrorsNameTheField) {
  auto error_of = [](const std::string& text) {
    Catalog c;
    try {
      c.load_text(text, "m.toml");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string bad = kMeasured;
  bad.replace(bad.find("\"L1d\" = "), 8, "L9 = ");
  EXPECT_NE(error_of(bad).find("field 'threads[2].bandwidth.L9': no memory level 'L9'"),
            std::string::npos)
      << error_of(bad);
  std::string twice = kMeasured;
  twice.replace(twice.find("threads = 1"), 11, "threads = 2");
  EXPECT_NE(error_of(twice).find("2 threads appears twice"), std::string::npos) << error_of(twice);
  std::string zero = kMeasured;
  zero.replace(zero.find("threads = 1"), 11, "threads = 0");
  EXPECT_NE(error_of(zero).find("field 'threads[2].threads': 0 is outside"), std::string::npos)
      << error_of(zero);
}

}  // namespace
}  // namespace dnnroof
