// The lowering face of the op table and op-level numerics against values
// computed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <string>

#include "core/error.h"
#include "exec/blas.h"
#include "exec/executor.h"

namespace dnnroof {
namespace {

HostTensor f32(std::string name, std::vector<std::int64_t> dims, std::vector<float> v) {
  HostTensor t;
  t.name = std::move(name);
  t.dtype = DType::fp32;
  t.dims = std::move(dims);
  t.data.resize(v.size() * 4);
  std::memcpy(t.data.data(), v.data(), t.data.size());
  return t;
}

std::vector<float> floats(const HostTensor& t) {
  EXPECT_EQ(t.dtype, DType::fp32);
  std::vector<float> v(t.data.size() / 4);
  std::memcpy(v.data(), t.data.data(), t.data.size());
  return v;
}

TEST(ExecOps, EveryOpKindHasALoweringOrAReason) {
  for (std::size_t i = 0; i < kOpKindCount; ++i) {
    const auto op = static_cast<OpKind>(i);
    const auto reason = unsupported_op_reason(op);
    if (has_lowering(op)) {
      EXPECT_FALSE(reason.has_value()) << op_name(op);
    } else {
      ASSERT_TRUE(reason.has_value()) << op_name(op) << " has neither a lowering nor a reason";
      EXPECT_FALSE(reason->empty()) << op_name(op);
    }
  }
}

// y = conv(x, w) + b with x = 1..9 in a 3x3 map, a 2x2 kernel of ones, bias
// 0.5, no padding: each output is the sum of a 2x2 window plus 0.5.
TEST(ExecOps, ConvByHand) {
  GraphBuilder b("conv", DType::fp32);
  const ValueId x = b.input("x", {1, 1, 3, 3});
  const ValueId y = b.conv(x, ConvOptions{.out_channels = 1, .kernel = {2, 2}}, "c");
  b.output(y);
  ExecOptions o;
  o.weights["c.weight"] = f32("w", {1, 1, 2, 2}, {1, 1, 1, 1});
  o.weights["c.bias"] = f32("b", {1}, {0.5F});
  auto e = make_executor(b.finish(), o);
  auto out = e->run({{"x", f32("x", {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})}});
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].dims, (std::vector<std::int64_t>{1, 1, 2, 2}));
  const auto v = floats(out[0]);
  // windows: 1+2+4+5=12, 2+3+5+6=16, 4+5+7+8=24, 5+6+8+9=28
  EXPECT_FLOAT_EQ(v[0], 12.5F);
  EXPECT_FLOAT_EQ(v[1], 16.5F);
  EXPECT_FLOAT_EQ(v[2], 24.5F);
  EXPECT_FLOAT_EQ(v[3], 28.5F);
}

// Linear then softmax: y = x W^T + b, then softmax over 2 classes.
TEST(ExecOps, LinearSoftmaxByHand) {
  GraphBuilder b("lin", DType::fp32);
  const ValueId x = b.input("x", {1, 2});
  ValueId y = b.linear(x, 2, true, "fc");
  y = b.softmax(y, -1);
  b.output(y);
  ExecOptions o;
  o.weights["fc.weight"] = f32("w", {2, 2}, {1, 2, 3, 4});
  o.weights["fc.bias"] = f32("b", {2}, {0, -10});
  auto e = make_executor(b.finish(), o);
  const auto v = floats(e->run({{"x", f32("x", {1, 2}, {1, 1})}})[0]);
  // logits: 1+2 = 3, 3+4-10 = -3; softmax: 1/(1+e^-6), e^-6/(1+e^-6)
  EXPECT_NEAR(v[0], 1.0 / (1.0 + std::exp(-6.0)), 1e-6);
  EXPECT_NEAR(v[1], std::exp(-6.0) / (1.0 + std::exp(-6.0)), 1e-6);
}

