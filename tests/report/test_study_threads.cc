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
  ResultRecord r;
  r.model = "resnet18";
  r.source = "resnet18";
  r.device = "cpu";
  r.chip = "host";
  r.batch = 1;
  r.threads = threads;
  r.conditions.threads = threads;  // host_name empty: this machine
  TimingStats s;
  s.n = 20;
  s.median_s = median_s;
  s.converged = true;
  s.ci_rel_half_width = 0.01;
  r.timings[Phase::forward] = s;
  return r;
}

int column(const Table& t, const std::string& name) {
  for (std::size_t i = 0; i < t.columns().size(); ++i) {
    if (t.columns()[i] == name) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

const Table* data_file(const Document& doc, const std::string& stem) {
  for (const DataFile& d : doc.data_files) {
    if (d.stem == stem) return &d.table;
  }
  return nullptr;
}

std::string section_text(const Section& s) {
  std::string out;
  for (const Block& b : s.blocks) {
    if (const auto* p = std::get_if<Paragraph>(&b)) out += p->text + "\n";
  }
  return out;
}

TEST(StudyThreads, EveryPointJudgedAgainstTheCeilingOfItsThreadCount) {
  Catalog catalog;
  catalog.load_text(kProbed, "probed.toml");
  StudyOptions o;
  o.load_graph = testing::zoo_model;
  o.include_host = false;
  o.generated_at = "2026-01-01 00:00 UTC";
  o.chip_ids = {"host-measured"};
  o.models = {"resnet18"};
  o.records = {on_threads(1, 0.2), on_threads(2, 0.1), on_threads(3, 0.08)};
  std::vector<std::string> notes;
  const Document doc = build_study(catalog, nullptr, o, &notes);

  const Table* placements = data_file(doc, "placements");
  ASSERT_NE(placements, nullptr);
  const int threads = column(*placements, "Threads");
  const int ceiling_threads = column(*placements, "Ceiling threads");
  const int ceiling = column(*placements, "Binding ceiling");
  const int attainable = column(*placements, "Attainable");
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
  const Table* predictions = data_file(doc, "predictions");
  ASSERT_NE(predictions, nullptr);
  ASSERT_EQ(predictions->rows(), 2U);
  const int pc = column(*predictions, "Ceiling");
  EXPECT_EQ(predictions->data()[0][pc].text, "host-measured fp32 DRAM (measured, 1 thread)");
  EXPECT_EQ(predictions->data()[1][pc].text, "host-measured fp32 DRAM (measured, 2 threads)");

  // Section 4 says which ceilings judged each device, and why 3 threads got none.
  std::string util;
  for (const Section& s : doc.sections) {
    if (s.id == "utilisation") util = section_text(s);
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
