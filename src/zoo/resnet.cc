// Family: ResNet, ResNeXt and Wide ResNet, mirroring torchvision's
// torchvision/models/resnet.py (classes BasicBlock, Bottleneck, ResNet).
//
// torchvision's Bottleneck is "ResNet v1.5": the stride of a downsampling
// block sits on the 3x3 conv (conv2), not on the first 1x1. The names of the
// nodes and parameters follow the module paths of torchvision's state_dict:
// conv1, bn1, layer1.0.conv1, layer1.0.downsample.0, ..., fc.
#include <array>
#include <cstdint>
#include <string>

#include "zoo/detail/cnn_common.h"
#include "zoo/detail/families.h"

namespace dnnroof::zoo {
namespace {

enum class Block { basic, bottleneck };

struct ResNetSpec {
  Block block = Block::basic;
  std::array<int, 4> layers{};
  std::int64_t groups = 1;
  std::int64_t width_per_group = 64;
};

constexpr std::int64_t expansion(Block block) { return block == Block::basic ? 1 : 4; }

// conv3x3 / conv1x1 of resnet.py: no bias, padding = 1 for 3x3.
Conv2d conv3x3(std::int64_t out, std::int64_t stride, std::int64_t groups = 1) {
  Conv2d c = square_conv(out, 3, stride, 1, /*bias=*/false);
  c.groups = groups;
  return c;
}
Conv2d conv1x1(std::int64_t out, std::int64_t stride = 1) {
  return square_conv(out, 1, stride, 0, /*bias=*/false);
}

// One block (BasicBlock.forward or Bottleneck.forward) inside the current
// scope "layerK.i". `downsample` adds the Sequential(conv1x1, BatchNorm2d)
// branch "downsample.0"/"downsample.1" as torchvision's _make_layer does.
ValueId residual_block(GraphBuilder& b, ValueId x, const ResNetSpec& spec, std::int64_t planes,
                       std::int64_t stride, bool downsample) {
  const std::int64_t out_channels = planes * expansion(spec.block);
  ValueId out = kNoValue;
  if (spec.block == Block::basic) {
    out = conv2d(b, x, conv3x3(planes, stride), "conv1");
    out = b.batch_norm(out, 1e-5, "bn1");
    out = relu(b, out, "relu");
    out = conv2d(b, out, conv3x3(planes, 1), "conv2");
    out = b.batch_norm(out, 1e-5, "bn2");
  } else {
    // width = int(planes * (base_width / 64.0)) * groups
    const std::int64_t width = planes * spec.width_per_group / 64 * spec.groups;
    out = conv2d(b, x, conv1x1(width), "conv1");
    out = b.batch_norm(out, 1e-5, "bn1");
    out = relu(b, out, "relu");
    out = conv2d(b, out, conv3x3(width, stride, spec.groups), "conv2");
    out = b.batch_norm(out, 1e-5, "bn2");
    out = relu(b, out, "relu");
    out = conv2d(b, out, conv1x1(out_channels), "conv3");
    out = b.batch_norm(out, 1e-5, "bn3");
  }
  ValueId identity = x;
  if (downsample) {
    auto scope = b.scope("downsample");
    identity = conv2d(b, x, conv1x1(out_channels, stride), "0");
    identity = b.batch_norm(identity, 1e-5, "1");
  }
  out = b.add(out, identity);
  return relu(b, out, "relu");
}

Graph build_resnet(const std::string& name, const ResNetSpec& spec, const ZooOptions& options) {
  GraphBuilder b(name, options.dtype);
  ValueId x = image_input(b, options, 224);

  x = conv2d(b, x, square_conv(64, 7, 2, 3, /*bias=*/false), "conv1");
  x = b.batch_norm(x, 1e-5, "bn1");
  x = relu(b, x, "relu");
  x = max_pool2d(b, x, Pool2d{3, 2, 1, false}, "maxpool");

  // ResNet._make_layer: the first block of a stage takes the stride and, when
  // the shape changes, the downsample branch.
  std::int64_t inplanes = 64;
  const std::array<std::int64_t, 4> planes{64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage) {
    auto layer_scope = b.scope("layer" + std::to_string(stage + 1));
    const std::int64_t stride = stage == 0 ? 1 : 2;
    const std::int64_t out_channels = planes[stage] * expansion(spec.block);
    for (int i = 0; i < spec.layers[stage]; ++i) {
      auto block_scope = b.scope(i);
      const bool first = i == 0;
      const bool downsample = first && (stride != 1 || inplanes != out_channels);
      x = residual_block(b, x, spec, planes[stage], first ? stride : 1, downsample);
      inplanes = out_channels;
    }
  }

  x = adaptive_avg_pool2d(b, x, 1, 1, "avgpool");
  x = flatten1(b, x);
  x = b.linear(x, options.num_classes, /*bias=*/true, "fc");
  b.output(x);
  return b.finish();
}

ZooEntry resnet_entry(const std::string& name, const ResNetSpec& spec) {
  const std::string family = spec.groups > 1             ? "ResNeXt"
                             : spec.width_per_group > 64 ? "Wide ResNet"
                                                         : "ResNet";
  return image_classifier(
      name, family, 224, [name, spec](const ZooOptions& o) { return build_resnet(name, spec, o); });
}

}  // namespace

std::vector<ZooEntry> resnet_family() {
  // The layer counts and widths of torchvision's resnet18 ... wide_resnet50_2.
  return {
      resnet_entry("resnet18", {Block::basic, {2, 2, 2, 2}, 1, 64}),
      resnet_entry("resnet34", {Block::basic, {3, 4, 6, 3}, 1, 64}),
      resnet_entry("resnet50", {Block::bottleneck, {3, 4, 6, 3}, 1, 64}),
      resnet_entry("resnet101", {Block::bottleneck, {3, 4, 23, 3}, 1, 64}),
      resnet_entry("resnet152", {Block::bottleneck, {3, 8, 36, 3}, 1, 64}),
      resnet_entry("resnext50_32x4d", {Block::bottleneck, {3, 4, 6, 3}, 32, 4}),
      resnet_entry("wide_resnet50_2", {Block::bottleneck, {3, 4, 6, 3}, 1, 128}),
  };
}

}  // namespace dnnroof::zoo