// BatchNorm at inference uses the running statistics:
// (x - mean) / sqrt(var + eps) * scale + shift.
TEST(ExecOps, BatchNormUsesRunningStats) {
  GraphBuilder b("bn", DType::fp32);
  const ValueId x = b.input("x", {1, 2, 1, 1});
  b.output(b.batch_norm(x, 0.0, "bn"));
  ExecOptions o;
  o.weights["bn.weight"] = f32("", {2}, {2, 1});
  o.weights["bn.bias"] = f32("", {2}, {1, 0});
  o.weights["bn.running_mean"] = f32("", {2}, {1, -1});
  o.weights["bn.running_var"] = f32("", {2}, {4, 1});
  auto e = make_executor(b.finish(), o);
  const auto v = floats(e->run({{"x", f32("x", {1, 2, 1, 1}, {5, 3})}})[0]);
  EXPECT_FLOAT_EQ(v[0], (5.0F - 1.0F) / 2.0F * 2.0F + 1.0F);  // 5
  EXPECT_FLOAT_EQ(v[1], (3.0F + 1.0F) / 1.0F * 1.0F + 0.0F);  // 4
}

// Max pool 2x2 stride 2, ReLU, Add, Concat, Slice, Transpose, reductions.
TEST(ExecOps, DataMovementAndPoolingByHand) {
  GraphBuilder b("misc", DType::fp32);
  const ValueId x = b.input("x", {1, 1, 2, 4});
  const ValueId p = b.max_pool(x, PoolOptions{.kernel = {2, 4}});  // [1,1,1,1]
  const ValueId r = b.relu(b.sub(p, x));                           // broadcast [1,1,2,4]
  const ValueId c = b.concat({r, x}, 1);                           // [1,2,2,4]
  const ValueId s = b.slice(c, 3, 1, 4, 2);                        // cols 1, 3 -> [1,2,2,2]
  const ValueId t = b.transpose(s, {0, 1, 3, 2});
  b.output(b.reduce_sum(t, {2, 3}, false));  // [1, 2]
  auto e = make_executor(b.finish(), {});
  // x rows: [1 -2 3 0; 5 6 -7 8]; pool: the max of all, 8
  const auto v = floats(e->run({{"x", f32("x", {1, 1, 2, 4}, {1, -2, 3, 0, 5, 6, -7, 8})}})[0]);
  // r = relu(8 - x): row0: 7, 10, 5, 8; row1: 3, 2, 15, 0
  // cols 1 and 3 of r: 10, 8, 2, 0 -> 20; of x: -2, 0, 6, 8 -> 12
  ASSERT_EQ(v.size(), 2U);
  EXPECT_FLOAT_EQ(v[0], 20.0F);
  EXPECT_FLOAT_EQ(v[1], 12.0F);
}

TEST(ExecOps, AbsentInputGetsTheLightModelsFill) {
  GraphBuilder b("fill", DType::fp32);
  const ValueId x = b.input("x", {1, 4});
  b.output(b.add(x, x));
  auto e = make_executor(b.finish(), {});
  const auto v = floats(e->run({})[0]);
  // arange(4) / 4, doubled
  EXPECT_EQ(v, (std::vector<float>{0.0F, 0.5F, 1.0F, 1.5F}));
}

TEST(ExecOps, ClearErrors) {
  GraphBuilder b("err", DType::fp32);
  const ValueId x = b.input("x", {1, 4});
  b.output(b.relu(x));
  const Graph g = b.finish();
  ExecOptions bad_device;
  bad_device.device = "tpu";
  EXPECT_THROW(make_executor(g, bad_device), Error);
  ExecOptions fp16;
  fp16.dtype = DType::fp16;
  try {
    make_executor(g, fp16);
    ADD_FAILURE() << "fp16 on the CPU was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fp16"), std::string::npos) << e.what();
  }
  if (cuda_device_count() == 0) {
    ExecOptions cuda;
    cuda.device = "cuda";
    EXPECT_THROW(make_executor(g, cuda), Error);
  }
  auto e = make_executor(g, {});
  EXPECT_THROW(e->run({{"nope", f32("nope", {1}, {1})}}), Error);
  EXPECT_THROW(e->run({{"x", f32("x", {1, 3}, {1, 2, 3})}}), Error);
  ExecOptions short_weight;
  GraphBuilder b2("w", DType::fp32);
  b2.output(b2.linear(b2.input("x", {1, 2}), 2, true, "fc"));
  short_weight.weights["fc.weight"] = f32("", {3}, {1, 2, 3});
  try {
    make_executor(b2.finish(), short_weight);
    ADD_FAILURE() << "a weight of the wrong size was accepted";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("fc.weight"), std::string::npos) << err.what();
  }
}

