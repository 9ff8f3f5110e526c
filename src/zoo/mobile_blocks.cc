#include "zoo/detail/mobile_blocks.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/error.h"

namespace dnnroof::zoo {

std::int64_t make_divisible(double v, std::int64_t divisor, std::int64_t min_value) {
  if (divisor < 1) fail("make_divisible: divisor must be positive (got {})", divisor);
  if (min_value == 0) min_value = divisor;
  // Python: max(min_value, int(v + divisor / 2) // divisor * divisor); v > 0
  // here, so truncation and floor division agree.
  const auto rounded =
      static_cast<std::int64_t>(v + static_cast<double>(divisor) / 2.0) / divisor * divisor;
  std::int64_t new_v = std::max(min_value, rounded);
  if (static_cast<double>(new_v) < 0.9 * v) new_v += divisor;
  return new_v;
}

ValueId plain_conv2d(GraphBuilder& b, ValueId x, std::int64_t out_channels, std::int64_t kernel,
                     std::int64_t stride, std::int64_t padding, std::int64_t groups, bool bias,
                     std::string_view name) {
  ConvOptions o;
  o.out_channels = out_channels;
  o.kernel = {kernel, kernel};
  o.stride = {stride, stride};
  o.padding = {padding, padding};
  o.dilation = {1, 1};
  o.groups = groups;
  o.bias = bias;
  return b.conv(x, o, name);
}

ValueId conv_norm_activation(GraphBuilder& b, ValueId x, const ConvNormActivation& c) {
  ConvOptions o;
  o.out_channels = c.out_channels;
  o.kernel = {c.kernel, c.kernel};
  o.stride = {c.stride, c.stride};
  const std::int64_t pad = (c.kernel - 1) / 2 * c.dilation;
  o.padding = {pad, pad};
  o.dilation = {c.dilation, c.dilation};
  o.groups = c.groups;
  o.bias = false;  // torchvision: bias = norm_layer is None
  x = b.conv(x, o, "0");
  x = b.batch_norm(x, c.bn_eps, "1");
  if (c.activation) x = activation(b, x, *c.activation, "2");
  return x;
}

ValueId expand_depthwise(GraphBuilder& b, ValueId x, int& index, bool expand, std::int64_t expanded,
                         std::int64_t kernel, std::int64_t stride, OpKind act, double bn_eps) {
  if (expand) {
    auto s = b.scope(index++);
    x = conv_norm_activation(
        b, x, {.out_channels = expanded, .kernel = 1, .activation = act, .bn_eps = bn_eps});
  }
  auto s = b.scope(index++);
  return conv_norm_activation(b, x,
                              {.out_channels = expanded,
                               .kernel = kernel,
                               .stride = stride,
                               .groups = expanded,
                               .activation = act,
                               .bn_eps = bn_eps});
}

ValueId activation(GraphBuilder& b, ValueId x, OpKind kind, std::string_view name) {
  return b.unary(kind, x, name);
}

ValueId squeeze_excitation(GraphBuilder& b, ValueId x, std::int64_t squeeze_channels,
                           OpKind activation_kind, OpKind scale_activation_kind) {
  const std::int64_t channels = b.shape(x).at(1);
  Attributes pool;
  pool.set("output_size", std::vector<std::int64_t>{1, 1});
  ValueId scale = b.op(OpKind::AdaptiveAvgPool, {x}, std::move(pool), "avgpool");
  scale = plain_conv2d(b, scale, squeeze_channels, 1, 1, 0, 1, true, "fc1");
  scale = activation(b, scale, activation_kind, "activation");
  scale = plain_conv2d(b, scale, channels, 1, 1, 0, 1, true, "fc2");
  scale = activation(b, scale, scale_activation_kind, "scale_activation");
  return b.mul(scale, x);
}

ValueId dropout_unless_zero(GraphBuilder& b, ValueId x, double p, std::string_view name) {
  if (p == 0.0) return x;
  Attributes a;
  a.set("ratio", p);
  return b.op(OpKind::Dropout, {x}, std::move(a), name);
}

ValueId spatial_mean(GraphBuilder& b, ValueId x) { return b.reduce_mean(x, {2, 3}, false); }

}  // namespace dnnroof::zoo
