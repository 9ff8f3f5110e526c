// A campaign's results (docs/campaign.md): the same CPU model measured on two
// Slurm partitions of one kind of node. The report shows two machines,
// cpu@alpha and cpu@beta, each with its own rows, figures and roofline.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "fixture.h"
#include "report/study.h"

namespace dnnroof {
namespace {

ResultRecord partition_record(const std::string& model, std::int64_t batch,
                              const std::string& partition, double median_s) {
  ResultRecord r = test::result_record(model, "cpu", "fx-cpu", batch);
  r.conditions.host_name = "node1";  // both partitions on one node, as in the Slurm test
  r.conditions.partition = partition;
  TimingStats s = test::converged_timing(median_s, 12);
  s.ci_rel_half_width = 0.01;
  r.timings[Phase::forward] = s;
  return r;
}

std::string text_of(const Section& s) {
  return test::section_text(s, test::kHeadings | test::kParagraphs | test::kTablesCsv);
}

TEST(StudyPartitions, EachPartitionIsAMachine) {
  StudyOptions o = testing::study_options();
  o.chip_ids = {"fx-cpu"};
  o.models = {"resnet18", "alexnet"};
  for (const char* p : {"alpha", "beta"}) {
    const double slower = std::string(p) == "beta" ? 2 : 1;
    o.records.push_back(partition_record("resnet18", 1, p, 0.05 * slower));
    o.records.push_back(partition_record("resnet18", 2, p, 0.08 * slower));
    o.records.push_back(partition_record("alexnet", 1, p, 0.03 * slower));
    o.records.push_back(partition_record("alexnet", 2, p, 0.05 * slower));
  }
  std::vector<std::string> notes;
  const Document doc = build_study(testing::fixture_catalog(), nullptr, o, &notes);
  const std::string bench = text_of(doc.sections[5]);  // 5. Benchmarks
  EXPECT_NE(bench.find("8 configurations measured on 2 devices"), std::string::npos) << bench;
  // Both machines' rows, with their own latencies: 50 ms on alpha, 100 ms on beta.
  EXPECT_NE(bench.find("resnet18,cpu@alpha,infer,1,"), std::string::npos) << bench;
  EXPECT_NE(bench.find("resnet18,cpu@beta,infer,1,"), std::string::npos) << bench;
  // One figure id per machine; none used twice (build_study refuses that).
  std::multiset<std::string> ids;
  for (const Section& s : doc.sections) {
    for (const Block& b : s.blocks) {
      if (const auto* f = std::get_if<FigureBlock>(&b)) ids.insert(f->id);
    }
  }
  for (const std::string& id : ids) EXPECT_EQ(ids.count(id), 1u) << id;
  EXPECT_EQ(ids.count("throughput-cpu-alpha-infer"), 1u);
  EXPECT_EQ(ids.count("throughput-cpu-beta-infer"), 1u);
  EXPECT_EQ(ids.count("roofline-measured-fx-cpu-cpu-alpha"), 1u);
  EXPECT_EQ(ids.count("roofline-measured-fx-cpu-cpu-beta"), 1u);
  const std::string util = text_of(doc.sections[6]);  // 6. Hardware utilisation
  EXPECT_NE(util.find("(cpu@alpha)"), std::string::npos) << util;
  EXPECT_NE(util.find("(cpu@beta)"), std::string::npos) << util;
}

}  // namespace
}  // namespace dnnroof