// profile_range is for CUDA profilers: on the CPU it changes nothing.
TEST(ExecOps, ProfileRangeIsIgnoredOnTheCpu) {
  GraphBuilder b("p", DType::fp32);
  b.output(b.relu(b.input("x", {1, 4})));
  ExecOptions o;
  o.profile_range = true;
  auto e = make_executor(b.finish(), o);
  EXPECT_GT(e->infer(), 0.0);
  EXPECT_EQ(e->device_peak_memory_bytes(), std::nullopt);
}

TEST(ExecOps, BlasClassification) {
  // Debian's alternatives: OpenBLAS pthread, and the netlib reference BLAS.
  const auto ob = classify_blas("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
                                std::string("OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell"));
  EXPECT_FALSE(ob.reference);
  EXPECT_EQ(ob.description, "OpenBLAS 0.3.21 (pthread)");
  const auto ref = classify_blas("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0", std::nullopt);
  EXPECT_TRUE(ref.reference);
  EXPECT_NE(ref.description.find("reference"), std::string::npos);
  // OpenBLAS loaded beside a reference libblas that serves sgemm_: reference.
  EXPECT_TRUE(classify_blas("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0",
                            std::string("OpenBLAS 0.3.21"))
                  .reference);
  const ExecInfo info = runtime_info();
  EXPECT_FALSE(info.blas.empty());
  EXPECT_FALSE(info.libtorch_version.empty());
  EXPECT_GT(info.threads, 0);
  std::printf("runtime: LibTorch %s, BLAS %s, threads %d, CUDA built %d\n",
              info.libtorch_version.c_str(), info.blas.c_str(), info.threads, info.cuda_built);
}

// The elementwise math kinds (Exp .. Min) and Tile against std:: math on the
// same inputs: one node of `op` on x [1, n] (and y [m], broadcast).
std::vector<float> run_one(OpKind op, const std::vector<float>& x, Attributes a = {},
                           const std::vector<float>& y = {}) {
  GraphBuilder b("m", DType::fp32);
  const auto n = static_cast<std::int64_t>(x.size());
  const ValueId xv = b.input("x", {1, n});
  std::vector<ValueId> ins{xv};
  std::map<std::string, HostTensor> feeds{{"x", f32("x", {1, n}, x)}};
  if (!y.empty()) {
    ins.push_back(b.input("y", {static_cast<std::int64_t>(y.size())}));
    feeds.emplace("y", f32("y", {static_cast<std::int64_t>(y.size())}, y));
  }
  b.output(b.op(op, ins, std::move(a)));
  auto e = make_executor(b.finish(), {});
  return floats(e->run(feeds).at(0));
}

TEST(ExecElementwiseMath, UnaryOps) {
  const std::vector<float> x{0.25F, 1.0F, 4.0F};
  const auto e = run_one(OpKind::Exp, x);
  const auto l = run_one(OpKind::Log, x);
  const auto s = run_one(OpKind::Sqrt, x);
  const auto r = run_one(OpKind::Reciprocal, x);
  const auto sp = run_one(OpKind::Softplus, x);
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(e[i], std::exp(x[i]), 1e-5 * std::exp(x[i]));
    EXPECT_NEAR(l[i], std::log(x[i]), 1e-6);
    EXPECT_NEAR(s[i], std::sqrt(x[i]), 1e-6);
    EXPECT_NEAR(r[i], 1.0 / x[i], 1e-6);
    EXPECT_NEAR(sp[i], std::log1p(std::exp(x[i])), 1e-5);
  }
  EXPECT_EQ(run_one(OpKind::Neg, {1.5F, -2.0F}), (std::vector<float>{-1.5F, 2.0F}));
  EXPECT_EQ(run_one(OpKind::Abs, {1.5F, -2.0F}), (std::vector<float>{1.5F, 2.0F}));
}

