// Family: SqueezeNet 1.0 and 1.1, mirroring torchvision's
// torchvision/models/squeezenet.py (classes Fire and SqueezeNet). Max pools
// use ceil_mode=True, as there; the classifier is Dropout, a 1x1 conv to
// num_classes, ReLU and AdaptiveAvgPool2d((1, 1)), then torch.flatten(x, 1).
// Names follow the state_dict: features.<i>[.squeeze|.expand1x1|.expand3x3],
// classifier.1.
#include <cstdint>
#include <span>
#include <string>

#include "zoo/detail/cnn_common.h"
#include "zoo/detail/families.h"

namespace dnnroof::zoo {
namespace {

// Fire.forward inside the scope "features.<i>".
ValueId fire(GraphBuilder& b, ValueId x, std::int64_t squeeze, std::int64_t expand1x1,
             std::int64_t expand3x3) {
  x = conv2d(b, x, square_conv(squeeze, 1), "squeeze");
  x = relu(b, x, "squeeze_activation");
  ValueId e1 = conv2d(b, x, square_conv(expand1x1, 1), "expand1x1");
  e1 = relu(b, e1, "expand1x1_activation");
  ValueId e3 = conv2d(b, x, square_conv(expand3x3, 3, 1, 1), "expand3x3");
  e3 = relu(b, e3, "expand3x3_activation");
  return concat_channels(b, {e1, e3});
}

// features[2:] of torchvision's SqueezeNet 1.0 and 1.1, in order from index
// 2: a max pool (squeeze 0) or a Fire(squeeze, expand1x1, expand3x3).
struct Feature {
  std::int64_t squeeze, expand1x1, expand3x3;
};
constexpr Feature kPool{0, 0, 0};
constexpr Feature kFeaturesV1_0[] = {kPool,          {16, 64, 64},   {16, 64, 64},   {32, 128, 128},
                                     kPool,          {32, 128, 128}, {48, 192, 192}, {48, 192, 192},
                                     {64, 256, 256}, kPool,          {64, 256, 256}};
constexpr Feature kFeaturesV1_1[] = {kPool,          {16, 64, 64},   {16, 64, 64},  kPool,
                                     {32, 128, 128}, {32, 128, 128}, kPool,         {48, 192, 192},
                                     {48, 192, 192}, {64, 256, 256}, {64, 256, 256}};

Graph build_squeezenet(const std::string& name, bool v1_1, const ZooOptions& options) {
  GraphBuilder b(name, options.dtype);
  ValueId x = image_input(b, options, 224);
  const Pool2d pool{3, 2, 0, /*ceil_mode=*/true};
  {
    auto features = b.scope("features");
    x = conv2d(b, x, v1_1 ? square_conv(64, 3, 2) : square_conv(96, 7, 2), "0");
    x = relu(b, x, "1");
    int index = 2;
    const std::span<const Feature> list =
        v1_1 ? std::span<const Feature>(kFeaturesV1_1) : kFeaturesV1_0;
    for (const Feature& f : list) {
      if (f.squeeze == 0) {
        x = max_pool2d(b, x, pool, std::to_string(index));
      } else {
        auto scope = b.scope(index);
        x = fire(b, x, f.squeeze, f.expand1x1, f.expand3x3);
      }
      ++index;
    }
  }
  {
    auto classifier = b.scope("classifier");
    x = dropout(b, x, 0.5, "0");
    x = conv2d(b, x, square_conv(options.num_classes, 1), "1");
    x = relu(b, x, "2");
    x = adaptive_avg_pool2d(b, x, 1, 1, "3");
  }
  x = flatten1(b, x);
  b.output(x);
  return b.finish();
}

}  // namespace

std::vector<ZooEntry> squeezenet_family() {
  return {
      image_classifier(
          "squeezenet1_0", "SqueezeNet", 224,
          [](const ZooOptions& o) { return build_squeezenet("squeezenet1_0", false, o); }),
      image_classifier(
          "squeezenet1_1", "SqueezeNet", 224,
          [](const ZooOptions& o) { return build_squeezenet("squeezenet1_1", true, o); }),
  };
}

}  // namespace dnnroof::zoo
