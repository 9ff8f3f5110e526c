#include "store/merge.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "fixtures.h"
#include "store/results_file.h"

namespace dnnroof {
namespace {

using testing::infer_record;
using testing::TempDir;
using testing::train_record;
using testing::write_file;

TEST(Merge, LaterFileWinsForTheSameKeyWithAWarning) {
  ResultsFile a;
  a.records = {infer_record("resnet18", 1, 0.002), infer_record("resnet18", 64, 0.004)};
  ResultsFile b;
  b.records = {train_record("resnet18", 64), infer_record("resnet18", 1, 0.0025)};
  const MergeResult m = merge_results({{"a.json", a}, {"b.json", b}});
  // Keys in order of first appearance: (infer, 1), (infer, 64), (train, 64).
  ASSERT_EQ(m.results.records.size(), 3u);
  EXPECT_EQ(m.results.records[0].timings.at(Phase::forward).median_s, 0.0025);  // from b
  EXPECT_EQ(m.results.records[1].batch, 64);
  EXPECT_EQ(m.results.records[2].mode, RunMode::train);
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_EQ(m.warnings[0],
            "resnet18 on cuda:0, infer, batch 1, fp16, 8 threads: the record from 'b.json' "
            "replaces the one from 'a.json'");
}

TEST(Merge, FilesOnDiskAndAWrongSchemaVersion) {
  TempDir dir("merge");
  ResultsFile a;
  a.records = {infer_record("resnet18", 1, 0.002)};
  save_results(dir / "a.json", a);
  ResultsFile b;
  b.records = {infer_record("mobilenet_v2", 1, 0.001)};
  save_results(dir / "b.json", b);
  const MergeResult m = merge_result_files({dir / "a.json", dir / "b.json"});
  ASSERT_EQ(m.results.records.size(), 2u);
  EXPECT_EQ(m.results.records[1].model, "mobilenet_v2");
  EXPECT_TRUE(m.warnings.empty());

  write_file(dir / "future.json", R"({"schema_version": 3, "records": []})");
  try {
    merge_result_files({dir / "a.json", dir / "future.json"});
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find((dir / "future.json").string() + "' has schema version 3"),
              std::string::npos)
        << msg;
  }
  // An in-memory file claiming another version is refused too.
  ResultsFile odd;
  odd.schema_version = 0;
  try {
    merge_results({{"a.json", a}, {"odd.json", odd}});
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'odd.json': schema version 0, expected 1"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace dnnroof
