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
  ResultRecord r;
  r.model = model;
  r.source = model;
  r.device = "cpu";
  r.chip = "fx-cpu";
  r.batch = batch;
  r.conditions.host_name = "node1";  // both partitions on one node, as in the Slurm test
  r.conditions.partition = partition;
  TimingStats s;
  s.n = 12;
  s.median_s = median_s;
  s.ci_rel_half_width = 0.01;
  s.converged = true;
  r.timings[Phase::forward] = s;
  return r;
}

std::string text_of(const Section& s) {
  std::string out;
  for (const Block& b : s.blocks) {
    if (const auto* h = std::get_if<Heading>(&b)) out += h->text + "\n";
    if (const auto* p = std::get_if<Paragraph>(&b)) out += p->text + "\n";
    if (const auto* t = std::get_if<TableBlock>(&b)) out += t->table.to_csv();
  }
  return out;
}

TEST(StudyPartitions, EachPartitionIsAMachine) {
  StudyOptions o;
  o.load_graph = testing::zoo_model;
  o.include_host = false;
  o.generated_at = "2026-01-01 00:00 UTC";
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
