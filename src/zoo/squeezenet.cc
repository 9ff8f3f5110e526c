// Family: SqueezeNet 1.0 and 1.1, mirroring torchvision's
// torchvision/models/squeezenet.py (classes Fire and SqueezeNet). Max pools
// use ceil_mode=True, as there; the classifier is Dropout, a 1x1 conv to
// num_classes, ReLU and AdaptiveAvgPool2d((1, 1)), then torch.flatten(x, 1).
// Names follow the state_dict: features.<i>[.squeeze|.expand1x1|.expand3x3],
// classifier.1.
#include <cstdint>
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

Graph build_squeezenet(const std::string& name, bool v1_1, const ZooOptions& options) {
  GraphBuilder b(name, options.dtype);
  ValueId x = image_input(b, options, 224);
  const Pool2d pool{3, 2, 0, /*ceil_mode=*/true};
  {
    auto features = b.scope("features");
    auto fire_at = [&](int index, std::int64_t s, std::int64_t e1, std::int64_t e3) {
      auto scope = b.scope(index);
      x = fire(b, x, s, e1, e3);
    };
    if (!v1_1) {
      x = conv2d(b, x, square_conv(96, 7, 2), "0");
      x = relu(b, x, "1");
      x = max_pool2d(b, x, pool, "2");
      fire_at(3, 16, 64, 64);
      fire_at(4, 16, 64, 64);
      fire_at(5, 32, 128, 128);
      x = max_pool2d(b, x, pool, "6");
      fire_at(7, 32, 128, 128);
      fire_at(8, 48, 192, 192);
      fire_at(9, 48, 192, 192);
      fire_at(10, 64, 256, 256);
      x = max_pool2d(b, x, pool, "11");
      fire_at(12, 64, 256, 256);
    } else {
      x = conv2d(b, x, square_conv(64, 3, 2), "0");
      x = relu(b, x, "1");
      x = max_pool2d(b, x, pool, "2");
      fire_at(3, 16, 64, 64);
      fire_at(4, 16, 64, 64);
      x = max_pool2d(b, x, pool, "5");
      fire_at(6, 32, 128, 128);
      fire_at(7, 32, 128, 128);
      x = max_pool2d(b, x, pool, "8");
      fire_at(9, 48, 192, 192);
      fire_at(10, 48, 192, 192);
      fire_at(11, 64, 256, 256);
      fire_at(12, 64, 256, 256);
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
