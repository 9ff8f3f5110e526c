// Family: AlexNet, mirroring torchvision's torchvision/models/alexnet.py
// (class AlexNet: the one-GPU variant of "One weird trick", 64-192-384-256-256
// channels, no LRN). Node and parameter names follow the state_dict:
// features.0 ... features.12, avgpool, classifier.0 ... classifier.6.
#include "zoo/detail/cnn_common.h"
#include "zoo/detail/families.h"

namespace dnnroof::zoo {
namespace {

Graph build_alexnet(const ZooOptions& options) {
  GraphBuilder b("alexnet", options.dtype);
  ValueId x = image_input(b, options, 224);
  {
    auto features = b.scope("features");
    x = conv2d(b, x, square_conv(64, 11, 4, 2), "0");
    x = relu(b, x, "1");
    x = max_pool2d(b, x, Pool2d{3, 2, 0, false}, "2");
    x = conv2d(b, x, square_conv(192, 5, 1, 2), "3");
    x = relu(b, x, "4");
    x = max_pool2d(b, x, Pool2d{3, 2, 0, false}, "5");
    x = conv2d(b, x, square_conv(384, 3, 1, 1), "6");
    x = relu(b, x, "7");
    x = conv2d(b, x, square_conv(256, 3, 1, 1), "8");
    x = relu(b, x, "9");
    x = conv2d(b, x, square_conv(256, 3, 1, 1), "10");
    x = relu(b, x, "11");
    x = max_pool2d(b, x, Pool2d{3, 2, 0, false}, "12");
  }
  x = adaptive_avg_pool2d(b, x, 6, 6, "avgpool");
  x = flatten1(b, x);
  {
    auto classifier = b.scope("classifier");
    x = dropout(b, x, 0.5, "0");
    x = b.linear(x, 4096, true, "1");
    x = relu(b, x, "2");
    x = dropout(b, x, 0.5, "3");
    x = b.linear(x, 4096, true, "4");
    x = relu(b, x, "5");
    x = b.linear(x, options.num_classes, true, "6");
  }
  b.output(x);
  return b.finish();
}

}  // namespace

std::vector<ZooEntry> alexnet_family() {
  return {image_classifier("alexnet", "AlexNet", 224, build_alexnet)};
}

}  // namespace dnnroof::zoo
