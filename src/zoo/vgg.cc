// Family: VGG, mirroring torchvision's torchvision/models/vgg.py (class VGG,
// make_layers and the configurations "A", "B", "D", "E" for VGG-11/13/16/19,
// with and without BatchNorm). Names follow the state_dict: features.<i>
// counts every layer of the Sequential (conv, [bn,] relu, pool), then avgpool
// and classifier.0 ... classifier.6.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "zoo/detail/cnn_common.h"
#include "zoo/detail/families.h"

namespace dnnroof::zoo {
namespace {

// cfgs["A"], ["B"], ["D"], ["E"] of vgg.py, written per stage: the number of
// 3x3 convs in each of the five stages (64, 128, 256, 512, 512 channels);
// every stage ends with a max pool ("M" in torchvision's lists).
constexpr std::array<std::int64_t, 5> kStageChannels{64, 128, 256, 512, 512};

std::array<int, 5> convs_per_stage(int depth) {
  switch (depth) {
    case 11:
      return {1, 1, 2, 2, 2};  // "A"
    case 13:
      return {2, 2, 2, 2, 2};  // "B"
    case 16:
      return {2, 2, 3, 3, 3};  // "D"
    default:
      return {2, 2, 4, 4, 4};  // "E" (19)
  }
}

Graph build_vgg(const std::string& name, int depth, bool batch_norm, const ZooOptions& options) {
  GraphBuilder b(name, options.dtype);
  ValueId x = image_input(b, options, 224);
  {
    // make_layers: Conv2d(3x3, padding 1, bias) [+ BatchNorm2d] + ReLU per
    // number; MaxPool2d(2, 2) per "M".
    auto features = b.scope("features");
    int index = 0;
    auto next = [&index] { return std::to_string(index++); };
    const std::array<int, 5> stages = convs_per_stage(depth);
    for (std::size_t stage = 0; stage < stages.size(); ++stage) {
      for (int i = 0; i < stages[stage]; ++i) {
        x = conv2d(b, x, square_conv(kStageChannels[stage], 3, 1, 1), next());
        if (batch_norm) x = b.batch_norm(x, 1e-5, next());
        x = relu(b, x, next());
      }
      x = max_pool2d(b, x, Pool2d{2, 2, 0, false}, next());
    }
  }
  x = adaptive_avg_pool2d(b, x, 7, 7, "avgpool");
  x = flatten1(b, x);
  {
    auto classifier = b.scope("classifier");
    x = b.linear(x, 4096, true, "0");
    x = relu(b, x, "1");
    x = dropout(b, x, 0.5, "2");
    x = b.linear(x, 4096, true, "3");
    x = relu(b, x, "4");
    x = dropout(b, x, 0.5, "5");
    x = b.linear(x, options.num_classes, true, "6");
  }
  b.output(x);
  return b.finish();
}

ZooEntry vgg_entry(int depth, bool batch_norm) {
  std::string name = "vgg" + std::to_string(depth) + (batch_norm ? "_bn" : "");
  return image_classifier(name, "VGG", 224, [name, depth, batch_norm](const ZooOptions& o) {
    return build_vgg(name, depth, batch_norm, o);
  });
}

}  // namespace

std::vector<ZooEntry> vgg_family() {
  std::vector<ZooEntry> entries;
  for (const bool bn : {false, true}) {
    for (const int depth : {11, 13, 16, 19}) entries.push_back(vgg_entry(depth, bn));
  }
  return entries;
}

}  // namespace dnnroof::zoo
