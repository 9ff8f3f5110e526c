// Family: RegNet, mirroring torchvision's torchvision/models/regnet.py (class
// RegNet, SimpleStemIN, AnyStage, ResBottleneckBlock, BottleneckTransform,
// BlockParams.from_init_params). Node and parameter names follow the
// state_dict: stem.<i>, trunk_output.block<s>.block<s>-<j>.{proj,f.a,f.b,
// f.se,f.c}, fc. BatchNorm2d eps 1e-5, ReLU activations.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "zoo/detail/cnn_common.h"
#include "zoo/detail/families.h"
#include "zoo/detail/mobile_blocks.h"

namespace dnnroof::zoo {
namespace {

// The per-stage settings BlockParams holds.
struct Stage {
  std::int64_t width;
  std::int64_t depth;
  std::int64_t group_width;
};

// BlockParams.from_init_params(depth, w_0, w_a, w_m, group_width) with
// bottleneck_multiplier 1.0. torch evaluates the quantised linear widths in
// float32 (torch.arange(depth) * w_a + w_0, torch.log, torch.round, which
// rounds half to even), so this does too.
std::vector<Stage> regnet_stages(std::int64_t depth, std::int64_t w_0, double w_a, double w_m,
                                 std::int64_t group_width) {
  constexpr std::int64_t kQuant = 8;
  if (w_a < 0 || w_0 <= 0 || w_m <= 1 || w_0 % 8 != 0) fail("Invalid RegNet settings");
  const auto w0f = static_cast<float>(w_0);
  const auto waf = static_cast<float>(w_a);
  const auto wmf = static_cast<float>(w_m);
  const auto log_wm = static_cast<float>(std::log(w_m));
  std::vector<std::int64_t> block_widths;
  for (std::int64_t i = 0; i < depth; ++i) {
    const float width_cont = static_cast<float>(i) * waf + w0f;
    const float capacity = std::nearbyint(std::log(width_cont / w0f) / log_wm);
    const float width = std::nearbyint(w0f * std::pow(wmf, capacity) / static_cast<float>(kQuant));
    block_widths.push_back(static_cast<std::int64_t>(width) * kQuant);
  }
  // Consecutive blocks of equal width form one stage.
  std::vector<Stage> stages;
  for (const std::int64_t w : block_widths) {
    if (stages.empty() || stages.back().width != w) {
      stages.push_back({w, 0, group_width});
    }
    ++stages.back().depth;
  }
  // _adjust_widths_groups_compatibilty with bottleneck ratio 1.0.
  for (Stage& s : stages) {
    s.group_width = std::min(s.group_width, s.width);
    s.width = make_divisible(static_cast<double>(s.width), s.group_width);
  }
  return stages;
}

// ResBottleneckBlock(width_in, width_out, stride, group_width,
// bottleneck_multiplier=1.0, se_ratio): proj (1x1, stride) when the shape
// changes, f = BottleneckTransform (a: 1x1, b: 3x3 grouped, se, c: 1x1), ReLU.
ValueId res_bottleneck_block(GraphBuilder& b, ValueId x, std::int64_t width_out,
                             std::int64_t stride, std::int64_t group_width, double se_ratio) {
  const std::int64_t width_in = b.shape(x).at(1);
  const std::int64_t w_b = width_out;  // int(round(width_out * 1.0))
  const std::int64_t groups = w_b / group_width;
  ValueId shortcut = x;
  if (width_in != width_out || stride != 1) {
    auto proj = b.scope("proj");
    shortcut = conv_norm_activation(
        b, x,
        {.out_channels = width_out, .kernel = 1, .stride = stride, .activation = std::nullopt});
  }
  ValueId y = x;
  {
    auto f = b.scope("f");
    {
      auto a = b.scope("a");
      y = conv_norm_activation(b, y, {.out_channels = w_b, .kernel = 1});
    }
    {
      auto s = b.scope("b");
      y = conv_norm_activation(
          b, y, {.out_channels = w_b, .kernel = 3, .stride = stride, .groups = groups});
    }
    if (se_ratio > 0) {
      auto se = b.scope("se");
      // width_se_out = int(round(se_ratio * width_in)); Python rounds half to even.
      const auto width_se_out =
          static_cast<std::int64_t>(std::nearbyint(se_ratio * static_cast<double>(width_in)));
      y = squeeze_excitation(b, y, width_se_out, OpKind::Relu, OpKind::Sigmoid);
    }
    auto c = b.scope("c");
    y = conv_norm_activation(b, y,
                             {.out_channels = width_out, .kernel = 1, .activation = std::nullopt});
  }
  return relu(b, b.add(shortcut, y), "activation");
}

Graph build_regnet(const std::string& name, const std::vector<Stage>& stages, double se_ratio,
                   const ZooOptions& options) {
  GraphBuilder b(name, options.dtype);
  ValueId x = image_input(b, options, 224);
  {
    auto stem = b.scope("stem");  // SimpleStemIN: 3x3, stride 2, 32 channels
    x = conv_norm_activation(b, x, {.out_channels = 32, .kernel = 3, .stride = 2});
  }
  {
    auto trunk = b.scope("trunk_output");
    for (std::size_t i = 0; i < stages.size(); ++i) {
      const std::string stage_name = "block" + std::to_string(i + 1);
      auto stage = b.scope(stage_name);
      for (std::int64_t j = 0; j < stages[i].depth; ++j) {
        auto block = b.scope(stage_name + "-" + std::to_string(j));
        x = res_bottleneck_block(b, x, stages[i].width, j == 0 ? 2 : 1, stages[i].group_width,
                                 se_ratio);
      }
    }
  }
  x = adaptive_avg_pool2d(b, x, 1, 1, "avgpool");
  x = flatten1(b, x);
  x = b.linear(x, options.num_classes, true, "fc");
  b.output(x);
  return b.finish();
}

}  // namespace

std::vector<ZooEntry> regnet_family() {
  return {
      // regnet_y_400mf: depth 16, w_0 48, w_a 27.89, w_m 2.09, group_width 8, se_ratio 0.25.
      image_classifier("regnet_y_400mf", "RegNet", 224,
                       [](const ZooOptions& o) {
                         return build_regnet("regnet_y_400mf",
                                             regnet_stages(16, 48, 27.89, 2.09, 8), 0.25, o);
                       }),
      // regnet_x_1_6gf: depth 18, w_0 80, w_a 34.01, w_m 2.25, group_width 24, no SE.
      image_classifier("regnet_x_1_6gf", "RegNet", 224,
                       [](const ZooOptions& o) {
                         return build_regnet("regnet_x_1_6gf",
                                             regnet_stages(18, 80, 34.01, 2.25, 24), 0.0, o);
                       }),
  };
}

}  // namespace dnnroof::zoo
