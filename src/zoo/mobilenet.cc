// Family: MobileNet V2 and V3, mirroring torchvision's
// torchvision/models/mobilenetv2.py (class MobileNetV2, InvertedResidual) and
// torchvision/models/mobilenetv3.py (class MobileNetV3, InvertedResidual,
// InvertedResidualConfig, _mobilenet_v3_conf). Node and parameter names follow
// the state_dict: features.<i>.conv.<j> (V2), features.<i>.block.<j> (V3),
// classifier.<k>.
#include <cstdint>
#include <string>
#include <vector>

#include "zoo/detail/cnn_common.h"
#include "zoo/detail/families.h"
#include "zoo/detail/mobile_blocks.h"

namespace dnnroof::zoo {
namespace {

// ---------------------------------------------------------------------------
// MobileNetV2 (width_mult 1.0, round_nearest 8, BatchNorm2d eps 1e-5).

// mobilenetv2.InvertedResidual(inp, oup, stride, expand_ratio).
ValueId v2_inverted_residual(GraphBuilder& b, ValueId x, std::int64_t oup, std::int64_t stride,
                             std::int64_t expand_ratio) {
  const std::int64_t inp = b.shape(x).at(1);
  const std::int64_t hidden = inp * expand_ratio;  // int(round(inp * t)), t integral
  const bool use_res_connect = stride == 1 && inp == oup;
  ValueId y = x;
  {
    auto conv = b.scope("conv");
    int index = 0;
    y = expand_depthwise(b, y, index, expand_ratio != 1, hidden, 3, stride, OpKind::Relu6);
    y = plain_conv2d(b, y, oup, 1, 1, 0, 1, false, std::to_string(index++));
    y = b.batch_norm(y, 1e-5, std::to_string(index++));
  }
  return use_res_connect ? b.add(x, y) : y;
}

Graph build_mobilenet_v2(const ZooOptions& options) {
  GraphBuilder b("mobilenet_v2", options.dtype);
  ValueId x = image_input(b, options, 224);
  // t (expansion), c (channels), n (repeats), s (first stride).
  struct Setting {
    std::int64_t t, c, n, s;
  };
  const std::vector<Setting> settings = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2},
                                         {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2},
                                         {6, 320, 1, 1}};
  const std::int64_t input_channel = make_divisible(32 * 1.0, 8);
  const std::int64_t last_channel = make_divisible(1280 * 1.0, 8);
  {
    auto features = b.scope("features");
    int index = 0;
    {
      auto s = b.scope(index++);
      x = conv_norm_activation(
          b, x, {.out_channels = input_channel, .stride = 2, .activation = OpKind::Relu6});
    }
    for (const Setting& st : settings) {
      const std::int64_t output_channel = make_divisible(static_cast<double>(st.c), 8);
      for (std::int64_t i = 0; i < st.n; ++i) {
        auto s = b.scope(index++);
        x = v2_inverted_residual(b, x, output_channel, i == 0 ? st.s : 1, st.t);
      }
    }
    auto s = b.scope(index++);
    x = conv_norm_activation(
        b, x, {.out_channels = last_channel, .kernel = 1, .activation = OpKind::Relu6});
  }
  // nn.functional.adaptive_avg_pool2d(x, (1, 1)); torch.flatten(x, 1).
  {
    auto call = b.torch_call("F.adaptive_avg_pool2d");
    x = adaptive_avg_pool2d(b, x, 1, 1, "avgpool");
  }
  x = flatten1(b, x);
  {
    auto classifier = b.scope("classifier");
    x = dropout(b, x, 0.2, "0");
    x = b.linear(x, options.num_classes, true, "1");
  }
  b.output(x);
  return b.finish();
}

// ---------------------------------------------------------------------------
// MobileNetV3 (width_mult 1.0, no reduced tail, no dilation; BatchNorm2d
// eps 0.001, momentum 0.01 -- momentum only matters for training).

constexpr double kV3BatchNormEps = 0.001;

// mobilenetv3.InvertedResidualConfig(input, kernel, expanded, out, use_se,
// activation, stride, dilation); channels already multiples of 8 at width 1.
struct V3Config {
  std::int64_t input_channels;
  std::int64_t kernel;
  std::int64_t expanded_channels;
  std::int64_t out_channels;
  bool use_se;
  bool use_hs;  // "HS" (Hardswish) versus "RE" (ReLU)
  std::int64_t stride;
};

std::int64_t adjust_channels(std::int64_t channels) {
  return make_divisible(static_cast<double>(channels) * 1.0, 8);
}

