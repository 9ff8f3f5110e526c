#pragma once
// Small helpers shared by the classic CNN families (ResNet, AlexNet, VGG,
// SqueezeNet, GoogLeNet/Inception, DenseNet): checking ZooOptions, the image
// input, 2-D convolutions and pools written the way torch.nn spells them, and
// the ZooEntry row for an image classifier. Private to src/zoo.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/graph.h"
#include "zoo/zoo.h"

namespace dnnroof::zoo {

// The image side to build at: options.image_size, or `default_size` when 0.
// Throws Error when batch, image_size or num_classes is not positive.
std::int64_t checked_image_size(const ZooOptions& options, std::int64_t default_size);

// The model input "input" of shape [batch, 3, size, size] at options.dtype.
ValueId image_input(GraphBuilder& b, const ZooOptions& options, std::int64_t default_size);

// torch.nn.Conv2d(in, out, kernel_size=(kh, kw), stride, padding=(ph, pw),
// groups, bias): square arguments for the common case, rectangular below.
struct Conv2d {
  std::int64_t out_channels = 0;
  std::int64_t kernel_h = 1;
  std::int64_t kernel_w = 1;
  std::int64_t stride = 1;
  std::int64_t pad_h = 0;
  std::int64_t pad_w = 0;
  std::int64_t groups = 1;
  bool bias = true;
};
// A square kernel k x k with padding p.
Conv2d square_conv(std::int64_t out_channels, std::int64_t kernel, std::int64_t stride = 1,
                   std::int64_t padding = 0, bool bias = true);
ValueId conv2d(GraphBuilder& b, ValueId x, const Conv2d& c, std::string_view name);

// torch.nn.MaxPool2d / AvgPool2d with square kernel, stride and padding; the
// node is named `name` in the current module (torchvision's attribute name).
struct Pool2d {
  std::int64_t kernel = 1;
  std::int64_t stride = 1;
  std::int64_t padding = 0;
  bool ceil_mode = false;
};
ValueId max_pool2d(GraphBuilder& b, ValueId x, const Pool2d& p, std::string_view name);
ValueId avg_pool2d(GraphBuilder& b, ValueId x, const Pool2d& p, std::string_view name);
// torch.nn.AdaptiveAvgPool2d((h, w)).
ValueId adaptive_avg_pool2d(GraphBuilder& b, ValueId x, std::int64_t h, std::int64_t w,
                            std::string_view name);

// Parameter-free layers with a module name, as torchvision names them.
ValueId relu(GraphBuilder& b, ValueId x, std::string_view name);
ValueId dropout(GraphBuilder& b, ValueId x, double p, std::string_view name);
// torch.flatten(x, 1).
ValueId flatten1(GraphBuilder& b, ValueId x, std::string_view name = "flatten");
// torch.cat(xs, 1).
ValueId concat_channels(GraphBuilder& b, std::vector<ValueId> xs, std::string_view name = "cat");

// A ZooEntry for an ImageNet classifier: task "image classification".
ZooEntry image_classifier(std::string name, std::string family, std::int64_t default_image_size,
                          std::function<Graph(const ZooOptions&)> build);

}  // namespace dnnroof::zoo
