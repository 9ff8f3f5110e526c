// Roofs that match the run: a study of records on 1, 2 and 3 threads against
// a probed chip with ceilings for 1 and 2 threads (its all-core figures are
// the 2-thread ones). Every placement and prediction is judged against the
// ceilings of its own thread count, names them, and a count without
// ceilings gets none (said so), never another count's.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fixture.h"
#include "report/study.h"
#include "support/cpu_chip.h"

namespace dnnroof {
namespace {

// host-measured: 2 cores; all-core (2 threads) fp32 peak 2e11, 1 thread 1e11.
// Bandwidths of 1e15 B/s put every model far right of the ridge
// (1e11 / 1e15 = 1e-4 FLOP/B), so the attainable value is the peak itself:
// 1e11 for a 1-thread run, 2e11 for a 2-thread run.
const std::string kProbed = test::probed_cpu_toml(
    "host-measured", "Probed CPU (measured)", test::measured("2e11", "2 threads"),
    "[[chip.memory]]\nname = \"DRAM\"\nmain = true\nbandwidth = " +
        test::measured("1e15", "2 threads") + "\n",
    {{1, test::measured("1e11", "1 thread"), {"DRAM = " + test::measured("1e15", "1 thread")}},
     {2, test::measured("2e11", "2 threads"), {"DRAM = " + test::measured("1e15", "2 threads")}}});

ResultRecord on_threads(int threads, double median_s) {
  ResultRecord r = test::result_record("resnet18", "cpu", "host", 1);
  r.threads = threads;
  r.conditions.threads = threads;  // host_name empty: this machine
  TimingStats s = test::converged_timing(median_s);
  s.ci_rel_half_width = 0.01;
  r.timings[Phase::forward] = s;
  return r;
}

TEST(StudyThreads, EveryPointJudgedAgainstTheCeilingOfItsThreadCount) {
  Catalog catalog;
  catalog.load_text(kProbed, "probed.toml");
  StudyOptions o = testing::study_options();
  o.chip_ids = {"host-measured"};
  o.models = {"resnet18"};
  o.records = {on_threads(1, 0.2), on_threads(2, 0.1), on_threads(3, 0.08)};
  std::vector<std::string> notes;
  const Document doc = build_study(catalog, nullptr, o, &notes);

  const Table* placements = test::data_file(doc, "placements");
  ASSERT_NE(placements, nullptr);
  const int threads = test::column(*placements, "Threads");
  const int ceiling_threads = test::column(*placements, "Ceiling threads");
  const int ceiling = test::column(*placements, "Binding ceiling");
  const int attainable = test::column(*placements, "Attainable");
  // The 3-thread record has no ceiling of its own: not placed at all.
  ASSERT_EQ(placements->rows(), 2U);
  std::vector<int> seen;
  for (const auto& row : placements->data()) {
    ASSERT_TRUE(row[threads].number.has_value());
    ASSERT_TRUE(row[ceiling_threads].number.has_value());
    const int n = static_cast<int>(*row[threads].number);
    seen.push_back(n);
    EXPECT_EQ(*row[ceiling_threads].number, n) << row[ceiling].text;
    // Attainable = that count's peak: 1e11 on 1 thread, 2e11 on 2.
    EXPECT_DOUBLE_EQ(*row[attainable].number, n == 1 ? 1e11 : 2e11) << row[ceiling].text;
    EXPECT_EQ(row[ceiling].text, n == 1 ? "host-measured fp32 DRAM (measured, 1 thread)"
                                        : "host-measured fp32 DRAM (measured, 2 threads)");
  }
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));

  // Section 6 names the same ceilings.
  const Table* predictions = test::data_file(doc, "predictions");
  ASSERT_NE(predictions, nullptr);
  ASSERT_EQ(predictions->rows(), 2U);
  const int pc = test::column(*predictions, "Ceiling");
  EXPECT_EQ(predictions->data()[0][pc].text, "host-measured fp32 DRAM (measured, 1 thread)");
  EXPECT_EQ(predictions->data()[1][pc].text, "host-measured fp32 DRAM (measured, 2 threads)");

  // Section 4 says which ceilings judged each device, and why 3 threads got none.
  std::string util;
  for (const Section& s : doc.sections) {
    if (s.id == "utilisation") util = test::section_text(s, test::kParagraphs);
  }
  EXPECT_NE(util.find("Ceilings: host-measured fp32 for 1 thread, as these runs had (measured"),
            std::string::npos)
      << util;
  EXPECT_NE(util.find("No roofline for cpu, 3 threads: chip 'host-measured' has no ceilings for "
                      "3 threads (it has them for 1, 2 threads)"),
            std::string::npos)
      << util;
}

}  // namespace
}  // namespace dnnroof
