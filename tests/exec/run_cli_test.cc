// `dnnroof run` end to end: a conformance case through the program (its
// output file compared with output_0.pb), --help, JSON on stdout, and bad
// input failing with a message that names it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "onnx/tensor_io.h"
#include "support/cli.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

using test::CliRun;

class RunCli : public test::CliTest {
 protected:
  RunCli() : CliTest("run-cli") {}
};

const fs::path kCase =
    fs::path(DNNROOF_SHARED_DIR) / "onnx-testdata" / "pytorch-converted" / "test_Conv2d_groups";

TEST_F(RunCli, Help) {
  const CliRun r = run("run --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("Example"), std::string::npos) << r.out;
}

TEST_F(RunCli, ConformanceCaseThroughTheProgram) {
  if (!fs::exists(kCase)) GTEST_SKIP() << kCase << " is absent";
  const CliRun r = run("run " + (kCase / "model.onnx").string() + " --inputs " +
                       (kCase / "test_data_set_0" / "input_0.pb").string() + " --outputs " +
                       (dir_ / "out").string() + " --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.find("running"), std::string::npos) << "progress belongs on stderr";
  EXPECT_NE(r.out.find("\"output\""), std::string::npos) << r.out;
  const HostTensor got = read_tensor_pb((dir_ / "out" / "output_0.pb").string());
  const HostTensor want = read_tensor_pb((kCase / "test_data_set_0" / "output_0.pb").string());
  ASSERT_EQ(got.dims, want.dims);
  std::vector<float> a(got.data.size() / 4);
  std::vector<float> b(want.data.size() / 4);
  std::memcpy(a.data(), got.data.data(), got.data.size());
  std::memcpy(b.data(), want.data.data(), want.data.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-4 + 1e-3 * std::abs(b[i]));
  // The output is also written under the graph output's name.
  EXPECT_TRUE(fs::exists(dir_ / "out" / (got.name + ".pb"))) << got.name;
}

// An input whose batch differs from the file's fixed batch sets the batch
// (no --batch needed): the case's input twice over gives its output twice
// over, each sample's output being its own.
TEST_F(RunCli, TheBatchComesFromTheInputTensor) {
  if (!fs::exists(kCase)) GTEST_SKIP() << kCase << " is absent";
  const HostTensor in = read_tensor_pb((kCase / "test_data_set_0" / "input_0.pb").string());
  const HostTensor want = read_tensor_pb((kCase / "test_data_set_0" / "output_0.pb").string());
  ASSERT_FALSE(in.dims.empty());
  HostTensor twice = in;
  twice.dims[0] *= 2;
  twice.data.insert(twice.data.end(), in.data.begin(), in.data.end());
  write_tensor_pb(twice, (dir_ / "twice.pb").string());
  const CliRun r = run("run " + (kCase / "model.onnx").string() + " --inputs " +
                       (dir_ / "twice.pb").string() + " --outputs " + (dir_ / "out").string());
  ASSERT_EQ(r.status, 0) << r.err;
  const HostTensor got = read_tensor_pb((dir_ / "out" / "output_0.pb").string());
  std::vector<std::int64_t> dims = want.dims;
  dims[0] *= 2;
  ASSERT_EQ(got.dims, dims);
  ASSERT_EQ(got.data.size(), 2 * want.data.size());
  std::vector<float> a(got.data.size() / 4);
  std::vector<float> b(want.data.size() / 4);
  std::memcpy(a.data(), got.data.data(), got.data.size());
  std::memcpy(b.data(), want.data.data(), want.data.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const float e = b[i % b.size()];
    EXPECT_NEAR(a[i], e, 1e-4 + 1e-3 * std::abs(e)) << i;
  }
  // --batch given and different from the input's: the shapes disagree, said clearly.
  const CliRun bad = run("run " + (kCase / "model.onnx").string() + " --inputs " +
                         (dir_ / "twice.pb").string() + " --batch 3");
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.err.find("has shape"), std::string::npos) << bad.err;
}

// With Debian's reference BLAS preloaded, LibTorch's sgemm_ resolves to it:
// the detection must say so and `run` must warn (on stderr).
TEST_F(RunCli, WarnsOnTheReferenceBlas) {
  const std::string ref = "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3";
  if (!fs::exists(ref)) GTEST_SKIP() << ref << " is not installed";
  const CliRun r = test::run_program(DNNROOF_BINARY, "run squeezenet1_1 --format csv", dir(),
                                     "LD_PRELOAD=" + ref);
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string& err = r.err;
  EXPECT_NE(err.find("reference BLAS"), std::string::npos) << err;
  EXPECT_NE(err.find("warning"), std::string::npos) << err;
}

TEST_F(RunCli, BadInputFailsClearly) {
  CliRun r = run("run " + (dir_ / "missing.onnx").string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("missing.onnx"), std::string::npos) << r.err;
  if (!fs::exists(kCase)) return;
  // A wrongly shaped input: the light models' fill is not used, the error names it.
  r = run("run " + (kCase / "model.onnx").string() + " --inputs " +
          (kCase / "test_data_set_0" / "output_0.pb").string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("shape"), std::string::npos) << r.err;
  r = run("run resnet18 --device cuda:7");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("cuda:7"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dnnroof
