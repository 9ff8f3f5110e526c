// Family: ShuffleNet V2, mirroring torchvision's
// torchvision/models/shufflenetv2.py (class ShuffleNetV2, InvertedResidual,
// channel_shuffle). Node and parameter names follow the state_dict: conv1.<i>,
// maxpool, stage2..stage4.<block>.branch1/branch2.<i>, conv5.<i>, fc.
#include <cstdint>
#include <string>
#include <vector>

#include "zoo/detail/cnn_common.h"
#include "zoo/detail/families.h"
#include "zoo/detail/mobile_blocks.h"

namespace dnnroof::zoo {
namespace {

// InvertedResidual.depthwise_conv: Conv2d(i, i, 3, stride, padding 1,
// groups=i, bias=False).
ValueId depthwise3x3(GraphBuilder& b, ValueId x, std::int64_t stride, std::string_view name) {
  const std::int64_t channels = b.shape(x).at(1);
  return plain_conv2d(b, x, channels, 3, stride, 1, channels, false, name);
}

// shufflenetv2.InvertedResidual(inp, oup, stride).
ValueId inverted_residual(GraphBuilder& b, ValueId x, std::int64_t oup, std::int64_t stride) {
  const std::int64_t inp = b.shape(x).at(1);
  const std::int64_t branch_features = oup / 2;
  ValueId left = x;
  ValueId right = x;
  if (stride == 1) {
    // x1, x2 = x.chunk(2, dim=1): the first chunk takes the odd channel, if any.
    const std::int64_t first = (inp + 1) / 2;
    const std::vector<ValueId> halves = b.split(x, {first, inp - first}, 1);
    left = halves[0];
    right = halves[1];
  } else {
    auto branch1 = b.scope("branch1");
    left = depthwise3x3(b, x, stride, "0");
    left = b.batch_norm(left, 1e-5, "1");
    left = plain_conv2d(b, left, branch_features, 1, 1, 0, 1, false, "2");
    left = b.batch_norm(left, 1e-5, "3");
    left = relu(b, left, "4");
  }
  {
    auto branch2 = b.scope("branch2");
    right = plain_conv2d(b, right, branch_features, 1, 1, 0, 1, false, "0");
    right = b.batch_norm(right, 1e-5, "1");
    right = relu(b, right, "2");
    right = depthwise3x3(b, right, stride, "3");
    right = b.batch_norm(right, 1e-5, "4");
    right = plain_conv2d(b, right, branch_features, 1, 1, 0, 1, false, "5");
    right = b.batch_norm(right, 1e-5, "6");
    right = relu(b, right, "7");
  }
  ValueId out = concat_channels(b, {left, right});
  return b.channel_shuffle(out, 2);
}

// ShuffleNetV2(stages_repeats, stages_out_channels).
Graph build_shufflenet_v2(const std::string& name, const std::vector<std::int64_t>& repeats,
                          const std::vector<std::int64_t>& out_channels,
                          const ZooOptions& options) {
  GraphBuilder b(name, options.dtype);
  ValueId x = image_input(b, options, 224);
  {
    auto conv1 = b.scope("conv1");
    x = plain_conv2d(b, x, out_channels[0], 3, 2, 1, 1, false, "0");
    x = b.batch_norm(x, 1e-5, "1");
    x = relu(b, x, "2");
  }
  x = max_pool2d(b, x, Pool2d{3, 2, 1, false}, "maxpool");
  for (std::size_t stage = 0; stage < repeats.size(); ++stage) {
    auto s = b.scope("stage" + std::to_string(stage + 2));
    const std::int64_t oup = out_channels[stage + 1];
    for (std::int64_t i = 0; i < repeats[stage]; ++i) {
      auto block = b.scope(i);
      x = inverted_residual(b, x, oup, i == 0 ? 2 : 1);
    }
  }
  {
    auto conv5 = b.scope("conv5");
    x = plain_conv2d(b, x, out_channels.back(), 1, 1, 0, 1, false, "0");
    x = b.batch_norm(x, 1e-5, "1");
    x = relu(b, x, "2");
  }
  x = spatial_mean(b, x);  // x.mean([2, 3]), the global pool
  x = b.linear(x, options.num_classes, true, "fc");
  b.output(x);
  return b.finish();
}

}  // namespace

std::vector<ZooEntry> shufflenet_family() {
  // shufflenet_v2_x0_5 / x1_0 / x2_0: stages_repeats [4, 8, 4] and the
  // stages_out_channels torchvision passes to _shufflenetv2.
  auto entry = [](std::string name, std::vector<std::int64_t> channels) {
    return image_classifier(name, "ShuffleNetV2", 224, [name, channels](const ZooOptions& options) {
      return build_shufflenet_v2(name, {4, 8, 4}, channels, options);
    });
  };
  return {
      entry("shufflenet_v2_x0_5", {24, 48, 96, 192, 1024}),
      entry("shufflenet_v2_x1_0", {24, 116, 232, 464, 1024}),
      entry("shufflenet_v2_x2_0", {24, 244, 488, 976, 2048}),
  };
}

}  // namespace dnnroof::zoo
