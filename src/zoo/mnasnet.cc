// Family: MNASNet (the B1 variant), mirroring torchvision's
// torchvision/models/mnasnet.py (class MNASNet, _InvertedResidual, _stack,
// _round_to_multiple_of, _get_depths). Node and parameter names follow the
// state_dict: layers.<i> (layers.8 ... layers.13 are the stacks, each block's
// own layers.<j>), classifier.<k>. BatchNorm2d uses eps 1e-5 and momentum
// 1 - 0.9997 (momentum only matters for training).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "zoo/detail/cnn_common.h"
#include "zoo/detail/families.h"
#include "zoo/detail/mobile_blocks.h"

namespace dnnroof::zoo {
namespace {

// _round_to_multiple_of(val, divisor, round_up_bias=0.9).
std::int64_t round_to_multiple_of(double val, std::int64_t divisor) {
  const auto rounded =
      static_cast<std::int64_t>(val + static_cast<double>(divisor) / 2.0) / divisor * divisor;
  const std::int64_t new_val = std::max(divisor, rounded);
  return static_cast<double>(new_val) >= 0.9 * val ? new_val : new_val + divisor;
}

// _InvertedResidual(in_ch, out_ch, kernel_size, stride, expansion_factor).
ValueId inverted_residual(GraphBuilder& b, ValueId x, std::int64_t out_ch, std::int64_t kernel,
                          std::int64_t stride, std::int64_t expansion) {
  const std::int64_t in_ch = b.shape(x).at(1);
  const std::int64_t mid_ch = in_ch * expansion;
  const bool apply_residual = in_ch == out_ch && stride == 1;
  ValueId y = x;
  {
    auto layers = b.scope("layers");
    y = plain_conv2d(b, y, mid_ch, 1, 1, 0, 1, false, "0");
    y = b.batch_norm(y, 1e-5, "1");
    y = relu(b, y, "2");
    y = plain_conv2d(b, y, mid_ch, kernel, stride, kernel / 2, mid_ch, false, "3");
    y = b.batch_norm(y, 1e-5, "4");
    y = relu(b, y, "5");
    y = plain_conv2d(b, y, out_ch, 1, 1, 0, 1, false, "6");
    y = b.batch_norm(y, 1e-5, "7");
  }
  return apply_residual ? b.add(y, x) : y;
}

Graph build_mnasnet(const std::string& name, double alpha, const ZooOptions& options) {
  GraphBuilder b(name, options.dtype);
  ValueId x = image_input(b, options, 224);
  // _get_depths(alpha)
  std::vector<std::int64_t> depths;
  for (const std::int64_t d : {32, 16, 24, 40, 80, 96, 192, 320}) {
    depths.push_back(round_to_multiple_of(static_cast<double>(d) * alpha, 8));
  }
  // _stack(in, out, kernel, stride, expansion, repeats) arguments, in order.
  struct Stack {
    std::int64_t out, kernel, stride, expansion, repeats;
  };
  const std::vector<Stack> stacks = {
      {depths[2], 3, 2, 3, 3}, {depths[3], 5, 2, 3, 3}, {depths[4], 5, 2, 6, 3},
      {depths[5], 3, 1, 6, 2}, {depths[6], 5, 2, 6, 4}, {depths[7], 3, 1, 6, 1},
  };
  {
    auto layers = b.scope("layers");
    x = plain_conv2d(b, x, depths[0], 3, 2, 1, 1, false, "0");
    x = b.batch_norm(x, 1e-5, "1");
    x = relu(b, x, "2");
    x = plain_conv2d(b, x, depths[0], 3, 1, 1, depths[0], false, "3");
    x = b.batch_norm(x, 1e-5, "4");
    x = relu(b, x, "5");
    x = plain_conv2d(b, x, depths[1], 1, 1, 0, 1, false, "6");
    x = b.batch_norm(x, 1e-5, "7");
    int index = 8;
    for (const Stack& st : stacks) {
      auto stack = b.scope(index++);
      for (std::int64_t i = 0; i < st.repeats; ++i) {
        auto block = b.scope(i);
        x = inverted_residual(b, x, st.out, st.kernel, i == 0 ? st.stride : 1, st.expansion);
      }
    }
    x = plain_conv2d(b, x, 1280, 1, 1, 0, 1, false, std::to_string(index++));
    x = b.batch_norm(x, 1e-5, std::to_string(index++));
    x = relu(b, x, std::to_string(index++));
  }
  x = spatial_mean(b, x);  // x.mean([2, 3])
  {
    auto classifier = b.scope("classifier");
    x = dropout(b, x, 0.2, "0");
    x = b.linear(x, options.num_classes, true, "1");
  }
  b.output(x);
  return b.finish();
}

}  // namespace

std::vector<ZooEntry> mnasnet_family() {
  return {
      image_classifier("mnasnet0_5", "MNASNet", 224,
                       [](const ZooOptions& o) { return build_mnasnet("mnasnet0_5", 0.5, o); }),
      image_classifier("mnasnet1_0", "MNASNet", 224,
                       [](const ZooOptions& o) { return build_mnasnet("mnasnet1_0", 1.0, o); }),
  };
}

}  // namespace dnnroof::zoo
