// `dnnroof bench` end to end with the real executor (LibTorch, CPU): a short
// sweep of squeezenet1_0 in both modes, its results file checked against
// values derived here (throughput = batch / median, FLOPs from torchvision's
// published 0.82 GMACs), a resume that skips both, an interrupt that keeps
// the finished configuration, and bad input.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "store/results_file.h"
#include "support/cli.h"
#include "support/cli_suite.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

using test::CliRun;
using test::read_file;

// Its temporary folder is named after each test.
using BenchCli = test::SuiteCliTest;

TEST_F(BenchCli, SqueezenetInferAndTrainThenResumeSkipsBoth) {
  const fs::path file = dir_ / "results.json";
  const std::string args =
      "bench squeezenet1_0 --batch 1 --mode infer,train --budget 1s "
      "--threads 1 --out " +
      file.string();
  const CliRun first = run(args);
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_NE(first.out.find("latency"), std::string::npos) << first.out;  // the header
  EXPECT_NE(first.err.find("[1/2] squeezenet1_0, batch 1, infer"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("ETA"), std::string::npos) << first.err;

  const ResultsFile results = load_results(file);
  ASSERT_EQ(results.records.size(), 2u);
  const ResultRecord& infer = results.records[0];
  const ResultRecord& train = results.records[1];
  EXPECT_EQ(infer.mode, RunMode::infer);
  EXPECT_EQ(train.mode, RunMode::train);
  for (const ResultRecord* r : {&infer, &train}) {
    SCOPED_TRACE(describe(r->key()));
    EXPECT_NE(r->status, RecordStatus::failed) << r->status_reason;
    EXPECT_EQ(r->model, "squeezenet1_0");
    EXPECT_EQ(r->device, "cpu");
    EXPECT_EQ(r->chip, "host");
    EXPECT_EQ(r->threads, 1);
    EXPECT_EQ(r->conditions.threads, 1);
    EXPECT_TRUE(r->conditions.library_versions.contains("libtorch"));
    EXPECT_FALSE(r->conditions.git_revision.empty());
    EXPECT_GT(r->memory_peak_bytes, 10e6);  // LibTorch and 1.2 M parameters at least
    ASSERT_TRUE(r->cost.has_value());
    // torchvision publishes 0.82 GMACs ("GFLOPS") for squeezenet1_0: 2 x that
    // many matrix FLOPs, to its two digits.
    EXPECT_NEAR(r->cost->forward_matmul_flops, 2 * 0.82e9, 2 * 0.005e9);
  }
  const TimingStats& f = infer.timings.at(Phase::forward);
  EXPECT_GT(f.median_s, 0);
  EXPECT_GE(f.n, 1u);
  EXPECT_LE(f.min_s, f.median_s);
  EXPECT_LE(f.median_s, f.max_s);

  // The file's derived throughput is batch / median, computed here.
  const auto doc = nlohmann::json::parse(read_file(file));
  EXPECT_DOUBLE_EQ(doc["records"][0]["throughput_per_s"].get<double>(), 1.0 / f.median_s);
  const double step = train.timings.at(Phase::step).median_s;
  EXPECT_DOUBLE_EQ(doc["records"][1]["throughput_per_s"].get<double>(), 1.0 / step);
  EXPECT_DOUBLE_EQ(doc["records"][1]["achieved_flops_per_s"].get<double>(),
                   (train.cost->forward_flops + train.cost->backward_flops) / step);
  // The step is timed around forward, backward and the optimizer.
  ASSERT_EQ(train.timings.size(), 4u);
  EXPECT_GT(train.timings.at(Phase::forward).median_s, 0);
  EXPECT_GT(train.timings.at(Phase::backward).median_s, 0);
  EXPECT_GE(step, train.timings.at(Phase::backward).median_s);
  EXPECT_GE(step, train.timings.at(Phase::forward).median_s);
  // Backward FLOPs about twice forward (DESIGN.md).
  EXPECT_GT(train.cost->backward_flops, 1.5 * train.cost->forward_flops);

  const CliRun again = run(args + " --resume");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.err.find("skipping squeezenet1_0, batch 1, infer"), std::string::npos)
      << again.err;
  EXPECT_NE(again.err.find("skipping squeezenet1_0, batch 1, train"), std::string::npos);
  EXPECT_NE(again.err.find("2 skipped"), std::string::npos) << again.err;
  const ResultsFile after = load_results(file);
  ASSERT_EQ(after.records.size(), 2u);
  EXPECT_EQ(after.records[0].conditions.date_utc, infer.conditions.date_utc);  // untouched
  EXPECT_EQ(after.records[1].timings.at(Phase::step).median_s, step);
}

