// What other tools report, node by node, so users can compare like with like.
// Each rule reproduces the tool's own source (read in the pip packages named
// in docs/cost-model.md, "Conventions of other tools"); tests/cost/peers_test.cc
// checks the totals against numbers the tools themselves printed
// (tests/cost/fixtures/peers.json).
//
// The tools that hook nn.Module classes or patch torch functions (thop,
// ptflops, calflops, torchinfo) see a node only through the torch call that
// computes it. A node's "torch_call" attribute (set by the zoo, see
// GraphBuilder::CallScope) names that call when it is not the usual module of
// its op kind: "F.linear", "F.softmax", "F.relu", "F.adaptive_avg_pool2d",
// "Tensor.matmul", "nn.MultiheadAttention", "LayerNorm2d". Add, Mul, ... are
// Python operators (`+`, `*`) in torchvision, which no tool patches.
//
//   fvcore:   fvcore/nn/flop_count.py (_DEFAULT_SUPPORTED_OPS),
//             fvcore/nn/jit_handles.py (1 per MAC; norm_flop_counter 5/elem
//             with affine, 4 without; batchnorm_flop_jit 2/elem at inference;
//             adaptive_avg_pool2d numel(in); everything else 0).
//   thop:     thop/profile.py profile() (register_hooks, exact type match;
//             params: count_parameters, only for hooked modules that run),
//             thop/vision/basic_hooks.py, thop/vision/calc_func.py.
//   ptflops:  ptflops/pytorch_engine.py get_flops_pytorch (module hooks plus,
//             with count_functional=True, patch_functional/patch_tensor_ops,
//             so a module whose forward calls a patched F.* counts twice),
//             ptflops/pytorch_ops.py (MODULES_MAPPING, FUNCTIONAL_MAPPING,
//             TENSOR_OPS_MAPPING); ptflops/aten_engine.py + aten_ops.py
//             (ATEN_OPS_MAPPING: mm, matmul, addmm, bmm, convolution).
//   calflops: calflops/pytorch_ops.py (_patch_functionals,
//             _patch_tensor_methods: FLOPs = 2 x MACs + bias for conv, linear
//             2 x MACs without bias, 1/elem for patched activations, pools and
//             softmax, norms 2 or 5 per elem).
//   torch:    torch/utils/flop_counter.py (mm/addmm/bmm/baddbmm, convolution
//             and convolution_backward, the sdpa forward and backward
//             formulas; 2 FLOPs per MAC; nothing else).
//   torchinfo: torchinfo/layer_info.py LayerInfo.calculate_macs and
//             model_statistics.py (leaf modules that ran: Conv* params x
//             N x prod(out spatial), any other module's params x out dim 0).
#include <cmath>
#include <string>

#include "cost/detail/rules.h"
#include "graph/op_family.h"

