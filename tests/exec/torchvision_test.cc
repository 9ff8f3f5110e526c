// Executor vs torchvision: /usr/bin/python3 (Debian's python3-torch) builds a
// torchvision model with seeded random weights, exports it to ONNX and saves
// its own output for a seeded input (torchvision_ref.py). The executor must
// reproduce that output twice: from the imported ONNX graph, and from the
// built-in zoo graph fed the same weights by name (the zoo names parameters
// as torchvision's state_dict does). Skips when python3-torch is absent.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "exec/executor.h"
#include "onnx/onnx_import.h"
#include "onnx/tensor_io.h"
#include "zoo/zoo.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

bool python_has_torch() {
  return std::system("/usr/bin/python3 -c 'import torch, torchvision' >/dev/null 2>&1") == 0;
}

fs::path temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "dnnroof_exec_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw Error("mkdtemp failed");
  return pattern;
}

std::vector<float> floats(const HostTensor& t) {
  EXPECT_EQ(t.dtype, DType::fp32);
  std::vector<float> v(t.data.size() / 4);
  std::memcpy(v.data(), t.data.data(), t.data.size());
  return v;
}

void expect_close(const HostTensor& got, const HostTensor& want, const std::string& what) {
  ASSERT_EQ(got.dims, want.dims) << what;
  const auto a = floats(got);
  const auto b = floats(want);
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double err = std::abs(static_cast<double>(a[i]) - b[i]);
    EXPECT_LE(err, 1e-4 + 1e-3 * std::abs(b[i])) << what << " element " << i;
    worst = std::max(worst, err);
  }
  std::printf("%s: %zu outputs, max |diff| %.3g\n", what.c_str(), a.size(), worst);
}

void compare(const std::string& model, std::int64_t size) {
  if (!python_has_torch()) GTEST_SKIP() << "/usr/bin/python3 has no torch/torchvision";
  const fs::path dir = temp_dir();
  const std::string cmd = "/usr/bin/python3 " + std::string(DNNROOF_SOURCE_DIR) +
                          "/tests/exec/torchvision_ref.py " + dir.string() + " " + model + " " +
                          std::to_string(size) + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::string onnx_file = (dir / "model.onnx").string();
  const HostTensor x = read_tensor_pb((dir / "input_0.pb").string());
  const HostTensor want = read_tensor_pb((dir / "output_0.pb").string());

  // The imported ONNX graph with the file's weights.
  {
    ExecOptions o;
    o.weights = read_onnx_weights(onnx_file);
    auto e = make_executor(import_onnx_file(onnx_file), o);
    EXPECT_TRUE(e->info().seeded.empty()) << e->info().seeded.front();
    expect_close(e->run({{"x", x}}).at(0), want, model + " (ONNX import)");
  }
  // The zoo graph with the same weights, by torchvision's parameter names.
  {
    ZooOptions zo;
    zo.image_size = size;
    const Graph g = build_zoo_model(model, zo);
    ExecOptions o;
    o.weights = read_onnx_initializers(onnx_file);
    auto e = make_executor(g, o);
    EXPECT_TRUE(e->info().seeded.empty())
        << e->info().seeded.size() << " zoo weights not in the export, e.g. "
        << e->info().seeded.front();
    const std::string input = g.value(g.inputs.at(0)).name;
    HostTensor xi = x;
    xi.name = input;
    expect_close(e->run({{input, xi}}).at(0), want, model + " (zoo graph)");
  }
  fs::remove_all(dir);
}

TEST(ExecTorchvision, ResNet18) { compare("resnet18", 64); }
TEST(ExecTorchvision, MobileNetV2) { compare("mobilenet_v2", 64); }

}  // namespace
}  // namespace dnnroof
