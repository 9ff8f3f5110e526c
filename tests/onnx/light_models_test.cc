// The ONNX model-zoo networks of /work/shared/onnx-testdata/light (opset 9,
// weights replaced by ConstantOfShape nodes): every one imports; parameters
// and buffers equal a count made here straight from the protobuf; output
// shapes equal the stored expected outputs'; MACs equal hand-worked AlexNet
// and the zoo's torchvision-equivalent ResNet-50, VGG-19 and SqueezeNet 1.1.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>

#include "cost/cost.h"
#include "onnx_testing.h"

namespace dnnroof {
namespace {

using onnx_testing::read_file;

const std::string kLight = std::string(DNNROOF_SHARED_DIR) + "/onnx-testdata/light/";
const char* const kModels[] = {"bvlc_alexnet", "inception_v1", "resnet50",
                               "shufflenet",   "squeezenet",   "vgg19"};

struct Counts {
  double params = 0;
  double buffers = 0;
};

// Independent of the importer: the element count of every float initializer
// some node reads (small weights kept as data) and of every ConstantOfShape (its shape is an
// int64 initializer); a buffer when a BatchNormalization reads it as mean or
// variance (inputs 3, 4), a parameter otherwise.
Counts count_from_protobuf(const std::string& path) {
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(read_file(path)));
  auto is_bn_stat = [&](const std::string& value) {
    for (const auto& user : m.graph().node()) {
      if (user.op_type() != "BatchNormalization") continue;
      for (int i = 3; i < user.input_size(); ++i) {
        if (user.input(i) == value) return true;
      }
    }
    return false;
  };
  // resnet50 holds an initializer no node reads (Caffe2's input queue): not part of the network.
  auto is_read = [&](const std::string& value) {
    for (const auto& user : m.graph().node()) {
      for (const auto& in : user.input()) {
        if (in == value) return true;
      }
    }
    return false;
  };
  Counts c;
  std::map<std::string, std::int64_t> shape_elems;
  for (const auto& t : m.graph().initializer()) {
    if (t.data_type() == onnx::TensorProto::INT64) {
      std::int64_t n = 1;
      for (std::size_t i = 0; i * 8 < t.raw_data().size(); ++i) {
        std::int64_t d = 0;
        std::memcpy(&d, t.raw_data().data() + i * 8, 8);
        n *= d;
      }
      shape_elems[t.name()] = n;
    } else if (t.data_type() == onnx::TensorProto::FLOAT && is_read(t.name())) {
      double n = 1;
      for (auto d : t.dims()) n *= static_cast<double>(d);
      (is_bn_stat(t.name()) ? c.buffers : c.params) += n;
    }
  }
  for (const auto& node : m.graph().node()) {
    if (node.op_type() != "ConstantOfShape") continue;
    const double n = static_cast<double>(shape_elems.at(node.input(0)));
    (is_bn_stat(node.output(0)) ? c.buffers : c.params) += n;
  }
  return c;
}

TEST(OnnxLight, EveryModelImportsWithProtobufCountsAndExpectedOutputShape) {
  for (const char* name : kModels) {
    SCOPED_TRACE(name);
    const std::string path = kLight + "light_" + name + ".onnx";
    const Graph g = import_onnx_file(path);
    const ModelCost cost = estimate_cost(g);
    const Counts expected = count_from_protobuf(path);
    EXPECT_GT(expected.params, 0);
    EXPECT_EQ(cost.params, expected.params);
    EXPECT_EQ(cost.buffers, expected.buffers);
    onnx::TensorProto out;
    ASSERT_TRUE(out.ParseFromString(read_file(kLight + "light_" + name + "_output_0.pb")));
    ASSERT_EQ(g.outputs.size(), 1U);
    EXPECT_EQ(g.value(g.outputs[0]).shape, Shape(out.dims().begin(), out.dims().end()));
    EXPECT_TRUE(cost.uncovered.empty());
  }
}

TEST(OnnxLight, AlexNetBvlcByHand) {
  // BVLC AlexNet (Caffe): LRN, conv2/4/5 in 2 groups, 227-style 11x11/4 on a
  // 224 input without padding: 54x54 after conv1, pools 3/2 to 26, 12, 6.
  const Graph g = import_onnx_file(kLight + "light_bvlc_alexnet.onnx");
  const ModelCost cost = estimate_cost(g);
  const double conv1 = 96.0 * 3 * 11 * 11 * 54 * 54;
  const double conv2 = 256.0 * 48 * 5 * 5 * 26 * 26;
  const double conv3 = 384.0 * 256 * 3 * 3 * 12 * 12;
  const double conv4 = 384.0 * 192 * 3 * 3 * 12 * 12;
  const double conv5 = 256.0 * 192 * 3 * 3 * 12 * 12;
  const double fc = 9216.0 * 4096 + 4096.0 * 4096 + 4096.0 * 1000;
  EXPECT_EQ(cost.forward.macs, conv1 + conv2 + conv3 + conv4 + conv5 + fc);
  const double params = (96.0 * 3 * 121 + 96) + (256.0 * 48 * 25 + 256) + (384.0 * 256 * 9 + 384) +
                        (384.0 * 192 * 9 + 384) + (256.0 * 192 * 9 + 256) + (9216.0 * 4096 + 4096) +
                        (4096.0 * 4096 + 4096) + (4096.0 * 1000 + 1000);
  EXPECT_EQ(cost.params, params);
  EXPECT_EQ(params, 60'965'224);  // the published BVLC AlexNet count
  EXPECT_EQ(onnx_testing::count_ops(g, OpKind::Lrn), 2);
}

#if defined(DNNROOF_TEST_HAVE_ZOO)
TEST(OnnxLight, SameAsTorchvisionArchitecturesInTheZoo) {
  // ResNet-50, VGG-19 and SqueezeNet 1.1 have the torchvision layer shapes.
  for (const auto& [file, zoo] : std::map<std::string, std::string>{
           {"resnet50", "resnet50"}, {"vgg19", "vgg19"}, {"squeezenet", "squeezenet1_1"}}) {
    SCOPED_TRACE(file);
    const ModelCost a = estimate_cost(import_onnx_file(kLight + "light_" + file + ".onnx"));
    const ModelCost b = estimate_cost(build_zoo_model(zoo, ZooOptions{}));
    EXPECT_EQ(a.params, b.params);
    EXPECT_EQ(a.buffers, b.buffers);
    EXPECT_EQ(a.forward.macs, b.forward.macs);
  }
}
#endif

TEST(OnnxLight, BatchOptionRebatchesAFixedBatchFile) {
  // The file fixes batch 1 and reshapes to [1, 9216] before fc6; asked for
  // batch 8, every activation gets dim 0 = 8 and the MACs scale by 8.
  OnnxImportOptions o;
  o.batch = 8;
  o.override_fixed_batch = true;
  const Graph g8 = import_onnx_file(kLight + "light_bvlc_alexnet.onnx", o);
  const Graph g1 = import_onnx_file(kLight + "light_bvlc_alexnet.onnx");
  EXPECT_EQ(g8.value(g8.outputs[0]).shape, (Shape{8, 1000}));
  EXPECT_EQ(estimate_cost(g8).forward.macs, 8 * estimate_cost(g1).forward.macs);
  // Without override a fixed dim stays as the file says.
  OnnxImportOptions keep;
  keep.batch = 8;
  const Graph kept = import_onnx_file(kLight + "light_bvlc_alexnet.onnx", keep);
  EXPECT_EQ(kept.value(kept.inputs.at(0)).shape, (Shape{1, 3, 224, 224}));
  // Every light model (ShuffleNet reshapes to [1, groups, ...] in each
  // channel shuffle): batch 8 has the same parameters and 8x the MACs.
  for (const char* name : {"light_bvlc_alexnet", "light_inception_v1", "light_resnet50",
                           "light_shufflenet", "light_squeezenet", "light_vgg19"}) {
    SCOPED_TRACE(name);
    const std::string path = kLight + name + ".onnx";
    const ModelCost c1 = estimate_cost(import_onnx_file(path));
    const Graph g = import_onnx_file(path, o);
    const ModelCost c8 = estimate_cost(g);
    EXPECT_EQ(g.value(g.outputs.at(0)).shape.at(0), 8);
    EXPECT_EQ(c8.params, c1.params);
    EXPECT_EQ(c8.forward.macs, 8 * c1.forward.macs);
  }
}

TEST(OnnxLight, FullLoadAgreesWithAnalysisOnlyLoad) {
  OnnxImportOptions full;
  full.load_weights = true;
  for (const char* name : kModels) {
    SCOPED_TRACE(name);
    const std::string path = kLight + "light_" + name + ".onnx";
    const ModelCost a = estimate_cost(import_onnx_file(path));
    const ModelCost b = estimate_cost(import_onnx_file(path, full));
    EXPECT_EQ(a.params, b.params);
    EXPECT_EQ(a.forward.macs, b.forward.macs);
    EXPECT_EQ(a.nodes.size(), b.nodes.size());
  }
}

}  // namespace
}  // namespace dnnroof
