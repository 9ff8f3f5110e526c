// Forward FLOPs as other tools count them, so users can compare like with
// like. Each rule cites the tool's source; docs/cost-model.md has the table.
//   fvcore:  fvcore/nn/flop_count.py (_DEFAULT_SUPPORTED_OPS) and
//            fvcore/nn/jit_handles.py (conv/matmul/linear handles count one
//            flop per MAC; norm_flop_counter 5/elem with affine, 4 without;
//            batchnorm_flop_jit 2/elem at inference with affine;
//            adaptive_avg_pool2d = elementwise_flop_counter(1, 0) = numel(in);
//            every other op (relu, add, max_pool, softmax, gelu, ...) is not
//            in the table and counts 0).
//   thop:    thop/profile.py register_hooks and thop/vision/basic_hooks.py,
//            calc_func.py (conv: numel(out)*Cin/g*prod(k), bias ignored;
//            linear: in_features*numel(out); norms 2*numel, x2 when affine;
//            softmax rows*(3*n - 1); avgpool numel(out); adaptive avgpool
//            (prod(in/out)+1)*numel(out); ReLU, ReLU6, LeakyReLU, MaxPool,
//            Dropout zero_ops; PReLU numel; anything without a module hook -
//            torch.matmul, +, GELU, SiLU, sigmoid, attention - counts 0).
//   ptflops: ptflops/pytorch_ops.py (conv: MACs + Cout*N*prod(out) for the
//            bias; linear: numel(in)*out + out (bias once); ReLU, PReLU, ELU,
//            LeakyReLU, ReLU6, GELU, SiLU, softmax: numel; every pool:
//            numel(in); BN/LN/GN: numel, x2 when affine; torch.matmul:
//            prod(a)*b[-1]; nn.MultiheadAttention: QK^T + AV MACs + L*S per
//            head; ops it does not patch - sigmoid, tanh, hardswish and the
//            +, * operators torchvision uses - count 0).
#include "cost/rules.h"

namespace dnnroof::cost_detail {
namespace {

bool has_affine(const RuleContext& c) {
  // BatchNorm always has scale/shift in the IR; LayerNorm/GroupNorm when given.
  return c.node.op == OpKind::BatchNorm || c.node.inputs.size() > 1;
}

ConventionFlops fvcore(const RuleContext& c, const Work& w) {
  const double n = c.node.inputs.empty() ? 0 : c.in_numel(0);
  switch (c.node.op) {
    case OpKind::Conv:
    case OpKind::ConvTranspose:
    case OpKind::Gemm:
    case OpKind::MatMul:
      return {w.macs, 0};
    // Attention is torch's scaled_dot_product_attention (what nn.MultiheadAttention
    // calls in torch >= 2.0); fvcore has no handle for it: 0, listed as unsupported.
    // Attention written as explicit matmuls is MatMul nodes, counted above.
    case OpKind::BatchNorm:
      return {0, c.options.training ? 5 * n : 2 * n};
    case OpKind::LayerNorm:
    case OpKind::GroupNorm:
      return {0, (has_affine(c) ? 5 : 4) * n};
    case OpKind::AdaptiveAvgPool:
    case OpKind::GlobalAvgPool:  // torchvision's AdaptiveAvgPool2d((1, 1))
      return {0, n};
    default:
      return {0, 0};
  }
}

ConventionFlops thop(const RuleContext& c, const Work& w) {
  const double n = c.node.inputs.empty() ? 0 : c.in_numel(0);
  switch (c.node.op) {
    case OpKind::Conv:
    case OpKind::ConvTranspose:
    case OpKind::Gemm:
      return {w.macs, 0};
    case OpKind::BatchNorm:
    case OpKind::LayerNorm:
    case OpKind::GroupNorm:
      return {0, (has_affine(c) ? 4 : 2) * n};
    case OpKind::PRelu:
      return {0, n};
    case OpKind::Softmax:
    case OpKind::LogSoftmax: {
      const auto axis = c.node.attrs.get_int("axis", -1);
      const Shape& s = c.in(0);
      const auto a =
          static_cast<std::size_t>(axis < 0 ? axis + static_cast<std::int64_t>(s.size()) : axis);
      const double features = static_cast<double>(s.at(a));
      return {0, (n / features) * (3 * features - 1)};
    }
    case OpKind::AvgPool:
      return {0, c.out_numel()};
    case OpKind::AdaptiveAvgPool:
    case OpKind::GlobalAvgPool: {
      // kernel = prod(in_spatial / out_spatial) (a real division), + 1 divide.
      const Shape& x = c.in(0);
      const Shape& y = c.out();
      double kernel = 1;
      for (std::size_t d = 2; d < x.size(); ++d) {
        kernel *= static_cast<double>(x[d]) / static_cast<double>(y[d]);
      }
      return {0, (kernel + 1) * c.out_numel()};
    }
    default:
      return {0, 0};
  }
}

ConventionFlops ptflops(const RuleContext& c, const Work& w) {
  const double n = c.node.inputs.empty() ? 0 : c.in_numel(0);
  switch (c.node.op) {
    case OpKind::Conv:
    case OpKind::ConvTranspose:
      return {w.macs + w.bias_elems, 0};
    case OpKind::Gemm:
      // The bias is counted once per output feature, not per row.
      return {w.macs + (c.node.inputs.size() > 2 ? static_cast<double>(c.in(1)[0]) : 0), 0};
    case OpKind::MatMul:
      return {w.macs, 0};
    case OpKind::Attention: {
      // One FLOP per score for the softmax: B * L * S.
      const Shape& k = c.in(1);
      const double scores = c.out_numel() / static_cast<double>(c.out().back()) *
                            static_cast<double>(k[k.size() - 2]);
      return {w.macs, scores};
    }
    case OpKind::Relu:
    case OpKind::PRelu:
    case OpKind::Elu:
    case OpKind::LeakyRelu:
    case OpKind::Relu6:
    case OpKind::Gelu:
    case OpKind::Silu:
    case OpKind::Softmax:
      return {0, c.out_numel()};
    case OpKind::MaxPool:
    case OpKind::AvgPool:
    case OpKind::GlobalAvgPool:
    case OpKind::GlobalMaxPool:
    case OpKind::AdaptiveAvgPool:
    case OpKind::AdaptiveMaxPool:
      return {0, n};
    case OpKind::BatchNorm:
    case OpKind::LayerNorm:
    case OpKind::GroupNorm:
      return {0, (has_affine(c) ? 2 : 1) * n};
    default:
      return {0, 0};
  }
}

}  // namespace

ConventionFlops convention_forward(const RuleContext& ctx, const Work& w) {
  switch (ctx.options.convention) {
    case CostConvention::fvcore:
      return fvcore(ctx, w);
    case CostConvention::thop:
      return thop(ctx, w);
    case CostConvention::ptflops:
      return ptflops(ctx, w);
    case CostConvention::dnnroof:
      break;
  }
  return {2 * w.macs, w.other_flops};
}

}  // namespace dnnroof::cost_detail
