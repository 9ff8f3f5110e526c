// Family: Swin Transformer (V1), mirroring torchvision's
// torchvision/models/swin_transformer.py (class SwinTransformer,
// SwinTransformerBlock, ShiftedWindowAttention, shifted_window_attention,
// PatchMerging). Node and parameter names follow the state_dict:
// features.0.{0,2} (patch embedding conv and norm), features.<1,3,5,7>.<j>.
// {norm1, attn.qkv, attn.proj, attn.relative_position_bias_table, norm2,
// mlp.0, mlp.3}, features.<2,4,6>.{norm, reduction}, norm, head.
//
// The attention is written out op by op (q * scale, q k^T, + relative
// position bias, + shift mask, softmax, . v) because the bias is added before
// the softmax. The relative position index and the shifted-window mask are
// folded constants computed here exactly as torchvision computes them.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "zoo/detail/cnn_common.h"
#include "zoo/detail/families.h"
#include "zoo/detail/mobile_blocks.h"

namespace dnnroof::zoo {
namespace {

constexpr double kLayerNormEps = 1e-5;

// ShiftedWindowAttention.define_relative_position_index for a wh x ww window:
// index[a * N + b] = (h_a - h_b + wh - 1) * (2 * ww - 1) + (w_a - w_b + ww - 1).
std::vector<std::int64_t> relative_position_index(std::int64_t wh, std::int64_t ww) {
  std::vector<std::int64_t> index;
  const std::int64_t n = wh * ww;
  index.reserve(static_cast<std::size_t>(n * n));
  for (std::int64_t a = 0; a < n; ++a) {
    for (std::int64_t b = 0; b < n; ++b) {
      const std::int64_t dh = a / ww - b / ww + wh - 1;
      const std::int64_t dw = a % ww - b % ww + ww - 1;
      index.push_back(dh * (2 * ww - 1) + dw);
    }
  }
  return index;
}

// Python slice bounds x[start:end] on a dim of `len` (end nullopt = None).
std::pair<std::int64_t, std::int64_t> py_slice(std::int64_t start, std::optional<std::int64_t> end,
                                               std::int64_t len) {
  auto fix = [len](std::int64_t i) {
    return std::clamp(i < 0 ? i + len : i, std::int64_t{0}, len);
  };
  return {fix(start), end ? fix(*end) : len};
}

// The attention mask of shifted_window_attention, [num_windows, N, N] with
// N = wh * ww: 0 where two positions of a window came from the same region of
// the rolled image, -100 elsewhere.
std::vector<double> shifted_window_mask(std::int64_t pad_h, std::int64_t pad_w, std::int64_t wh,
                                        std::int64_t ww, std::int64_t sh, std::int64_t sw) {
  std::vector<std::int64_t> region(static_cast<std::size_t>(pad_h * pad_w), 0);
  const std::pair<std::int64_t, std::optional<std::int64_t>> h_slices[] = {
      {0, -wh}, {-wh, -sh}, {-sh, std::nullopt}};
  const std::pair<std::int64_t, std::optional<std::int64_t>> w_slices[] = {
      {0, -ww}, {-ww, -sw}, {-sw, std::nullopt}};
  std::int64_t count = 0;
  for (const auto& hs : h_slices) {
    for (const auto& ws : w_slices) {
      const auto [h0, h1] = py_slice(hs.first, hs.second, pad_h);
      const auto [w0, w1] = py_slice(ws.first, ws.second, pad_w);
      for (std::int64_t h = h0; h < h1; ++h) {
        for (std::int64_t w = w0; w < w1; ++w)
          region[static_cast<std::size_t>(h * pad_w + w)] = count;
      }
      ++count;
    }
  }
  const std::int64_t n = wh * ww;
  std::vector<double> mask;
  for (std::int64_t wy = 0; wy < pad_h / wh; ++wy) {
    for (std::int64_t wx = 0; wx < pad_w / ww; ++wx) {
      auto label = [&](std::int64_t i) {
        return region[static_cast<std::size_t>((wy * wh + i / ww) * pad_w + wx * ww + i % ww)];
      };
      for (std::int64_t a = 0; a < n; ++a) {
        for (std::int64_t b = 0; b < n; ++b) mask.push_back(label(a) == label(b) ? 0.0 : -100.0);
      }
    }
  }
  return mask;
}

// ShiftedWindowAttention(dim, window_size, shift_size, num_heads) on x [B, H, W, C].
ValueId shifted_window_attention(GraphBuilder& b, ValueId x, std::int64_t window,
                                 std::int64_t shift, std::int64_t heads) {
  const Shape xs = b.shape(x);
  // Reshapes spell the batch as 0 ("copy this dim") or fold it into -1, so
  // the graph re-infers at another batch.
  const std::int64_t h = xs[1], w = xs[2], c = xs[3];
  const std::int64_t pad_r = (window - w % window) % window;
  const std::int64_t pad_b = (window - h % window) % window;
  if (pad_r > 0 || pad_b > 0) x = b.pad(x, {0, 0, 0, 0, 0, pad_b, pad_r, 0});
  const std::int64_t pad_h = h + pad_b, pad_w = w + pad_r;
  // A window as large as the (padded) map is not shifted.
  const std::int64_t sh = window >= pad_h ? 0 : shift;
  const std::int64_t sw = window >= pad_w ? 0 : shift;
  const bool shifted = sh + sw > 0;
  auto roll = [&](ValueId v, std::int64_t dh, std::int64_t dw) {
    Attributes a;
    a.set("shifts", std::vector<std::int64_t>{dh, dw});
    a.set("axes", std::vector<std::int64_t>{1, 2});
    return b.op(OpKind::Roll, {v}, std::move(a));
  };
  if (shifted) x = roll(x, -sh, -sw);
  const std::int64_t nh = pad_h / window, nw = pad_w / window;
  const std::int64_t num_windows = nh * nw;
  const std::int64_t n = window * window;
  const std::int64_t head_dim = c / heads;
  // Partition into windows: [B * num_windows, window * window, C].
  x = b.reshape(x, {0, nh, window, nw, window, c});
  x = b.transpose(x, {0, 1, 3, 2, 4, 5});
  x = b.reshape(x, {-1, n, c});
  // shifted_window_attention applies the module's qkv and proj weights with
  // F.linear, and uses Tensor.matmul and F.softmax (torch_call in graph.h).
  ValueId qkv;
  {
    auto call = b.torch_call("F.linear");
    qkv = b.linear(x, 3 * c, true, "qkv");
  }
  qkv = b.reshape(qkv, {0, 0, 3, heads, head_dim});
  qkv = b.transpose(qkv, {2, 0, 3, 1, 4});
  std::vector<ValueId> parts = b.split(qkv, {1, 1, 1}, 0);
  for (ValueId& p : parts) p = b.reshape(p, {-1, heads, n, head_dim});
  // q = q * (C // num_heads) ** -0.5; attn = q @ k^T
  const ValueId scale =
      b.constant_floats("scale", {}, {1.0 / std::sqrt(static_cast<double>(head_dim))});
  const ValueId q = b.mul(parts[0], scale);
  Attributes trans_b;
  trans_b.set("trans_b", std::int64_t{1});
  ValueId attn;
  {
    auto call = b.torch_call("Tensor.matmul");
    attn = b.op(OpKind::MatMul, {q, parts[1]}, std::move(trans_b));
  }
  // + relative position bias: table[(2*wh-1)*(2*ww-1), heads] gathered by the
  // index, viewed [N, N, heads], permuted to [1, heads, N, N].
  const ValueId table =
      b.parameter("relative_position_bias_table", {(2 * window - 1) * (2 * window - 1), heads});
  const ValueId index =
      b.constant_ints("relative_position_index", relative_position_index(window, window));
  Attributes gather;
  gather.set("axis", std::int64_t{0});
  ValueId bias = b.op(OpKind::Gather, {table, index}, std::move(gather));
  bias = b.reshape(bias, {n, n, heads});
  bias = b.transpose(bias, {2, 0, 1});
  bias = b.reshape(bias, {1, heads, n, n});
  attn = b.add(attn, bias);
  if (shifted) {
    const ValueId mask =
        b.constant_floats("attn_mask", {num_windows, 1, n, n},
                          shifted_window_mask(pad_h, pad_w, window, window, sh, sw));
    attn = b.reshape(attn, {-1, num_windows, heads, n, n});
    attn = b.add(attn, mask);
    attn = b.reshape(attn, {-1, heads, n, n});
  }
  ValueId y;
  {
    auto call = b.torch_call("F.softmax");
    attn = b.softmax(attn, -1);
  }
  // (F.dropout with attention_dropout = 0 and dropout = 0: nothing to model.)
  {
    auto call = b.torch_call("Tensor.matmul");
    y = b.matmul(attn, parts[2]);  // [B * nW, heads, N, head_dim]
  }
  y = b.transpose(y, {0, 2, 1, 3});
  y = b.reshape(y, {0, 0, c});
  {
    auto call = b.torch_call("F.linear");
    y = b.linear(y, c, true, "proj");
  }
  // Merge the windows back: [B, pad_H, pad_W, C].
  y = b.reshape(y, {-1, nh, nw, window, window, c});
  y = b.transpose(y, {0, 1, 3, 2, 4, 5});
  y = b.reshape(y, {0, pad_h, pad_w, c});
  if (shifted) y = roll(y, sh, sw);
  if (pad_r > 0 || pad_b > 0) {
    y = b.slice(y, 1, 0, h);
    y = b.slice(y, 2, 0, w);
  }
  return y;
}

// SwinTransformerBlock: x + sd(attn(norm1(x))), then + sd(mlp(norm2(.))).
ValueId swin_block(GraphBuilder& b, ValueId x, std::int64_t heads, std::int64_t window,
                   std::int64_t shift, double sd_prob) {
  const std::int64_t dim = b.shape(x).back();
  ValueId y = b.layer_norm(x, {dim}, kLayerNormEps, "norm1");
  {
    auto attn = b.scope("attn");
    y = shifted_window_attention(b, y, window, shift, heads);
  }
  y = dropout_unless_zero(b, y, sd_prob, "stochastic_depth");
  x = b.add(x, y);
  y = b.layer_norm(x, {dim}, kLayerNormEps, "norm2");
  {
    auto mlp = b.scope("mlp");  // MLP(dim, [4 * dim, dim], GELU, dropout 0)
    y = b.linear(y, 4 * dim, true, "0");
    y = activation(b, y, OpKind::Gelu, "1");
    y = dropout_unless_zero(b, y, 0.0, "2");
    y = b.linear(y, dim, true, "3");
    y = dropout_unless_zero(b, y, 0.0, "4");
  }
  y = dropout_unless_zero(b, y, sd_prob, "stochastic_depth");
  return b.add(x, y);
}

// PatchMerging(dim) on [B, H, W, C]: pad to even H, W; concatenate the four
// 2x2 phases (x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]);
// LayerNorm(4C); Linear(4C, 2C, bias=False).
ValueId patch_merging(GraphBuilder& b, ValueId x) {
  const Shape xs = b.shape(x);
  const std::int64_t h = xs[1], w = xs[2], c = xs[3];
  if (h % 2 != 0 || w % 2 != 0) x = b.pad(x, {0, 0, 0, 0, 0, h % 2, w % 2, 0});
  const std::int64_t ph = h + h % 2, pw = w + w % 2;
  auto phase = [&](std::int64_t dh, std::int64_t dw) {
    return b.slice(b.slice(x, 1, dh, ph, 2), 2, dw, pw, 2);
  };
  ValueId y = b.concat({phase(0, 0), phase(1, 0), phase(0, 1), phase(1, 1)}, -1);
  y = b.layer_norm(y, {4 * c}, kLayerNormEps, "norm");
  return b.linear(y, 2 * c, false, "reduction");
}

struct SwinConfig {
  std::int64_t patch_size;
  std::int64_t embed_dim;
  std::vector<std::int64_t> depths;
  std::vector<std::int64_t> num_heads;
  std::int64_t window;
  double stochastic_depth_prob;
};

Graph build_swin(const std::string& name, const SwinConfig& cfg, const ZooOptions& options) {
  GraphBuilder b(name, options.dtype);
  ValueId x = image_input(b, options, 224);
  std::int64_t total_blocks = 0;
  for (const std::int64_t d : cfg.depths) total_blocks += d;
  {
    auto features = b.scope("features");
    int index = 0;
    {
      auto embed = b.scope(index++);
      x = plain_conv2d(b, x, cfg.embed_dim, cfg.patch_size, cfg.patch_size, 0, 1, true, "0");
      x = b.transpose(x, {0, 2, 3, 1});  // "1": Permute([0, 2, 3, 1])
      x = b.layer_norm(x, {cfg.embed_dim}, kLayerNormEps, "2");
    }
    std::int64_t block_id = 0;
    for (std::size_t stage = 0; stage < cfg.depths.size(); ++stage) {
      {
        auto s = b.scope(index++);
        for (std::int64_t i = 0; i < cfg.depths[stage]; ++i) {
          const double sd_prob = cfg.stochastic_depth_prob * static_cast<double>(block_id) /
                                 static_cast<double>(total_blocks - 1);
          auto block = b.scope(i);
          x = swin_block(b, x, cfg.num_heads[stage], cfg.window, i % 2 == 0 ? 0 : cfg.window / 2,
                         sd_prob);
          ++block_id;
        }
      }
      if (stage + 1 < cfg.depths.size()) {
        auto merge = b.scope(index++);
        x = patch_merging(b, x);
      }
    }
  }
  x = b.layer_norm(x, {b.shape(x).back()}, kLayerNormEps, "norm");
  x = b.transpose(x, {0, 3, 1, 2});  // permute
  x = adaptive_avg_pool2d(b, x, 1, 1, "avgpool");
  x = flatten1(b, x);
  x = b.linear(x, options.num_classes, true, "head");
  b.output(x);
  return b.finish();
}

}  // namespace

std::vector<ZooEntry> swin_family() {
  return {
      // swin_t: patch 4, embed 96, depths [2, 2, 6, 2], heads [3, 6, 12, 24],
      // window 7, stochastic_depth_prob 0.2.
      image_classifier(
          "swin_t", "SwinTransformer", 224,
          [](const ZooOptions& o) {
            return build_swin("swin_t", {4, 96, {2, 2, 6, 2}, {3, 6, 12, 24}, 7, 0.2}, o);
          }),
  };
}

}  // namespace dnnroof::zoo
