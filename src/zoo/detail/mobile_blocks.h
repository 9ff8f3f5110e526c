#pragma once
// Building blocks shared by the mobile-style families (MobileNet V2/V3,
// MNASNet, EfficientNet, RegNet, ShuffleNet), each mirroring one piece of
// torchvision: ops/misc.py Conv2dNormActivation and SqueezeExcitation, and
// models/_utils.py _make_divisible. Private to src/zoo.

#include <cstdint>
#include <optional>
#include <string_view>

#include "graph/graph.h"

namespace dnnroof::zoo {

// torchvision.models._utils._make_divisible(v, divisor, min_value): rounds v
// to the nearest multiple of `divisor` (at least `min_value`, which defaults
// to the divisor when 0), then adds one divisor if that lost more than 10%.
std::int64_t make_divisible(double v, std::int64_t divisor, std::int64_t min_value = 0);

// One torchvision Conv2dNormActivation: Conv2d(kernel, stride,
// padding=(kernel-1)/2*dilation, dilation, groups, bias=False) ->
// BatchNorm2d(eps) -> activation (none when nullopt). Nodes are named "0",
// "1", "2" in the current module scope, like the nn.Sequential it is.
struct ConvNormActivation {
  std::int64_t out_channels = 0;
  std::int64_t kernel = 3;
  std::int64_t stride = 1;
  std::int64_t groups = 1;
  std::int64_t dilation = 1;
  std::optional<OpKind> activation = OpKind::Relu;
  double bn_eps = 1e-5;
};
ValueId conv_norm_activation(GraphBuilder& b, ValueId x, const ConvNormActivation& c);

// The first two steps of an inverted residual (MobileNetV2/V3's
// InvertedResidual, EfficientNet's MBConv): the 1x1 expansion to `expanded`
// channels (only when `expand`) and the depthwise kernel x kernel
// convolution with `stride`, each a Conv2dNormActivation with `act` and
// BatchNorm eps `bn_eps`, in scopes index, index + 1 of the enclosing
// nn.Sequential; `index` is advanced past them.
ValueId expand_depthwise(GraphBuilder& b, ValueId x, int& index, bool expand, std::int64_t expanded,
                         std::int64_t kernel, std::int64_t stride, OpKind act,
                         double bn_eps = 1e-5);

// A parameter-free elementwise activation (ReLU, ReLU6, Hardswish, SiLU,
// Sigmoid, Hardsigmoid, GELU) named `name` in the current scope.
ValueId activation(GraphBuilder& b, ValueId x, OpKind kind, std::string_view name);

// torchvision.ops.misc.SqueezeExcitation(input_channels, squeeze_channels,
// activation, scale_activation): AdaptiveAvgPool2d(1) "avgpool" -> 1x1 Conv2d
// with bias "fc1" -> activation -> 1x1 Conv2d with bias "fc2" ->
// scale_activation, and the input multiplied by that scale. Built in the
// current scope (the caller opens the SE module's scope).
ValueId squeeze_excitation(GraphBuilder& b, ValueId x, std::int64_t squeeze_channels,
                           OpKind activation_kind, OpKind scale_activation_kind);

// A square Conv2d with a bias or not, stride, padding, groups: the plain
// nn.Conv2d of the mobile blocks that are not Conv2dNormActivation.
ValueId plain_conv2d(GraphBuilder& b, ValueId x, std::int64_t out_channels, std::int64_t kernel,
                     std::int64_t stride, std::int64_t padding, std::int64_t groups, bool bias,
                     std::string_view name);

// nn.Dropout(p) / torchvision's StochasticDepth(p): a Dropout node named
// `name`, or nothing when p == 0, since torch then returns the input itself
// in training too (ATen's dropout and StochasticDepth.forward both
// short-circuit p == 0), so such a node would only add phantom traffic.
ValueId dropout_unless_zero(GraphBuilder& b, ValueId x, double p, std::string_view name);

// torch's x.mean([2, 3]) (the global pool ShuffleNetV2 and MNASNet use).
ValueId spatial_mean(GraphBuilder& b, ValueId x);

}  // namespace dnnroof::zoo
