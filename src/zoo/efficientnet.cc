// Family: EfficientNet B0-B4, mirroring torchvision's
// torchvision/models/efficientnet.py (class EfficientNet, MBConv,
// MBConvConfig, _efficientnet_conf). Node and parameter names follow the
// state_dict: features.<stage>.<block>.block.<j>, classifier.<k>. The B
// models use BatchNorm2d's defaults (eps 1e-5); StochasticDepth is the
// identity at inference and is kept as a Dropout node with its probability
// (none for the first block, whose probability is 0).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "zoo/detail/cnn_common.h"
#include "zoo/detail/families.h"
#include "zoo/detail/mobile_blocks.h"

namespace dnnroof::zoo {
namespace {

// MBConvConfig after width/depth scaling (adjust_channels, adjust_depth).
struct MBConvConfig {
  double expand_ratio;
  std::int64_t kernel;
  std::int64_t stride;
  std::int64_t input_channels;
  std::int64_t out_channels;
  std::int64_t num_layers;
};

// efficientnet.MBConv(cnf, stochastic_depth_prob): [expand 1x1, SiLU] ->
// depthwise kxk, SiLU -> SqueezeExcitation(expanded, max(1, input // 4),
// SiLU, Sigmoid) -> project 1x1 -> [stochastic depth + residual].
ValueId mbconv(GraphBuilder& b, ValueId x, const MBConvConfig& cnf, double sd_prob) {
  const bool use_res_connect = cnf.stride == 1 && cnf.input_channels == cnf.out_channels;
  const std::int64_t expanded =
      make_divisible(static_cast<double>(cnf.input_channels) * cnf.expand_ratio, 8);
  ValueId y = x;
  {
    auto block = b.scope("block");
    int index = 0;
    y = expand_depthwise(b, y, index, expanded != cnf.input_channels, expanded, cnf.kernel,
                         cnf.stride, OpKind::Silu);
    {
      auto s = b.scope(index++);
      y = squeeze_excitation(b, y, std::max<std::int64_t>(1, cnf.input_channels / 4), OpKind::Silu,
                             OpKind::Sigmoid);
    }
    auto s = b.scope(index++);
    y = conv_norm_activation(
        b, y, {.out_channels = cnf.out_channels, .kernel = 1, .activation = std::nullopt});
  }
  if (!use_res_connect) return y;
  y = dropout_unless_zero(b, y, sd_prob, "stochastic_depth");
  return b.add(y, x);
}

Graph build_efficientnet(const std::string& name, double width_mult, double depth_mult,
                         double dropout_p, std::int64_t default_size, const ZooOptions& options) {
  GraphBuilder b(name, options.dtype);
  ValueId x = image_input(b, options, default_size);
  // _efficientnet_conf("efficientnet_b*"): expand_ratio, kernel, stride,
  // input_channels, out_channels, num_layers before scaling.
  const double base[7][6] = {{1, 3, 1, 32, 16, 1},  {6, 3, 2, 16, 24, 2},  {6, 5, 2, 24, 40, 2},
                             {6, 3, 2, 40, 80, 3},  {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4},
                             {6, 3, 1, 192, 320, 1}};
  std::vector<MBConvConfig> settings;
  for (const auto& row : base) {
    settings.push_back({row[0], static_cast<std::int64_t>(row[1]),
                        static_cast<std::int64_t>(row[2]), make_divisible(row[3] * width_mult, 8),
                        make_divisible(row[4] * width_mult, 8),
                        static_cast<std::int64_t>(std::ceil(row[5] * depth_mult))});
  }
  std::int64_t total_blocks = 0;
  for (const auto& s : settings) total_blocks += s.num_layers;
  {
    auto features = b.scope("features");
    int index = 0;
    {
      auto s = b.scope(index++);
      x = conv_norm_activation(b, x,
                               {.out_channels = settings.front().input_channels,
                                .kernel = 3,
                                .stride = 2,
                                .activation = OpKind::Silu});
    }
    std::int64_t block_id = 0;
    const double stochastic_depth_prob = 0.2;
    for (const MBConvConfig& cnf : settings) {
      auto stage = b.scope(index++);
      for (std::int64_t i = 0; i < cnf.num_layers; ++i) {
        MBConvConfig block_cnf = cnf;
        if (i > 0) {
          block_cnf.input_channels = block_cnf.out_channels;
          block_cnf.stride = 1;
        }
        const double sd_prob = stochastic_depth_prob * static_cast<double>(block_id) /
                               static_cast<double>(total_blocks);
        auto s = b.scope(i);
        x = mbconv(b, x, block_cnf, sd_prob);
        ++block_id;
      }
    }
    auto s = b.scope(index++);
    x = conv_norm_activation(b, x,
                             {.out_channels = 4 * settings.back().out_channels,
                              .kernel = 1,
                              .activation = OpKind::Silu});
  }
  x = adaptive_avg_pool2d(b, x, 1, 1, "avgpool");
  x = flatten1(b, x);
  {
    auto classifier = b.scope("classifier");
    x = dropout_unless_zero(b, x, dropout_p, "0");
    x = b.linear(x, options.num_classes, true, "1");
  }
  b.output(x);
  return b.finish();
}

}  // namespace

std::vector<ZooEntry> efficientnet_family() {
  // efficientnet_b0 ... b4: width_mult, depth_mult and dropout as torchvision
  // passes them; the default image sizes are the crop sizes of the weights
  // whose GFLOPS torchvision publishes (224, 240, 288, 300, 380).
  struct Variant {
    const char* name;
    double width, depth, dropout;
    std::int64_t size;
  };
  const Variant variants[] = {{"efficientnet_b0", 1.0, 1.0, 0.2, 224},
                              {"efficientnet_b1", 1.0, 1.1, 0.2, 240},
                              {"efficientnet_b2", 1.1, 1.2, 0.3, 288},
                              {"efficientnet_b3", 1.2, 1.4, 0.3, 300},
                              {"efficientnet_b4", 1.4, 1.8, 0.4, 380}};
  std::vector<ZooEntry> entries;
  for (const Variant& v : variants) {
    entries.push_back(image_classifier(v.name, "EfficientNet", v.size, [v](const ZooOptions& o) {
      return build_efficientnet(v.name, v.width, v.depth, v.dropout, v.size, o);
    }));
  }
  return entries;
}

}  // namespace dnnroof::zoo
