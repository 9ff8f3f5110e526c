// `dnnroof run` end to end: a conformance case through the program (its
// output file compared with output_0.pb), --help, JSON on stdout, and bad
// input failing with a message that names it.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "onnx/tensor_io.h"
#include "support/cli.h"
#include "support/cli_suite.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

using test::CliRun;

// Its temporary folder is named after each test.
using RunCli = test::SuiteCliTest;

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

// An old-style exported Linear without bias (IR version 3: the weight is a
// graph input and an initializer; Transpose(W) -> MatMul). The importer folds
// the Transpose; its folded value must be W's data transposed, never a random
// weight. Expected y = x W^T computed here by hand.
onnx::ModelProto linear_model(bool weight_from_input_shape) {
  onnx::ModelProto m;
  m.set_ir_version(3);
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(9);
  auto* g = m.mutable_graph();
  g->set_name("linear");
  auto add_input = [&](const std::string& name, std::vector<std::int64_t> dims) {
    auto* in = g->add_input();
    in->set_name(name);
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  };
  add_input("x", {2, 4});
  add_input("W", {3, 4});
  auto* w = g->add_initializer();
  w->set_name("W");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(3);
  w->add_dims(4);
  for (int i = 0; i < 12; ++i) w->add_float_data(static_cast<float>(i) / 10.0F - 0.5F);
  auto* t = g->add_node();
  t->set_op_type("Transpose");
  t->set_name("transpose_w");
  t->add_input("W");
  t->add_output("Wt");
  auto* perm = t->add_attribute();
  perm->set_name("perm");
  perm->set_type(onnx::AttributeProto::INTS);
  perm->add_ints(1);
  perm->add_ints(0);
  auto* mm = g->add_node();
  mm->set_op_type("MatMul");
  mm->set_name("matmul");
  mm->add_input("x");
  mm->add_input("Wt");
  mm->add_output("y");
  if (weight_from_input_shape) {
    // A [2, 4] weight filled with ones whose shape comes from the input's
    // Shape: folded at import, but no tensor of the file holds it.
    auto* s = g->add_node();
    s->set_op_type("Shape");
    s->set_name("shape_of_x");
    s->add_input("x");
    s->add_output("xs");
    auto* c = g->add_node();
    c->set_op_type("ConstantOfShape");
    c->set_name("ones");
    c->add_input("xs");
    c->add_output("ones");
    auto* v = c->add_attribute();
    v->set_name("value");
    v->set_type(onnx::AttributeProto::TENSOR);
    v->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
    v->mutable_t()->add_dims(1);
    v->mutable_t()->add_float_data(1.0F);
    auto* mul = g->add_node();
    mul->set_op_type("Mul");
    mul->set_name("scale");
    mul->add_input("x");
    mul->add_input("ones");
    mul->add_output("x1");
    mm->set_input(0, "x1");
  }
  auto* out = g->add_output();
  out->set_name("y");
  return m;
}

TEST_F(RunCli, AWeightThroughAFoldedTransposeKeepsTheFilesData) {
  const fs::path model = dir_ / "linear.onnx";
  std::ofstream(model, std::ios::binary) << linear_model(false).SerializeAsString();
  const std::vector<float> x = {1, 2, 3, 4, 0, -1, 0.5F, 2};
  HostTensor in;
  in.name = "x";
  in.dims = {2, 4};
  in.data.resize(x.size() * 4);
  std::memcpy(in.data.data(), x.data(), in.data.size());
  write_tensor_pb(in, (dir_ / "x.pb").string());
  const CliRun r = run("run " + model.string() + " --inputs " + (dir_ / "x.pb").string() +
                       " --outputs " + (dir_ / "out").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find("initialised"), std::string::npos) << r.err;
  const HostTensor got = read_tensor_pb((dir_ / "out" / "output_0.pb").string());
  ASSERT_EQ(got.dims, (std::vector<std::int64_t>{2, 3}));
  std::vector<float> y(6);
  std::memcpy(y.data(), got.data.data(), 24);
  for (int row = 0; row < 2; ++row) {
    for (int o = 0; o < 3; ++o) {
      double want = 0;  // sum_k x[row][k] * W[o][k], W[o][k] = (4 o + k) / 10 - 0.5
      for (int k = 0; k < 4; ++k) want += x[row * 4 + k] * ((4.0 * o + k) / 10.0 - 0.5);
      EXPECT_NEAR(y[row * 3 + o], want, 1e-5) << row << "," << o;
    }
  }
}

// A weight the importer folds but no tensor of the file holds: run refuses
// to substitute random values, naming the model and the weight.
TEST_F(RunCli, RefusesToRunWithRandomWeights) {
  const fs::path model = dir_ / "linear_ones.onnx";
  std::ofstream(model, std::ios::binary) << linear_model(true).SerializeAsString();
  const CliRun r = run("run " + model.string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("linear_ones.onnx"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ones"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("random"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("output"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace dnnroof
