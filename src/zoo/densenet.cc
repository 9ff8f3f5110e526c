// Family: DenseNet-BC, mirroring torchvision's torchvision/models/densenet.py
// (classes _DenseLayer, _DenseBlock, _Transition, DenseNet): growth rate 32,
// bn_size 4, 64 initial features, drop_rate 0, block configs (6, 12, 24, 16)
// for densenet121 and (6, 12, 32, 32) for densenet169.
//
// Each dense layer concatenates all the features before it (torch.cat in
// _DenseLayer.bn_function), so a block of L layers has L concatenations
// growing by 32 channels each, plus the block's own final torch.cat; this is
// what makes DenseNet memory-bound and is kept node for node. The first layer
// of a block gets a single tensor, which torchvision concatenates to itself (a
// copy); the graph feeds it directly. Names follow the state_dict:
// features.conv0, features.denseblock1.denselayer1.norm1, ...,
// features.transition1.conv, features.norm5, classifier.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "zoo/detail/cnn_common.h"
#include "zoo/detail/families.h"

namespace dnnroof::zoo {
namespace {

constexpr std::int64_t kGrowthRate = 32;
constexpr std::int64_t kBnSize = 4;
constexpr std::int64_t kInitFeatures = 64;

// _DenseLayer.forward in the scope "denselayer<i>".
ValueId dense_layer(GraphBuilder& b, const std::vector<ValueId>& features) {
  ValueId x = features.size() == 1 ? features.front() : concat_channels(b, features);
  x = b.batch_norm(x, 1e-5, "norm1");
  x = relu(b, x, "relu1");
  x = conv2d(b, x, square_conv(kBnSize * kGrowthRate, 1, 1, 0, /*bias=*/false), "conv1");
  x = b.batch_norm(x, 1e-5, "norm2");
  x = relu(b, x, "relu2");
  return conv2d(b, x, square_conv(kGrowthRate, 3, 1, 1, /*bias=*/false), "conv2");
}

Graph build_densenet(const std::string& name, const std::array<int, 4>& block_config,
                     const ZooOptions& options) {
  GraphBuilder b(name, options.dtype);
  ValueId x = image_input(b, options, 224);
  {
    auto features = b.scope("features");
    x = conv2d(b, x, square_conv(kInitFeatures, 7, 2, 3, /*bias=*/false), "conv0");
    x = b.batch_norm(x, 1e-5, "norm0");
    x = relu(b, x, "relu0");
    x = max_pool2d(b, x, Pool2d{3, 2, 1, false}, "pool0");

    std::int64_t num_features = kInitFeatures;
    for (std::size_t i = 0; i < block_config.size(); ++i) {
      {
        // _DenseBlock.forward
        auto block = b.scope("denseblock" + std::to_string(i + 1));
        std::vector<ValueId> feats{x};
        for (int layer = 0; layer < block_config[i]; ++layer) {
          auto s = b.scope("denselayer" + std::to_string(layer + 1));
          feats.push_back(dense_layer(b, feats));
        }
        x = concat_channels(b, feats);
        num_features += block_config[i] * kGrowthRate;
      }
      if (i + 1 != block_config.size()) {
        // _Transition: BN, ReLU, 1x1 conv halving the channels, AvgPool2d(2, 2).
        auto trans = b.scope("transition" + std::to_string(i + 1));
        num_features /= 2;
        x = b.batch_norm(x, 1e-5, "norm");
        x = relu(b, x, "relu");
        x = conv2d(b, x, square_conv(num_features, 1, 1, 0, /*bias=*/false), "conv");
        x = avg_pool2d(b, x, Pool2d{2, 2, 0, false}, "pool");
      }
    }
    x = b.batch_norm(x, 1e-5, "norm5");
  }
  // DenseNet.forward: F.relu, F.adaptive_avg_pool2d((1, 1)), flatten, classifier.
  {
    auto call = b.torch_call("F.relu");
    x = relu(b, x, "relu");
  }
  {
    auto call = b.torch_call("F.adaptive_avg_pool2d");
    x = adaptive_avg_pool2d(b, x, 1, 1, "avgpool");
  }
  x = flatten1(b, x);
  x = b.linear(x, options.num_classes, true, "classifier");
  b.output(x);
  return b.finish();
}

ZooEntry densenet_entry(const std::string& name, const std::array<int, 4>& block_config) {
  return image_classifier(name, "DenseNet", 224, [name, block_config](const ZooOptions& o) {
    return build_densenet(name, block_config, o);
  });
}

}  // namespace

std::vector<ZooEntry> densenet_family() {
  return {
      densenet_entry("densenet121", {6, 12, 24, 16}),
      densenet_entry("densenet169", {6, 12, 32, 32}),
  };
}

}  // namespace dnnroof::zoo
