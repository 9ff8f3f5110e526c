// Bad input gives a clear Error naming the file, node, op (and domain and
// opset), never a crash: unsupported ops (all of them at once), garbage and
// truncated files, cycles, dangling inputs, zero or negative dims, a raw
// payload that disagrees with its dims; and the inputs the fuzzer found,
// kept under tests/onnx/data/.
#include <gtest/gtest.h>

#include <filesystem>

#include "onnx_testing.h"

namespace dnnroof {
namespace {

using onnx_testing::error_of;
using onnx_testing::ModelMaker;
using onnx_testing::read_file;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(OnnxErrors, EveryUnsupportedOpIsListedAtOnce) {
  ModelMaker m(13);
  auto* custom = m.proto().add_opset_import();
  custom->set_domain("com.example");
  custom->set_version(2);
  m.input("x", {1, 4});
  m.node("Relu", {"x"}, {"a"});
  m.node("Erf", {"a"}, {"b"}, "erf_alone");
  m.node("Relu", {"b"}, {"c"});
  m.node("FancyOp", {"c"}, {"d"}, "fancy").set_domain("com.example");
  m.node("Einsum", {"d", "d"}, {"e"}, "einsum");
  // A constant-only op (supported only where it folds) on a run-time tensor
  // joins the same list: ConstantOfShape of a shape given as an input.
  m.input("n", {2}, {}, onnx::TensorProto::INT64);
  m.node("ConstantOfShape", {"n"}, {"zeros"}, "zeros");
  m.node("Add", {"e", "zeros"}, {"y"});
  m.output("y");
  const std::string err = error_of([&] { m.import(); });
  EXPECT_TRUE(contains(err, "test.onnx: 4 node(s) use ops dnnroof does not support")) << err;
  EXPECT_TRUE(contains(err, "node 'erf_alone': op Erf (domain ai.onnx, opset 13)")) << err;
  EXPECT_TRUE(contains(err, "node 'fancy': op FancyOp (domain com.example, opset 2)")) << err;
  EXPECT_TRUE(contains(err, "node 'einsum': op Einsum (domain ai.onnx, opset 13)")) << err;
  EXPECT_TRUE(contains(err,
                       "node 'zeros': op ConstantOfShape (domain ai.onnx, opset 13) on a "
                       "run-time tensor"))
      << err;
}

TEST(OnnxErrors, GarbageEmptyAndTruncatedFiles) {
  EXPECT_TRUE(contains(error_of([] { import_onnx_bytes("", "e.onnx"); }), "e.onnx: not an ONNX"));
  const std::string garbage = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff this is not protobuf";
  EXPECT_TRUE(contains(error_of([&] { import_onnx_bytes(garbage, "g.onnx"); }), "g.onnx: not"));
  // Text that happens to be valid protobuf but holds no graph.
  EXPECT_TRUE(contains(error_of([] { import_onnx_bytes("\x08\x03", "t.onnx"); }), "no graph"));
  const std::string light =
      read_file(std::string(DNNROOF_SHARED_DIR) + "/onnx-testdata/light/light_resnet50.onnx");
  ASSERT_GT(light.size(), 1000U);
  for (std::size_t cut : {light.size() / 2, light.size() - 3, std::size_t{10}}) {
    SCOPED_TRACE(cut);
    OnnxImportOptions full;
    full.load_weights = true;
    for (const auto& o : {OnnxImportOptions{}, full}) {
      const std::string err =
          error_of([&] { import_onnx_bytes(light.substr(0, cut), "cut.onnx", o); });
      EXPECT_TRUE(contains(err, "cut.onnx:")) << err;
    }
  }
  EXPECT_TRUE(contains(error_of([] { import_onnx_file("/nonexistent/model.onnx"); }),
                       "/nonexistent/model.onnx: cannot open"));
}

TEST(OnnxErrors, CycleAndDanglingInput) {
  ModelMaker cyc(13);
  cyc.input("x", {1, 4});
  cyc.node("Add", {"x", "b"}, {"a"}, "first");
  cyc.node("Relu", {"a"}, {"b"}, "second");
  cyc.output("b");
  const std::string c = error_of([&] { cyc.import(); });
  EXPECT_TRUE(contains(c, "test.onnx: the graph has a cycle")) << c;
  EXPECT_TRUE(contains(c, "'first' (Add)")) << c;

  ModelMaker dang(13);
  dang.input("x", {1, 4});
  dang.node("Add", {"x", "nowhere"}, {"y"}, "adder");
  dang.output("y");
  const std::string d = error_of([&] { dang.import(); });
  EXPECT_TRUE(contains(d, "node 'adder' (Add): input 'nowhere' is dangling")) << d;
}

TEST(OnnxErrors, ZeroNegativeAndUnknownDims) {
  for (std::int64_t bad : {0, -3}) {
    ModelMaker m(13);
    auto* in = m.proto().mutable_graph()->add_input();
    in->set_name("x");
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_value(1);
    tt->mutable_shape()->add_dim()->set_dim_value(bad);
    m.node("Relu", {"x"}, {"y"});
    m.output("y");
    const std::string err = error_of([&] { m.import(); });
    EXPECT_TRUE(contains(err, "graph input 'x' dim 1 is")) << err;
    EXPECT_TRUE(contains(err, "dims must be positive")) << err;
  }
  ModelMaker u(13);
  u.input("x", {-1, 4});
  u.node("Relu", {"x"}, {"y"});
  u.output("y");
  EXPECT_TRUE(contains(error_of([&] { u.import(); }), "dim 0 is unknown; set it with --batch N"));
  // A reshape to a zero dim inside the graph.
  ModelMaker z(13);
  z.input("x", {2, 4});
  z.ints("shape", {0, 8});
  auto& r = z.node("Reshape", {"x", "shape"}, {"y"}, "to_empty");
  ModelMaker::attr(r, "allowzero", std::int64_t{1});
  z.output("y");
  const std::string e = error_of([&] { z.import(); });
  EXPECT_TRUE(contains(e, "node 'to_empty' (Reshape, opset 13)")) << e;
}

TEST(OnnxErrors, ShapeMismatchNamesTheNodeAndTheRule) {
  ModelMaker m(13);
  m.input("x", {1, 3, 8, 8});
  m.weight("w", {16, 4, 3, 3});
  m.node("Conv", {"x", "w"}, {"y"}, "conv1");
  m.output("y");
  const std::string err = error_of([&] { m.import(); });
  EXPECT_TRUE(contains(err, "test.onnx: node 'conv1' (Conv, opset 13):")) << err;
  EXPECT_TRUE(contains(err, "input has 3 channels")) << err;
}

TEST(OnnxErrors, RawDataLengthMustMatchTheDims) {
  ModelMaker m(13);
  m.input("x", {1, 4});
  m.weight("w", {4, 2}).set_raw_data(std::string(12, '\0'));  // 8 floats need 32 bytes
  m.node("MatMul", {"x", "w"}, {"y"});
  m.output("y");
  OnnxImportOptions full;
  full.load_weights = true;
  const std::string err = error_of([&] { m.import(full); });
  EXPECT_TRUE(contains(err, "initializer 'w': raw_data has 12 bytes")) << err;
  // A large payload the analysis-only path skips is checked by its length too.
  ModelMaker big(13);
  big.input("x", {1, 4096});
  big.weight("w", {4096, 2}).set_raw_data(std::string(5000, '\0'));
  big.node("MatMul", {"x", "w"}, {"y"});
  big.output("y");
  const std::string e2 = error_of([&] { big.import(); });
  EXPECT_TRUE(contains(e2, "initializer 'w': raw_data has 5000 bytes")) << e2;
}

TEST(OnnxErrors, OldOpsetsAndUnfoldableShapeOps) {
  ModelMaker old(5);
  old.input("x", {1, 4});
  old.node("Relu", {"x"}, {"y"});
  old.output("y");
  EXPECT_TRUE(contains(error_of([&] { old.import(); }), "opset 5 of the default domain"));
  ModelMaker w(13);
  w.input("x", {1, 4});
  w.ints("start", {0}, true);
  w.ints("delta", {1}, true);
  w.node("ReduceSum", {"x"}, {"s"});
  ModelMaker::attr(w.node("Cast", {"s"}, {"limit"}), "to", std::int64_t{7});  // to int64
  w.node("Range", {"start", "limit", "delta"}, {"y"}, "range");
  w.output("y");
  const std::string err = error_of([&] { w.import(); });
  // Range(0, sum(x), 1): its limit is computed at run time.
  EXPECT_TRUE(contains(err, "test.onnx: 1 node(s) use ops dnnroof does not support")) << err;
  EXPECT_TRUE(contains(err, "node 'range': op Range (domain ai.onnx, opset 13) on a run-time"))
      << err;
  // A Where over constants folds: y = where([1, 0], 3, x) with x = 5 -> [3, 5],
  // and the folded result is a Reshape target.
  ModelMaker folds(13);
  folds.input("x", {2, 3});
  folds.ints("c", {1, 0});
  folds.ints("a", {3, 6});
  folds.ints("b", {5, 2});
  folds.node("Where", {"c", "a", "b"}, {"shape"}, "where");
  folds.node("Reshape", {"x", "shape"}, {"y"});
  folds.output("y");
  const Graph g = folds.import();
  EXPECT_EQ(g.value(g.outputs.at(0)).shape, (Shape{3, 2}));
}

// UBSan findings of the fuzzer (fuzz/onnx_import_fuzz.cc), rebuilt by hand:
// folding a Reshape to a target whose product overflows int64, and casting
// a float constant outside int64's range, are Errors naming the node (they
// were signed overflow and an out-of-range float-to-int conversion).
TEST(OnnxErrors, FoldingOverflowsAreErrors) {
  ModelMaker r(13);
  r.input("x", {1});
  r.ints("c", {1, 2, 3, 4, 5, 6});
  r.ints("target", {575525617665, 8666333057944387585});
  r.node("Reshape", {"c", "target"}, {"y"}, "reshape");
  r.output("y");
  std::string err = error_of([&] { r.import(); });
  EXPECT_TRUE(contains(err, "node 'reshape' (Reshape, opset 13): target shape")) << err;
  EXPECT_TRUE(contains(err, "is too large")) << err;

  ModelMaker c(13);
  c.input("x", {1});
  c.floats("big", {-1.8e19F}, true);
  ModelMaker::attr(c.node("Cast", {"big"}, {"y"}, "cast"), "to", std::int64_t{7});  // int64
  c.output("y");
  err = error_of([&] { c.import(); });
  EXPECT_TRUE(contains(err, "node 'cast' (Cast, opset 13): a folded int64 value")) << err;
  EXPECT_TRUE(contains(err, "does not fit in int64")) << err;
}

// Inputs the fuzzer (fuzz/onnx_import_fuzz.cc) produced: each must give an
// Error or import, never crash or hang.
TEST(OnnxErrors, FuzzerRegressionInputs) {
  const std::filesystem::path dir(DNNROOF_ONNX_TEST_DATA);
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".bin") continue;
    ++n;
    SCOPED_TRACE(entry.path().string());
    const std::string bytes = read_file(entry.path().string());
    try {
      const Graph g = import_onnx_bytes(bytes, entry.path().filename().string());
      validate(g);
    } catch (const Error&) {
      // a clear error is the expected outcome
    }
  }
  EXPECT_GT(n, 0);  // the folder holds at least the seed inputs
}

}  // namespace
}  // namespace dnnroof