// mobilenetv3.InvertedResidual(cnf): [expand 1x1] -> depthwise -> [SE with
// squeeze _make_divisible(expanded // 4, 8), ReLU, Hardsigmoid] -> project 1x1.
ValueId v3_inverted_residual(GraphBuilder& b, ValueId x, const V3Config& raw) {
  const std::int64_t in = adjust_channels(raw.input_channels);
  const std::int64_t expanded = adjust_channels(raw.expanded_channels);
  const std::int64_t out = adjust_channels(raw.out_channels);
  const OpKind act = raw.use_hs ? OpKind::Hardswish : OpKind::Relu;
  const bool use_res_connect = raw.stride == 1 && in == out;
  ValueId y = x;
  {
    auto block = b.scope("block");
    int index = 0;
    y = expand_depthwise(b, y, index, expanded != in, expanded, raw.kernel, raw.stride, act,
                         kV3BatchNormEps);
    if (raw.use_se) {
      auto s = b.scope(index++);
      y = squeeze_excitation(b, y, make_divisible(static_cast<double>(expanded / 4), 8),
                             OpKind::Relu, OpKind::Hardsigmoid);
    }
    auto s = b.scope(index++);
    y = conv_norm_activation(
        b, y,
        {.out_channels = out, .kernel = 1, .activation = std::nullopt, .bn_eps = kV3BatchNormEps});
  }
  return use_res_connect ? b.add(y, x) : y;
}

Graph build_mobilenet_v3(const std::string& name, const std::vector<V3Config>& settings,
                         std::int64_t last_channel, const ZooOptions& options) {
  GraphBuilder b(name, options.dtype);
  ValueId x = image_input(b, options, 224);
  {
    auto features = b.scope("features");
    int index = 0;
    {
      auto s = b.scope(index++);
      x = conv_norm_activation(b, x,
                               {.out_channels = adjust_channels(settings.front().input_channels),
                                .kernel = 3,
                                .stride = 2,
                                .activation = OpKind::Hardswish,
                                .bn_eps = kV3BatchNormEps});
    }
    for (const V3Config& cnf : settings) {
      auto s = b.scope(index++);
      x = v3_inverted_residual(b, x, cnf);
    }
    auto s = b.scope(index++);
    x = conv_norm_activation(b, x,
                             {.out_channels = 6 * adjust_channels(settings.back().out_channels),
                              .kernel = 1,
                              .activation = OpKind::Hardswish,
                              .bn_eps = kV3BatchNormEps});
  }
  x = adaptive_avg_pool2d(b, x, 1, 1, "avgpool");
  x = flatten1(b, x);
  {
    auto classifier = b.scope("classifier");
    x = b.linear(x, adjust_channels(last_channel), true, "0");
    x = activation(b, x, OpKind::Hardswish, "1");
    x = dropout(b, x, 0.2, "2");
    x = b.linear(x, options.num_classes, true, "3");
  }
  b.output(x);
  return b.finish();
}

// _mobilenet_v3_conf("mobilenet_v3_large").
Graph build_mobilenet_v3_large(const ZooOptions& options) {
  const std::vector<V3Config> settings = {
      {16, 3, 16, 16, false, false, 1},  {16, 3, 64, 24, false, false, 2},
      {24, 3, 72, 24, false, false, 1},  {24, 5, 72, 40, true, false, 2},
      {40, 5, 120, 40, true, false, 1},  {40, 5, 120, 40, true, false, 1},
      {40, 3, 240, 80, false, true, 2},  {80, 3, 200, 80, false, true, 1},
      {80, 3, 184, 80, false, true, 1},  {80, 3, 184, 80, false, true, 1},
      {80, 3, 480, 112, true, true, 1},  {112, 3, 672, 112, true, true, 1},
      {112, 5, 672, 160, true, true, 2}, {160, 5, 960, 160, true, true, 1},
      {160, 5, 960, 160, true, true, 1},
  };
  return build_mobilenet_v3("mobilenet_v3_large", settings, 1280, options);
}

// _mobilenet_v3_conf("mobilenet_v3_small").
Graph build_mobilenet_v3_small(const ZooOptions& options) {
  const std::vector<V3Config> settings = {
      {16, 3, 16, 16, true, false, 2},  {16, 3, 72, 24, false, false, 2},
      {24, 3, 88, 24, false, false, 1}, {24, 5, 96, 40, true, true, 2},
      {40, 5, 240, 40, true, true, 1},  {40, 5, 240, 40, true, true, 1},
      {40, 5, 120, 48, true, true, 1},  {48, 5, 144, 48, true, true, 1},
      {48, 5, 288, 96, true, true, 2},  {96, 5, 576, 96, true, true, 1},
      {96, 5, 576, 96, true, true, 1},
  };
  return build_mobilenet_v3("mobilenet_v3_small", settings, 1024, options);
}

}  // namespace

std::vector<ZooEntry> mobilenet_family() {
  return {
      image_classifier("mobilenet_v2", "MobileNet", 224, build_mobilenet_v2),
      image_classifier("mobilenet_v3_small", "MobileNet", 224, build_mobilenet_v3_small),
      image_classifier("mobilenet_v3_large", "MobileNet", 224, build_mobilenet_v3_large),
  };
}

}  // namespace dnnroof::zoo
