// Family: ConvNeXt, mirroring torchvision's torchvision/models/convnext.py
// (class ConvNeXt, CNBlock, CNBlockConfig, LayerNorm2d). Node and parameter
// names follow the state_dict: features.<i> (stem, stages, downsampling
// layers), features.<stage>.<block>.block.<j> and .layer_scale, classifier.<k>.
#include <cstdint>
#include <string>
#include <vector>

#include "zoo/detail/cnn_common.h"
#include "zoo/detail/families.h"
#include "zoo/detail/mobile_blocks.h"

namespace dnnroof::zoo {
namespace {

constexpr double kLayerNormEps = 1e-6;

// convnext.LayerNorm2d: permute to NHWC, layer_norm over C, permute back.
ValueId layer_norm_2d(GraphBuilder& b, ValueId x, std::string_view name) {
  const std::int64_t channels = b.shape(x).at(1);
  ValueId y = b.transpose(x, {0, 2, 3, 1});
  {
    // A subclass of nn.LayerNorm: hooks keyed on the exact class miss it.
    auto call = b.torch_call("LayerNorm2d");
    y = b.layer_norm(y, {channels}, kLayerNormEps, name);
  }
  return b.transpose(y, {0, 3, 1, 2});
}

// convnext.CNBlock(dim, layer_scale, stochastic_depth_prob): depthwise 7x7 ->
// Permute -> LayerNorm -> Linear 4*dim -> GELU -> Linear dim -> Permute,
// scaled by the learnt layer_scale [dim, 1, 1], plus the input.
ValueId cn_block(GraphBuilder& b, ValueId x, double sd_prob) {
  const std::int64_t dim = b.shape(x).at(1);
  ValueId y = x;
  {
    auto block = b.scope("block");
    y = plain_conv2d(b, y, dim, 7, 1, 3, dim, true, "0");
    y = b.transpose(y, {0, 2, 3, 1});  // "1": Permute([0, 2, 3, 1])
    y = b.layer_norm(y, {dim}, kLayerNormEps, "2");
    y = b.linear(y, 4 * dim, true, "3");
    y = activation(b, y, OpKind::Gelu, "4");
    y = b.linear(y, dim, true, "5");
    y = b.transpose(y, {0, 3, 1, 2});  // "6": Permute([0, 3, 1, 2])
  }
  const ValueId layer_scale = b.parameter("layer_scale", {dim, 1, 1});
  y = b.mul(layer_scale, y);
  y = dropout_unless_zero(b, y, sd_prob, "stochastic_depth");
  return b.add(y, x);
}

// ConvNeXt(block_setting) with stochastic_depth_prob and layer_scale 1e-6.
struct BlockSetting {
  std::int64_t input_channels;
  std::int64_t out_channels;  // 0: None (the last stage)
  std::int64_t num_layers;
};

Graph build_convnext(const std::string& name, const std::vector<BlockSetting>& settings,
                     double stochastic_depth_prob, const ZooOptions& options) {
  GraphBuilder b(name, options.dtype);
  ValueId x = image_input(b, options, 224);
  std::int64_t total_blocks = 0;
  for (const auto& s : settings) total_blocks += s.num_layers;
  {
    auto features = b.scope("features");
    int index = 0;
    {
      // Conv2dNormActivation(3, C, kernel 4, stride 4, padding 0, LayerNorm2d, no activation,
      // bias).
      auto stem = b.scope(index++);
      x = plain_conv2d(b, x, settings.front().input_channels, 4, 4, 0, 1, true, "0");
      x = layer_norm_2d(b, x, "1");
    }
    std::int64_t block_id = 0;
    for (const BlockSetting& cnf : settings) {
      {
        auto stage = b.scope(index++);
        for (std::int64_t i = 0; i < cnf.num_layers; ++i) {
          const double sd_prob = stochastic_depth_prob * static_cast<double>(block_id) /
                                 (static_cast<double>(total_blocks) - 1.0);
          auto s = b.scope(i);
          x = cn_block(b, x, sd_prob);
          ++block_id;
        }
      }
      if (cnf.out_channels != 0) {
        auto down = b.scope(index++);
        x = layer_norm_2d(b, x, "0");
        x = plain_conv2d(b, x, cnf.out_channels, 2, 2, 0, 1, true, "1");
      }
    }
  }
  x = adaptive_avg_pool2d(b, x, 1, 1, "avgpool");
  {
    auto classifier = b.scope("classifier");
    x = layer_norm_2d(b, x, "0");
    x = flatten1(b, x, "1");
    x = b.linear(x, options.num_classes, true, "2");
  }
  b.output(x);
  return b.finish();
}

}  // namespace

std::vector<ZooEntry> convnext_family() {
  return {
      // convnext_tiny: (96 -> 192, 3), (192 -> 384, 3), (384 -> 768, 9), (768, 3);
      // stochastic_depth_prob 0.1.
      image_classifier("convnext_tiny", "ConvNeXt", 224,
                       [](const ZooOptions& o) {
                         return build_convnext(
                             "convnext_tiny",
                             {{96, 192, 3}, {192, 384, 3}, {384, 768, 9}, {768, 0, 3}}, 0.1, o);
                       }),
  };
}

}  // namespace dnnroof::zoo
