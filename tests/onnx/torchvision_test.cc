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
#if __has_include("zoo/zoo.h")
#include "zoo/zoo.h"
#define DNNROOF_TEST_HAVE_ZOO 1
#endif

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

std::vector<double> matrix_macs(const ModelCost& c) {
  std::vector<double> v;
  for (const NodeCost& n : c.nodes) {
    if (n.op == OpKind::Conv || n.op == OpKind::Gemm) v.push_back(n.forward.macs);
  }
  return v;
}

void compare_with_zoo(const std::string& model, int opset) {
  if (!python_has_torch()) GTEST_SKIP() << "/usr/bin/python3 has no torch/torchvision";
  const std::filesystem::path dir = temp_dir();
  const std::string cmd = "/usr/bin/python3 " + std::string(DNNROOF_SOURCE_DIR) +
                          "/tests/onnx/export_torchvision.py " + dir.string() + " " + model +
                          " --opset " + std::to_string(opset) + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const Graph onnx = import_onnx_file((dir / (model + ".onnx")).string());
  std::filesystem::remove_all(dir);
  const Graph zoo = build_zoo_model(model, ZooOptions{});
  const ModelCost a = estimate_cost(onnx);
  const ModelCost b = estimate_cost(zoo);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.buffers, b.buffers);
  EXPECT_EQ(a.forward.macs, b.forward.macs);
  EXPECT_EQ(onnx.value(onnx.outputs.at(0)).shape, zoo.value(zoo.outputs.at(0)).shape);
  EXPECT_EQ(matrix_macs(a), matrix_macs(b));
  EXPECT_TRUE(a.uncovered.empty());
}

TEST(OnnxTorchvision, ResNet18MatchesTheZoo) { compare_with_zoo("resnet18", 13); }
TEST(OnnxTorchvision, MobileNetV2MatchesTheZoo) { compare_with_zoo("mobilenet_v2", 13); }
TEST(OnnxTorchvision, AlexNetMatchesTheZoo) { compare_with_zoo("alexnet", 9); }

#endif

}  // namespace
}  // namespace dnnroof