TEST(ExecElementwiseMath, BinaryOpsBroadcast) {
  // x [1, 3] against y [1]: numpy broadcasting.
  EXPECT_EQ(run_one(OpKind::Pow, {2.0F, 3.0F, -1.0F}, {}, {2.0F}),
            (std::vector<float>{4.0F, 9.0F, 1.0F}));
  EXPECT_EQ(run_one(OpKind::Max, {2.0F, -3.0F, 0.5F}, {}, {0.0F}),
            (std::vector<float>{2.0F, 0.0F, 0.5F}));
  EXPECT_EQ(run_one(OpKind::Min, {2.0F, -3.0F, 0.5F}, {}, {1.0F}),
            (std::vector<float>{1.0F, -3.0F, 0.5F}));
}

TEST(ExecElementwiseMath, TileRepeatsEachDim) {
  Attributes a;
  a.set("repeats", std::vector<std::int64_t>{2, 2});
  // [[1, 2]] tiled 2x2: [[1, 2, 1, 2], [1, 2, 1, 2]].
  EXPECT_EQ(run_one(OpKind::Tile, {1.0F, 2.0F}, a), (std::vector<float>{1, 2, 1, 2, 1, 2, 1, 2}));
}

// Comparisons, Not, Where and Cast: x = [3, -1, 2, 0] against y = [1.5].
TEST(ExecElementwiseMath, ComparisonsWhereAndCast) {
  GraphBuilder b("cmp", DType::fp32);
  const ValueId x = b.input("x", {1, 4});
  const ValueId y = b.input("y", {1});
  // where(x > y, x, y) = [3, 1.5, 2, 1.5]
  b.output(b.op(OpKind::Where, {b.op(OpKind::Greater, {x, y}), x, y}));
  // float(!(x < y)) = [1, 0, 1, 0]; float(x == x) = [1, 1, 1, 1]
  Attributes to_f32;
  to_f32.set("to", std::string("fp32"));
  b.output(b.op(OpKind::Cast, {b.op(OpKind::Not, {b.op(OpKind::Less, {x, y})})}, to_f32));
  b.output(b.op(OpKind::Cast, {b.op(OpKind::Equal, {x, x})}, to_f32));
  auto e = make_executor(b.finish(), {});
  const auto out = e->run({{"x", f32("x", {1, 4}, {3, -1, 2, 0})}, {"y", f32("y", {1}, {1.5F})}});
  ASSERT_EQ(out.size(), 3U);
  EXPECT_EQ(floats(out[0]), (std::vector<float>{3, 1.5F, 2, 1.5F}));
  EXPECT_EQ(floats(out[1]), (std::vector<float>{1, 0, 1, 0}));
  EXPECT_EQ(floats(out[2]), (std::vector<float>{1, 1, 1, 1}));
}

// ReduceMax/ReduceMin and ArgMax/ArgMin on x = [[3, -1, 2], [0, 5, 5]].
TEST(ExecElementwiseMath, ReduceMaxMinArgMaxMin) {
  GraphBuilder b("red", DType::fp32);
  const ValueId x = b.input("x", {2, 3});
  Attributes rows;
  rows.set("axes", std::vector<std::int64_t>{1});
  rows.set("keepdims", std::int64_t{0});
  b.output(b.op(OpKind::ReduceMax, {x}, rows));  // [3, 5]
  b.output(b.op(OpKind::ReduceMin, {x}, rows));  // [-1, 0]
  Attributes axis1;
  axis1.set("axis", std::int64_t{1});
  axis1.set("keepdims", std::int64_t{0});
  Attributes to_f32;
  to_f32.set("to", std::string("fp32"));
  // argmax per row: [0, 1] (the first of the tied 5s); argmin: [1, 0]
  b.output(b.op(OpKind::Cast, {b.op(OpKind::ArgMax, {x}, axis1)}, to_f32));
  b.output(b.op(OpKind::Cast, {b.op(OpKind::ArgMin, {x}, axis1)}, to_f32));
  auto e = make_executor(b.finish(), {});
  const auto out = e->run({{"x", f32("x", {2, 3}, {3, -1, 2, 0, 5, 5})}});
  ASSERT_EQ(out.size(), 4U);
  EXPECT_EQ(floats(out[0]), (std::vector<float>{3, 5}));
  EXPECT_EQ(floats(out[1]), (std::vector<float>{-1, 0}));
  EXPECT_EQ(floats(out[2]), (std::vector<float>{0, 1}));
  EXPECT_EQ(floats(out[3]), (std::vector<float>{1, 0}));
}

}  // namespace
}  // namespace dnnroof