TEST_F(BenchCli, InterruptKeepsFinishedConfigurationsAndResumeFinishes) {
  const fs::path file = dir_ / "interrupted.json";
  const std::string out = (dir_ / "int-out.txt").string();
  const std::string err = (dir_ / "int-err.txt").string();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string cmd = std::string(DNNROOF_BINARY) +
                            " bench squeezenet1_0 --batch 1,2 --budget 3s --threads 1 --out " +
                            file.string() + " >" + out + " 2>" + err;
    ::execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait for the first configuration in the file, then interrupt the second.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  bool have_one = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(file)) {
      try {
        have_one = !load_results(file).records.empty();
      } catch (const std::exception&) {
      }
    }
    if (have_one) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(have_one) << read_file(err);
  ::kill(pid, SIGINT);
  int raw = 0;
  ::waitpid(pid, &raw, 0);
  ASSERT_TRUE(WIFEXITED(raw)) << "killed by a signal instead of stopping cleanly";
  EXPECT_NE(WEXITSTATUS(raw), 0);
  const std::string text = read_file(err);
  EXPECT_NE(text.find("interrupted: 1 configuration finished"), std::string::npos) << text;
  EXPECT_NE(text.find(file.string()), std::string::npos) << text;
  const ResultsFile kept = load_results(file);
  ASSERT_EQ(kept.records.size(), 1u);
  EXPECT_EQ(kept.records[0].batch, 1);

  const CliRun rest = run(
      "bench squeezenet1_0 --batch 1,2 --budget 1s --threads 1 --resume --out " + file.string());
  ASSERT_EQ(rest.status, 0) << rest.err;
  EXPECT_NE(rest.err.find("1 skipped"), std::string::npos) << rest.err;
  const ResultsFile all = load_results(file);
  ASSERT_EQ(all.records.size(), 2u);
  EXPECT_EQ(all.records[1].batch, 2);
}

TEST_F(BenchCli, CsvHasPlainStatusAndThroughputIsBatchOverLatency) {
  const CliRun r = run("bench squeezenet1_0 --batch 2 --budget 0.5s --threads 1 --format csv");
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream lines(r.out);
  std::string header, row;
  std::getline(lines, header);
  std::getline(lines, row);
  EXPECT_EQ(
      header,
      "model,batch,mode,latency_s,ci_rel_half_width,samples,throughput_per_s,achieved_flops_per_s,"
      "forward_median_s,backward_median_s,memory_peak_bytes,status,status_reason");
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream fields(row);
  while (std::getline(fields, cell, ',')) cells.push_back(cell);
  ASSERT_GE(cells.size(), 12u) << row;
  EXPECT_EQ(cells[0], "squeezenet1_0");
  EXPECT_EQ(cells[1], "2");
  EXPECT_EQ(cells[2], "infer");
  const double latency = std::stod(cells[3]);
  EXPECT_GT(latency, 0);
  // The interval (or "no 95% CI" below 10 samples) and n beside it.
  EXPECT_GE(std::stoi(cells[5]), 1) << row;
  if (std::stoi(cells[5]) < 10) {
    EXPECT_EQ(cells[4], "no 95% CI") << row;
  }
  EXPECT_NEAR(std::stod(cells[6]), 2 / latency, 1e-9 * (2 / latency));
  EXPECT_TRUE(cells[11] == "ok" || cells[11] == "noisy") << row;
}

// A configuration that fails is recorded and the sweep goes on, but the
// exit status says so: an .onnx file whose weights (external data) are
// absent fails to load; the model before it is measured and kept.
TEST_F(BenchCli, AFailedConfigurationMakesTheExitStatusNonZeroAfterWritingTheRest) {
  const fs::path file = dir_ / "partly.json";
  const std::string weightless =
      std::string(DNNROOF_SOURCE_DIR) + "/tests/onnx/fixtures/alexnet.onnx";
  const CliRun r = run("bench squeezenet1_0 " + weightless +
                       " --budget 0.3s --threads 1 --format csv --out " + file.string());
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("1 of 2 configurations failed (alexnet, batch 1, infer: "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("squeezenet1_0,"), std::string::npos) << r.out;  // printed
  const ResultsFile results = load_results(file);                       // and written
  ASSERT_EQ(results.records.size(), 2u);
  EXPECT_NE(results.records[0].status, RecordStatus::failed);
  EXPECT_EQ(results.records[1].status, RecordStatus::failed);
  // Every configuration failed: non-zero too.
  const CliRun all = run("bench " + weightless + " --budget 0.3s");
  EXPECT_EQ(all.status, 1) << all.err;
  EXPECT_NE(all.err.find("1 of 1 configuration failed"), std::string::npos) << all.err;
}

TEST_F(BenchCli, BadInputIsAClearErrorNamingIt) {
  const CliRun unknown = run("bench resnet81");
  EXPECT_NE(unknown.status, 0);
  EXPECT_NE(unknown.err.find("unknown model 'resnet81'"), std::string::npos) << unknown.err;
  const CliRun target = run("bench resnet18 --target 2");
  EXPECT_NE(target.status, 0);
  EXPECT_NE(target.err.find("--target '2'"), std::string::npos) << target.err;
  const CliRun budget = run("bench resnet18 --budget soon");
  EXPECT_NE(budget.status, 0);
  EXPECT_NE(budget.err.find("--budget 'soon'"), std::string::npos) << budget.err;
  const CliRun device = run("bench resnet18 --device tpu");
  EXPECT_NE(device.status, 0);
  EXPECT_NE(device.err.find("unknown device 'tpu'"), std::string::npos) << device.err;
  const CliRun mode = run("bench resnet18 --mode fast");
  EXPECT_NE(mode.status, 0);
  EXPECT_NE(mode.err.find("--mode 'fast'"), std::string::npos) << mode.err;
  const CliRun file = run("bench missing.onnx");
  EXPECT_NE(file.status, 0);
  EXPECT_NE(file.err.find("model file 'missing.onnx' does not exist"), std::string::npos)
      << file.err;
  // Debian's LibTorch has no CUDA (and this machine no GPU): refused up front.
  const CliRun cuda = run("bench resnet18 --device cuda:7");
  EXPECT_NE(cuda.status, 0);
  EXPECT_NE(cuda.err.find("--device cuda:7: "), std::string::npos) << cuda.err;
  const CliRun help = run("bench --help");
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("dnnroof bench resnet18 --batch 1,8,32"), std::string::npos);
}

}  // namespace
}  // namespace dnnroof