namespace dnnroof::cost_detail {
namespace {

bool has_affine(const RuleContext& c) {
  // BatchNorm always has scale/shift in the IR; LayerNorm/GroupNorm when given.
  return c.node.op == OpKind::BatchNorm || c.node.inputs.size() > 1;
}

std::string torch_call(const RuleContext& c) { return c.node.attrs.get_string("torch_call", ""); }

double first_in(const RuleContext& c) { return c.node.inputs.empty() ? 0 : c.in_numel(0); }

bool has_bias(const RuleContext& c) { return c.node.inputs.size() > 2; }

// Gemm: rows (every dim of x but the last) and out features.
double gemm_rows(const RuleContext& c) {
  const Shape& x = c.in(0);
  double rows = 1;
  for (std::size_t d = 0; d + 1 < x.size(); ++d) rows *= static_cast<double>(x[d]);
  return rows;
}
double gemm_out_features(const RuleContext& c) { return static_cast<double>(c.out().back()); }

// B * L * S of an Attention node (q [.., L, d], k [.., S, d]).
double attention_scores(const RuleContext& c) {
  const Shape& k = c.in(1);
  return c.out_numel() / static_cast<double>(c.out().back()) * static_cast<double>(k[k.size() - 2]);
}

ConventionFlops fvcore(const RuleContext& c, const Work& w) {
  const double n = first_in(c);
  switch (c.node.op) {
    case OpKind::Conv:
    case OpKind::ConvTranspose:
    case OpKind::Gemm:
    case OpKind::MatMul:
      return {w.macs, 0, w.macs};
    // Attention is torch's scaled_dot_product_attention (what nn.MultiheadAttention
    // calls in torch >= 2.0); fvcore has no handle for it: 0, listed as unsupported.
    // Attention written as explicit matmuls is MatMul nodes, counted above.
    case OpKind::BatchNorm:
      return {0, c.options.training ? 5 * n : 2 * n, 0};
    case OpKind::LayerNorm:
    case OpKind::GroupNorm:
      return {0, (has_affine(c) ? 5 : 4) * n, 0};
    case OpKind::AdaptiveAvgPool:
    case OpKind::GlobalAvgPool:  // torchvision's AdaptiveAvgPool2d((1, 1))
      return {0, n, 0};
    default:
      return {0, 0, 0};
  }
}

// thop.profile: only leaf modules whose exact class is in register_hooks,
// and only when their forward runs.
ConventionFlops thop(const RuleContext& c, const Work&) {
  const std::string call = torch_call(c);
  const bool module = call.empty();
  ConventionFlops r;
  r.params_seen = false;
  switch (c.node.op) {
    case OpKind::Conv:
    case OpKind::ConvTranspose: {
      // calculate_conv2d_flops: prod(out) * (in_c // g) * prod(kernel), in_c
      // the input's channels (also for a transposed conv), bias ignored.
      const Shape& x = c.in(0);
      const Shape& wt = c.in(1);
      const double in_c = static_cast<double>(x[1]);
      double groups = 1;
      double kernel = 1;
      for (std::size_t d = 2; d < wt.size(); ++d) kernel *= static_cast<double>(wt[d]);
      if (c.node.op == OpKind::Conv) {
        groups = in_c / static_cast<double>(wt[1]);
      } else {
        groups = static_cast<double>(c.node.attrs.get_int("group", 1));
      }
      r.matmul_flops = c.out_numel() * std::floor(in_c / groups) * kernel;
      r.params_seen = module;
      break;
    }
    case OpKind::Gemm:
      // count_linear: in_features * numel(out). F.linear (swin's qkv/proj)
      // and nn.MultiheadAttention's projections are never hooked.
      if (module) {
        r.matmul_flops = static_cast<double>(c.in(0).back()) * c.out_numel();
        r.params_seen = true;
      }
      break;
    case OpKind::BatchNorm:
    case OpKind::LayerNorm:
      // count_normalization: 2 * numel(in), x2 when affine. LayerNorm2d
      // (ConvNeXt) subclasses nn.LayerNorm: not hooked.
      if (module) {
        r.other_flops = (has_affine(c) ? 4 : 2) * first_in(c);
        r.params_seen = true;
      }
      break;
    case OpKind::PRelu:
      if (module) {
        r.other_flops = first_in(c);  // count_prelu, eval mode
        r.params_seen = true;
      }
      break;
    case OpKind::Softmax:
      // count_softmax for nn.Softmax; F.softmax is not seen.
      if (module) {
        const auto axis = c.node.attrs.get_int("axis", -1);
        const Shape& s = c.in(0);
        const auto a =
            static_cast<std::size_t>(axis < 0 ? axis + static_cast<std::int64_t>(s.size()) : axis);
        const double features = static_cast<double>(s.at(a));
        r.other_flops = (first_in(c) / features) * (3 * features - 1);
      }
      break;
    case OpKind::AvgPool:
      if (module) r.other_flops = c.out_numel();  // calculate_avgpool(numel(out))
      break;
    case OpKind::AdaptiveAvgPool:
    case OpKind::GlobalAvgPool:
      // count_adap_avgpool: int((prod(in/out) + 1) * numel(out)), a real division.
      if (module) {
        const Shape& x = c.in(0);
        const Shape& y = c.out();
        double kernel = 1;
        for (std::size_t d = 2; d < x.size(); ++d) {
          kernel *= static_cast<double>(x[d]) / static_cast<double>(y[d]);
        }
        r.other_flops = std::floor((kernel + 1) * c.out_numel());
      }
      break;
    default:
      // GroupNorm, GELU, SiLU, Sigmoid, Hardswish, matmul, +, *, attention:
      // no hook. ReLU, ReLU6, LeakyReLU, MaxPool, Dropout: zero_ops.
      break;
  }
  return r;
}

// ptflops' pytorch backend. `functional`: count_functional=True (its
// default): F.relu, F.prelu, F.elu, F.gelu, F.silu, the F.*pool* functions,
// F.softmax, torch.matmul/Tensor.matmul/mm/bmm/addmm/baddbmm and
// torch.add/mul are patched, also when a hooked module's forward calls them.
ConventionFlops ptflops(const RuleContext& c, const Work& w, bool functional) {
  const std::string call = torch_call(c);
  const bool module = call.empty();
  const double n = first_in(c);
  const double f = functional ? 1 : 0;
  if (op_family(c.node.op) == OpFamily::pooling) {
    // pool_flops_counter_hook numel(in), and the forward's patched F.*pool*.
    return {0, module ? (1 + f) * n : f * n, 0};
  }
  switch (c.node.op) {
    case OpKind::Conv:
    case OpKind::ConvTranspose:
      // conv_flops_counter_hook: MACs + bias numel(out).
      return {w.macs + w.bias_elems, 0, 0};
    case OpKind::Gemm: {
      const double bias = has_bias(c) ? gemm_out_features(c) * gemm_rows(c) : 0;
      // linear_flops_counter_hook: (in * out + out) * rows, bias per row.
      // nn.MultiheadAttention's hook counts its projections the same way
      // (bias per row); F.linear is not patched (commented out in
      // patch_functional).
      if (module || call == "nn.MultiheadAttention") return {w.macs + bias, 0, 0};
      return {};
    }
    case OpKind::MatMul:
      // _matmul_tensor_flops_hook: prod(a) * b[-1].
      return {f * w.macs, 0, 0};
    case OpKind::Attention:
      // multihead_attention_counter_hook: QK^T + AV MACs, 1 per score
      // (softmax) and the q scaling (numel(q)). A bare
      // F.scaled_dot_product_attention is not patched.
      if (call == "nn.MultiheadAttention") {
        return {w.macs, attention_scores(c) + c.in_numel(0), 0};
      }
      return {};
    case OpKind::Relu:
    case OpKind::Elu:
    case OpKind::PRelu:
    case OpKind::Gelu:
      // relu_flops_counter_hook numel(out); the module's forward calls the
      // patched F.relu / F.elu / F.prelu / F.gelu: once more.
      return {0, module ? (1 + f) * c.out_numel() : f * c.out_numel(), 0};
    case OpKind::LeakyRelu:
    case OpKind::Relu6:
      // Hooked; their forwards call F.leaky_relu / F.hardtanh, not patched.
      return {0, module ? c.out_numel() : 0, 0};
    case OpKind::Silu:
    case OpKind::Softmax:
      // No module hook; nn.SiLU / nn.Softmax call the patched F.silu / F.softmax.
      return {0, f * c.out_numel(), 0};
    case OpKind::BatchNorm:
    case OpKind::GroupNorm:
      // bn_flops_counter_hook: numel(in), x2 when module.affine.
      return {0, (has_affine(c) ? 2 : 1) * n, 0};
    case OpKind::LayerNorm:
      // Same hook, but nn.LayerNorm has elementwise_affine, not `affine`: x1.
      // LayerNorm2d (a subclass) is not hooked.
      return {0, module ? n : 0, 0};
    default:
      return {};
  }
}

// ptflops' aten backend: a TorchDispatchMode counting aten.mm, aten.matmul,
// aten.addmm (+ the bias, per row), aten.bmm, aten.convolution (+ the bias).
ConventionFlops ptflops_aten(const RuleContext& c, const Work& w) {
  switch (c.node.op) {
    case OpKind::Conv:
    case OpKind::ConvTranspose:
      return {w.macs + w.bias_elems, 0, 0};
    case OpKind::Gemm:
      // F.linear with a bias reaches the dispatcher as one addmm on the
      // flattened rows (at::native::linear), the bias counted per row.
      return {w.macs + (has_bias(c) ? gemm_out_features(c) * gemm_rows(c) : 0), 0, 0};
    case OpKind::MatMul:
      return {w.macs, 0, 0};
    default:
      return {};  // sdpa, norms, activations, pools: not in ATEN_OPS_MAPPING
  }
}

// calflops: every conv/linear/norm/activation/pool through its patched F.*.
ConventionFlops calflops(const RuleContext& c, const Work& w) {
  const double n = first_in(c);
  if (op_family(c.node.op) == OpFamily::pooling) return {0, n, 0};  // F.*pool*: numel(in)
  switch (c.node.op) {
    case OpKind::Conv:
    case OpKind::ConvTranspose:
      // _conv_flops_compute: 2 x MACs + Cout * N * prod(out) for the bias.
      return {2 * w.macs, w.bias_elems, w.macs};
    case OpKind::Gemm:
      // _linear_flops_compute: 2 * numel(in) * out, bias ignored.
      return {2 * w.macs, 0, w.macs};
    case OpKind::MatMul:
      return {2 * w.macs, 0, w.macs};  // _matmul_flops_compute
    case OpKind::BatchNorm:
      return {0, (c.options.training ? 5 : 2) * n, 0};
    case OpKind::LayerNorm:
    case OpKind::GroupNorm:
      return {0, (has_affine(c) ? 5 : 4) * n, 0};
    case OpKind::Relu:
    case OpKind::PRelu:
    case OpKind::Elu:
    case OpKind::LeakyRelu:
    case OpKind::Silu:
    case OpKind::Gelu:
    case OpKind::Softmax:
      return {0, n, 0};
    default:
      // ReLU6 (nn.ReLU6 calls F.hardtanh, not patched), sigmoid, hardswish,
      // F.scaled_dot_product_attention, +, *: 0.
      return {};
  }
}

// torch.utils.flop_counter.FlopCounterMode: 2 FLOPs per MAC of mm, addmm,
// bmm, convolution and the sdpa kernels; nothing else.
ConventionFlops torch_counter(const RuleContext& c, const Work& w) {
  if (op_family(c.node.op) == OpFamily::matrix) return {2 * w.macs, 0, w.macs};
  return {};
}

// torchinfo's total mult-adds: per leaf module that ran, for each parameter
// named weight or bias: Conv* classes numel(param) * N * prod(out spatial),
// any other class numel(param) * out.shape[0] (the batch for a Linear: the
// tokens are ignored).
ConventionFlops torchinfo(const RuleContext& c, const Work&) {
  const std::string call = torch_call(c);
  // F.linear and nn.MultiheadAttention never run the Linear module.
  if (call == "F.linear" || call == "nn.MultiheadAttention") return {};
  // Only modules hold parameters named weight/bias: a parameter read by an
  // Add, Concat, Mul or Gather (ViT's class_token and pos_embedding,
  // ConvNeXt's layer_scale, Swin's bias table) belongs to a non-leaf module.
  switch (c.node.op) {
    case OpKind::Conv:
    case OpKind::ConvTranspose:
    case OpKind::Gemm:
    case OpKind::BatchNorm:
    case OpKind::LayerNorm:
    case OpKind::GroupNorm:
    case OpKind::PRelu:
    case OpKind::Embedding:
      break;
    default:
      return {};
  }
  double params = 0;
  for (std::size_t i = 0; i < c.node.inputs.size(); ++i) {
    if (c.is_param(i)) params += c.in_numel(i);
  }
  if (params == 0) return {};
  const Shape& y = c.out();
  double per_param = y.empty() ? 1 : static_cast<double>(y[0]);
  if (c.node.op == OpKind::Conv || c.node.op == OpKind::ConvTranspose) {
    for (std::size_t d = 2; d < y.size(); ++d) per_param *= static_cast<double>(y[d]);
  }
  return {params * per_param, 0, params * per_param};
}

}  // namespace

ConventionFlops convention_forward(const RuleContext& ctx, const Work& w) {
  switch (ctx.options.convention) {
    case CostConvention::fvcore: {
      ConventionFlops r = fvcore(ctx, w);
      r.macs = r.matmul_flops + r.other_flops;  // FlopCountAnalysis.total()
      return r;
    }
    case CostConvention::thop: {
      ConventionFlops r = thop(ctx, w);
      r.macs = r.matmul_flops + r.other_flops;  // thop's "MACs" is its whole count
      return r;
    }
    case CostConvention::ptflops:
    case CostConvention::ptflops_no_functional:
    case CostConvention::ptflops_aten: {
      ConventionFlops r = ctx.options.convention == CostConvention::ptflops_aten
                              ? ptflops_aten(ctx, w)
                              : ptflops(ctx, w, ctx.options.convention == CostConvention::ptflops);
      r.macs = r.matmul_flops + r.other_flops;
      return r;
    }
    case CostConvention::calflops:
      return calflops(ctx, w);
    case CostConvention::torch:
      return torch_counter(ctx, w);
    case CostConvention::torchinfo:
      return torchinfo(ctx, w);
    case CostConvention::dnnroof:
      break;
  }
  return {2 * w.macs, w.other_flops, w.macs};
}

double torch_backward_flops(const RuleContext& c, const Work& bw) {
  switch (c.node.op) {
    case OpKind::Conv:
    case OpKind::ConvTranspose: {
      // conv_backward_flop: grad-input as a transposed conv (right), and
      // grad-weight as conv(x^T, grad_out^T) with the batch as channels,
      // which never divides by `groups`: groups times the real work.
      const Work f = cost_row(c.node.op).forward(c);
      const Shape& x = c.in(0);
      const Shape& wt = c.in(1);
      const double groups = c.node.op == OpKind::Conv
                                ? static_cast<double>(x[1]) / static_cast<double>(wt[1])
                                : static_cast<double>(c.node.attrs.get_int("group", 1));
      double macs = 0;
      if (c.grad(0)) macs += f.macs;
      if (c.grad(1)) macs += f.macs * groups;
      return 2 * macs;
    }
    case OpKind::Gemm:
    case OpKind::MatMul:
    case OpKind::Attention:
      // mm/bmm for each operand's gradient (bias gradients are sums: 0);
      // sdpa's backward: dP, dV, dQ, dK (+ the recompute of QK^T with
      // attention_recompute, added to bw by attention_bwd).
      return 2 * bw.macs;
    default:
      return 0;
  }
}

}  // namespace dnnroof::cost_detail
