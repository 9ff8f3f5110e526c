// torchvision models exported to ONNX by Debian's python3-torch in the test
// itself, imported, and compared with the zoo's builder version of the same
// model: parameters, buffers, MACs and output shape equal, and the MACs of
// every Conv/Gemm node equal, in order. Skips when /usr/bin/python3 has no
// torch/torchvision.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "cost/cost.h"
#include "onnx_testing.h"

namespace dnnroof {
namespace {

#if defined(DNNROOF_TEST_HAVE_ZOO)

bool python_has_torch() {
  return std::system("/usr/bin/python3 -c 'import torch, torchvision' >/dev/null 2>&1") == 0;
}

// A fresh directory per process (tests run in parallel).
std::filesystem::path temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "dnnroof_onnx_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw Error("mkdtemp failed");
  return pattern;
}

// Exports `model` at batch 1 (with torch's constant folding when `fold`),
// imports it at `batch` (replacing the file's fixed batch when given) and
// compares it with the zoo's model at that batch.
void compare_with_zoo(const std::string& model, int opset, std::int64_t batch = 1,
                      bool fold = false, bool dynamic_batch = false) {
  if (!python_has_torch()) GTEST_SKIP() << "/usr/bin/python3 has no torch/torchvision";
  const std::filesystem::path dir = temp_dir();
  const std::string cmd = "/usr/bin/python3 " + std::string(DNNROOF_SOURCE_DIR) +
                          "/tests/onnx/export_torchvision.py " + dir.string() + " " + model +
                          " --opset " + std::to_string(opset) + (fold ? " --fold" : "") +
                          (dynamic_batch ? " --dynamic-batch" : "") + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  OnnxImportOptions options;
  if (batch != 1) {
    options.batch = batch;
    options.override_fixed_batch = !dynamic_batch;
  }
  const Graph onnx = import_onnx_file((dir / (model + ".onnx")).string(), options);
  std::filesystem::remove_all(dir);
  ZooOptions zo;
  zo.batch = batch;
  const Graph zoo = build_zoo_model(model, zo);
  const auto [a, b] = onnx_testing::expect_same_work(onnx, zoo);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.buffers, b.buffers);
}

TEST(OnnxTorchvision, ResNet18MatchesTheZoo) { compare_with_zoo("resnet18", 13); }
TEST(OnnxTorchvision, MobileNetV2MatchesTheZoo) { compare_with_zoo("mobilenet_v2", 13); }
TEST(OnnxTorchvision, AlexNetMatchesTheZoo) { compare_with_zoo("alexnet", 9); }
// Exported at batch 1 with constant folding, the batch is fixed in the file
// (the input [1, 3, 224, 224]; ShuffleNet's channel shuffles reshape to
// constant targets [1, 2, C/2, H, W] and back); --batch 8 with the override
// re-batches them to the zoo's batch-8 model.
// Exported with a dynamic batch (dim 0 symbolic), as people export for
// serving: the exporter writes the shape arithmetic that carries the batch
// (Shape, Gather, Concat, and for vit_b_16 the attention's reshapes), which
// folds at any batch.
TEST(OnnxTorchvision, DynamicBatchExportsMatchTheZooAt4) {
  compare_with_zoo("resnet18", 17, 4, true, true);
  compare_with_zoo("mobilenet_v2", 17, 4, true, true);
  compare_with_zoo("vit_b_16", 17, 4, true, true);
}
TEST(OnnxTorchvision, FoldedFixedBatchExportsRebatchTo8) {
  compare_with_zoo("shufflenet_v2_x1_0", 13, 8, true);
  compare_with_zoo("mobilenet_v2", 13, 8, true);
}

#endif

}  // namespace
}  // namespace dnnroof
