// Every model of onnx-testdata/pytorch-converted and pytorch-operator (opset
// 6 and 9 exports of single torch modules and operators) imports, or fails
// with the clear unsupported-op error; the list of what imports is printed.
// Today all of them import.
// Output shapes equal the stored expected outputs (output_0.pb).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "onnx_testing.h"

namespace dnnroof {
namespace {

using onnx_testing::read_file;

TEST(OnnxConformanceData, EveryModelImportsOrNamesItsUnsupportedOps) {
  int imported = 0;
  int unsupported = 0;
  std::string list;
  for (const char* folder : {"pytorch-converted", "pytorch-operator"}) {
    const std::filesystem::path root =
        std::filesystem::path(DNNROOF_SHARED_DIR) / "onnx-testdata" / folder;
    std::vector<std::filesystem::path> dirs;
    for (const auto& e : std::filesystem::directory_iterator(root)) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    for (const auto& dir : dirs) {
      SCOPED_TRACE(dir.string());
      try {
        const Graph g = import_onnx_file((dir / "model.onnx").string());
        onnx::TensorProto expected;
        ASSERT_TRUE(
            expected.ParseFromString(read_file((dir / "test_data_set_0/output_0.pb").string())));
        EXPECT_EQ(g.value(g.outputs.at(0)).shape,
                  Shape(expected.dims().begin(), expected.dims().end()));
        ++imported;
        list.push_back(' ');
        list.append(dir.filename().string());
      } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("use ops dnnroof does not support"), std::string::npos) << what;
        ++unsupported;
      }
    }
  }
  std::printf("imported %d, unsupported ops in %d:%s\n", imported, unsupported, list.c_str());
  // 95 imported before the elementwise math ops and Tile; every model (109)
  // imports since.
  EXPECT_EQ(imported, 109);
  EXPECT_EQ(unsupported, 0);
}

}  // namespace
}  // namespace dnnroof
