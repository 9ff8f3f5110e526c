// torchvision models as torch 2.x exports them (tests/onnx/fixtures, made
// once by fixtures/export_torch2.py with torch 2.15: eval mode, constant
// folding, opset 17, a dynamic batch; weights moved to external data that is
// not kept), imported at batch 4 and compared with the zoo's model at batch
// 4: MACs, the MACs of every Conv and Linear node in order, the output shape, every
// node costed. Parameters are every float initializer of more than one
// element, each once, summed here from the protobuf; for the models without
// BatchNorm (which the export fuses into the convolutions) they also equal
// the zoo's, which equal torchvision's. swin_t's parameters differ from the
// zoo's too: the export folds each block's relative position bias (a [169, h]
// table gathered by a constant index) into a [1, h, 49, 49] initializer, and
// its shifted-window masks (ScatterND writes into a ConstantOfShape, then
// Sub, Equal, Where) fold into constants, not parameters.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "cost/cost.h"
#include "onnx_testing.h"

namespace dnnroof {
namespace {

#if defined(DNNROOF_TEST_HAVE_ZOO)

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(DNNROOF_SOURCE_DIR) / "tests" / "onnx" / "fixtures";

// Float initializers of more than one element, each name once, but
// BatchNormalization's running statistics (inputs 3 and 4: buffers) [elements].
double initializer_params(const fs::path& file) {
  onnx::ModelProto model;
  EXPECT_TRUE(model.ParseFromString(onnx_testing::read_file(file.string()))) << file;
  std::set<std::string> seen;
  for (const auto& node : model.graph().node()) {
    if (node.op_type() != "BatchNormalization") continue;
    for (int i = 3; i < std::min(node.input_size(), 5); ++i) seen.insert(node.input(i));
  }
  double n = 0;
  for (const auto& t : model.graph().initializer()) {
    if (t.data_type() != onnx::TensorProto::FLOAT || !seen.insert(t.name()).second) continue;
    double numel = 1;
    for (auto d : t.dims()) numel *= static_cast<double>(d);
    if (numel > 1) n += numel;
  }
  return n;
}

struct Case {
  std::string file;   // in fixtures/
  std::string model;  // the zoo's name
  bool batchnorm;     // fused (or, swin_t, bias tables folded) by the export: parameters differ
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.file; }

class Torch2Export : public ::testing::TestWithParam<Case> {};

TEST_P(Torch2Export, ImportsWithADynamicBatchAndEqualsTheZoo) {
  const Case& c = GetParam();
  const fs::path file = kFixtures / c.file;
  ASSERT_TRUE(fs::exists(file)) << file << " (run tests/onnx/fixtures/export_torch2.py)";
  OnnxImportOptions o;
  o.batch = 4;
  const Graph onnx = import_onnx_file(file.string(), o);
  ZooOptions zo;
  zo.batch = 4;
  const Graph zoo = build_zoo_model(c.model, zo);
  const auto [a, b] = onnx_testing::expect_same_work(onnx, zoo);
  EXPECT_EQ(onnx.name, fs::path(c.file).stem().string());
  EXPECT_EQ(a.params, initializer_params(file));
  if (!c.batchnorm) {
    EXPECT_EQ(a.params, b.params);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Torchvision, Torch2Export,
    ::testing::Values(
        Case{"resnet18.onnx", "resnet18", true}, Case{"resnet18_dynamo.onnx", "resnet18", true},
        Case{"resnet50.onnx", "resnet50", true}, Case{"alexnet.onnx", "alexnet", false},
        Case{"vgg16.onnx", "vgg16", false}, Case{"squeezenet1_0.onnx", "squeezenet1_0", false},
        Case{"googlenet.onnx", "googlenet", true}, Case{"inception_v3.onnx", "inception_v3", true},
        Case{"densenet121.onnx", "densenet121", true},
        Case{"shufflenet_v2_x1_0.onnx", "shufflenet_v2_x1_0", true},
        Case{"mobilenet_v2.onnx", "mobilenet_v2", true},
        Case{"mobilenet_v3_large.onnx", "mobilenet_v3_large", true},
        Case{"mnasnet1_0.onnx", "mnasnet1_0", true},
        Case{"efficientnet_b0.onnx", "efficientnet_b0", true},
        Case{"regnet_y_400mf.onnx", "regnet_y_400mf", true},
        Case{"convnext_tiny.onnx", "convnext_tiny", false},
        Case{"vit_b_16.onnx", "vit_b_16", false}, Case{"vit_b_16_dynamo.onnx", "vit_b_16", false},
        Case{"swin_t.onnx", "swin_t", true}),
    [](const ::testing::TestParamInfo<Case>& param_info) {
      return fs::path(param_info.param.file).stem().string();
    });

// torchvision's init makes every fused Conv bias zero, and the exporter keeps
// one zero tensor per size, shared through Identity nodes: counted once.
// By hand: torchvision's 11,689,512 - 9,600 BatchNorm weights and biases +
// 4,800 fused biases (64 x 5, 128 x 5, 256 x 5, 512 x 5) - the 4 copies of
// each size that are the same tensor (4 x (64 + 128 + 256 + 512) = 3,840).
TEST(Torch2ExportShared, ResNet18SharedZeroBiasesAreCountedOnce) {
  const fs::path file = kFixtures / "resnet18_untrained.onnx";
  ASSERT_TRUE(fs::exists(file)) << file;
  OnnxImportOptions o;
  o.batch = 1;
  const ModelCost c = estimate_cost(import_onnx_file(file.string(), o));
  EXPECT_EQ(c.params, 11689512 - 9600 + 4800 - 3840);
  EXPECT_EQ(c.params, initializer_params(file));
}

// The same with mobilenet_v2, which counted 12,808 parameters too many before
// the fix (each Identity's use counted once more). Its 52 Conv + BatchNorm
// pairs, by hand from torchvision's MobileNetV2 (stem 32; inverted residuals
// (t, c, n) = (1, 16, 1), (6, 24, 2), (6, 32, 3), (6, 64, 4), (6, 96, 3),
// (6, 160, 3), (6, 320, 1), each an expand conv of in * t channels (not when
// t = 1), a depthwise conv of in * t and a projection to c; last conv 1280):
// fused biases of 17,056 channels in all, all zero, in 13 sizes whose sum is
// 4,248; the exporter keeps one tensor per size, so 17,056 - 4,248 = 12,808
// bias elements are the same tensors read again.
TEST(Torch2ExportShared, MobileNetV2SharedZeroBiasesAreCountedOnce) {
  const fs::path file = kFixtures / "mobilenet_v2_untrained.onnx";
  ASSERT_TRUE(fs::exists(file)) << file;
  std::vector<std::int64_t> bn = {32};
  std::int64_t in = 32;
  const std::int64_t blocks[][3] = {{1, 16, 1}, {6, 24, 2},  {6, 32, 3}, {6, 64, 4},
                                    {6, 96, 3}, {6, 160, 3}, {6, 320, 1}};
  for (const auto& [t, c, n] : blocks) {
    for (std::int64_t i = 0; i < n; ++i) {
      if (t != 1) bn.push_back(in * t);
      bn.push_back(in * t);
      bn.push_back(c);
      in = c;
    }
  }
  bn.push_back(1280);
  ASSERT_EQ(bn.size(), 52U);
  std::int64_t all = 0;
  for (std::int64_t c : bn) all += c;
  const std::set<std::int64_t> sizes(bn.begin(), bn.end());
  std::int64_t distinct = 0;
  for (std::int64_t c : sizes) distinct += c;
  EXPECT_EQ(all - distinct, 12808);
  OnnxImportOptions o;
  o.batch = 1;
  const ModelCost c = estimate_cost(import_onnx_file(file.string(), o));
  // torchvision's 3,504,872 - BatchNorm weights and biases + the fused
  // biases, each size once.
  EXPECT_EQ(c.params, 3504872 - 2 * all + distinct);
  EXPECT_EQ(c.params, initializer_params(file));
}

#endif

}  // namespace
}  // namespace dnnroof
