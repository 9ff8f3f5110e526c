// The cost face of the op table: one row per OpKind, naming it (static_assert'ed
// with rows_in_op_order). The numbers per element are the contract documented in
// docs/cost-model.md; change both together.
#include "cost/detail/rules.h"

#include <array>

#include "core/error.h"
#include "graph/detail/op_table.h"

namespace dnnroof::cost_detail {

bool RuleContext::is_param(std::size_t i) const {
  return graph.value(node.inputs.at(i)).role == ValueRole::parameter;
}

double RuleContext::value_bytes(ValueId id) const {
  const Value& v = graph.value(id);
  const double per = is_floating(v.dtype) ? float_bytes : dtype_bytes(v.dtype);
  return static_cast<double>(numel(v.shape)) * per;
}

bool RuleContext::any_grad() const {
  for (bool g : needs_grad) {
    if (g) return true;
  }
  return false;
}

bool RuleContext::any_activation_grad() const {
  for (std::size_t i = 0; i < needs_grad.size(); ++i) {
    if (needs_grad[i] && !is_param(i)) return true;
  }
  return false;
}

namespace {

double prod(const std::vector<std::int64_t>& v) {
  double p = 1;
  for (auto d : v) p *= static_cast<double>(d);
  return p;
}

// The batch size of an Attention node: all dims of the output but the last two.
double attention_batch(const RuleContext& c) {
  const Shape& o = c.out();
  double b = 1;
  for (std::size_t i = 0; i + 2 < o.size(); ++i) b *= static_cast<double>(o[i]);
  return b;
}
double attention_scores(const RuleContext& c) {  // elements of one [.., L, S] matrix
  const Shape& q = c.in(0);
  const Shape& k = c.in(1);
  return attention_batch(c) * static_cast<double>(q[q.size() - 2]) *
         static_cast<double>(k[k.size() - 2]);
}

// --- Matrix-class ----------------------------------------------------------------

// Conv: N * Cout * prod(out_spatial) * (Cin/groups) * prod(kernel) = numel(out) *
// numel(weight)/Cout.
Work conv_fwd(const RuleContext& c) {
  const Shape& w = c.in(1);
  const double per_output = prod(Shape(w.begin() + 1, w.end()));  // Cin/groups * prod(kernel)
  Work r{c.out_numel() * per_output, 0, c.node.inputs.size() > 2 ? c.out_numel() : 0};
  return r;
}

// ConvTranspose: every input pixel meets every weight of its group once:
// N * prod(in_spatial) * Cin * (Cout/groups) * prod(kernel) = numel(x) * numel(weight)/Cin.
Work conv_transpose_fwd(const RuleContext& c) {
  const Shape& w = c.in(1);
  const double per_input = prod(Shape(w.begin() + 1, w.end()));
  return {c.in_numel(0) * per_input, 0, c.node.inputs.size() > 2 ? c.out_numel() : 0};
}

// Gemm (Linear): rows * in * out = numel(out) * in.
Work gemm_fwd(const RuleContext& c) {
  return {c.out_numel() * static_cast<double>(c.in(1)[1]), 0,
          c.node.inputs.size() > 2 ? c.out_numel() : 0};
}

// MatMul: batch * M * N * K = numel(out) * K (1-D operands handled by numel(out)).
Work matmul_fwd(const RuleContext& c) {
  return {c.out_numel() * static_cast<double>(c.in(0).back()), 0, 0};
}

// Backward of the matrix class: grad-input costs the forward MACs for every
// operand that needs a gradient (weights included: grad-weight); a bias
// gradient is a reduction of grad-out: numel(out) adds.
Work matrix_bwd(const RuleContext& c) {
  const Work f = cost_row(c.node.op).forward(c);
  Work r;
  for (std::size_t i = 0; i < 2 && i < c.node.inputs.size(); ++i) {
    if (c.grad(i)) r.macs += f.macs;
  }
  if (c.node.inputs.size() > 2 && c.grad(2)) r.other_flops += c.out_numel();
  return r;
}

// Attention: QK^T (B*L*S*d) + PV (B*L*S*dv) MACs; scale 1 + softmax 5 per
// score (+1 for an additive mask). Causal masking is not subtracted (as
// torch.utils.flop_counter).
Work attention_fwd(const RuleContext& c) {
  const Shape& q = c.in(0);
  const Shape& v = c.in(2);
  const double s = attention_scores(c);
  const double per_score = 6 + (c.node.inputs.size() > 3 ? 1 : 0);
  return {s * static_cast<double>(q.back() + v.back()), s * per_score, 0};
}

// Backward: dV = P^T dO (L*S*dv) if v needs it; dP = dO V^T (L*S*dv), softmax
// backward 4 + scale 1 per score, dQ = dS K (L*S*d), dK = dS^T Q (L*S*d) as needed.
Work attention_bwd(const RuleContext& c) {
  const double s = attention_scores(c);
  const double d = static_cast<double>(c.in(0).back());
  const double dv = static_cast<double>(c.in(2).back());
  Work r;
  if (c.grad(2)) r.macs += s * dv;
  if (c.grad(0) || c.grad(1)) {
    r.macs += s * dv;
    r.other_flops += 5 * s;
  }
  if (c.grad(0)) r.macs += s * d;
  if (c.grad(1)) r.macs += s * d;
  // Fused kernels (flash, memory-efficient) keep no P: they recompute QK^T.
  if (c.options.attention_recompute && (c.grad(0) || c.grad(1) || c.grad(2))) r.macs += s * d;
  return r;
}

// Plain attention materialises S = QK^T and P = softmax(S): forward writes and
// reads each once (4 x scores); backward writes dP/dS and reads it for dQ
// and dK (3 x scores) and reads the saved P (in saved()). Flash: nothing.
Traffic attention_extra(const RuleContext& c, bool backward) {
  if (c.attention == AttentionMemory::flash) return {};
  const double s = attention_scores(c) * c.float_bytes;
  return backward ? Traffic{2 * s, s} : Traffic{2 * s, 2 * s};
}

Saved attention_saved(const RuleContext& c) {
  Saved s{{c.node.inputs[0], c.node.inputs[1], c.node.inputs[2], c.node.outputs[0]}, 0};
  if (c.attention == AttentionMemory::plain) {
    s.extra_bytes = attention_scores(c) * c.float_bytes;  // P
  } else {
    // Row log-sum-exp, fp32, one per query row.
    const Shape& q = c.in(0);
    s.extra_bytes = attention_batch(c) * static_cast<double>(q[q.size() - 2]) * 4;
  }
  return s;
}

// Matrix-class saved tensors: each operand the other's gradient needs (the
// other operand needs a gradient); parameters are not activations.
Saved matrix_saved(const RuleContext& c) {
  Saved s;
  if (c.grad(1) && !c.is_param(0)) s.values.push_back(c.node.inputs[0]);
  if (c.grad(0) && !c.is_param(1)) s.values.push_back(c.node.inputs[1]);
  return s;
}

// --- Normalisation -----------------------------------------------------------------

// BatchNorm: inference 2/elem (scale and shift with the running statistics
// folded); training 5/elem (mean, centred variance, normalise and affine).
Work batch_norm_fwd(const RuleContext& c) {
  return {0, (c.options.training ? 5 : 2) * c.in_numel(0), 0};
}
// LayerNorm / GroupNorm: 5/elem (statistics are always computed).
Work norm_fwd(const RuleContext& c) { return {0, 5 * c.in_numel(0), 0}; }
// Norm backward: 8/elem when the input needs a gradient (includes the
// reductions for the scale/shift gradients), else 4/elem for those alone.
Work norm_bwd(const RuleContext& c) { return {0, (c.grad(0) ? 8 : 4) * c.in_numel(0), 0}; }
Saved input_saved(const RuleContext& c) { return {{c.node.inputs[0]}, 0}; }
Saved output_saved(const RuleContext& c) { return {{c.node.outputs[0]}, 0}; }
Saved nothing_saved(const RuleContext&) { return {}; }

// LRN over `size` channels: sum of squares 2*size, k + alpha/size*sum 2,
// pow 1, div 1 = 2*size + 4 per element; backward twice that.
Work lrn_fwd(const RuleContext& c) {
  const double size = static_cast<double>(c.node.attrs.get_int("size", 5));
  return {0, (2 * size + 4) * c.in_numel(0), 0};
}
Work lrn_bwd(const RuleContext& c) {
  const double size = static_cast<double>(c.node.attrs.get_int("size", 5));
  return {0, 2 * (2 * size + 4) * c.in_numel(0), 0};
}
Saved lrn_saved(const RuleContext& c) { return {{c.node.inputs[0], c.node.outputs[0]}, 0}; }

// --- Elementwise unary: FLOPs per output element, forward and backward --------------

template <int kFwd>
Work per_elem_fwd(const RuleContext& c) {
  return {0, kFwd * c.out_numel(), 0};
}
template <int kBwd>
Work per_elem_bwd(const RuleContext& c) {
  return {0, kBwd * c.out_numel(), 0};
}

// PReLU backward: 2/elem for grad-input (compare, mul) plus 2/elem for the
// slope gradient (mul, reduce).
Work prelu_bwd(const RuleContext& c) {
  return {0, ((c.grad(0) ? 2 : 0) + (c.grad(1) ? 2 : 0)) * c.out_numel(), 0};
}

// --- Pooling ------------------------------------------------------------------------

double kernel_volume(const RuleContext& c) { return prod(c.node.attrs.get_ints("kernel", {1})); }

// MaxPool: prod(kernel) - 1 comparisons per output; backward scatters one
// gradient per output (1/output).
Work max_pool_fwd(const RuleContext& c) { return {0, (kernel_volume(c) - 1) * c.out_numel(), 0}; }
// AvgPool: prod(kernel) - 1 adds + 1 divide = prod(kernel) per output; backward the same.
Work avg_pool_fwd(const RuleContext& c) { return {0, kernel_volume(c) * c.out_numel(), 0}; }
Work one_per_output_bwd(const RuleContext& c) { return {0, c.out_numel(), 0}; }
Work same_as_fwd_bwd(const RuleContext& c) { return cost_row(c.node.op).forward(c); }

// GlobalAvgPool: spatial adds/divide per output = numel(in); GlobalMaxPool:
// spatial - 1 per output = numel(in) - numel(out).
Work global_avg_fwd(const RuleContext& c) { return {0, c.in_numel(0), 0}; }
Work global_max_fwd(const RuleContext& c) { return {0, c.in_numel(0) - c.out_numel(), 0}; }
Work global_avg_bwd(const RuleContext& c) { return {0, c.in_numel(0), 0}; }

// Adaptive pooling as torch: window i of a dim runs from floor(i*in/out) to
// ceil((i+1)*in/out). The sum over outputs of the window volume is the
// product over dims of the summed window lengths.
double adaptive_window_total(const RuleContext& c) {
  const Shape& x = c.in(0);
  const Shape& y = c.out();
  double total = static_cast<double>(x[0] * x[1]);
  for (std::size_t d = 2; d < x.size(); ++d) {
    const std::int64_t in = x[d];
    const std::int64_t out = y[d];
    std::int64_t sum = 0;
    for (std::int64_t i = 0; i < out; ++i) {
      const std::int64_t start = (i * in) / out;
      const std::int64_t end = ((i + 1) * in + out - 1) / out;
      sum += end - start;
    }
    total *= static_cast<double>(sum);
  }
  return total;
}
Work adaptive_avg_fwd(const RuleContext& c) { return {0, adaptive_window_total(c), 0}; }
Work adaptive_max_fwd(const RuleContext& c) {
  return {0, adaptive_window_total(c) - c.out_numel(), 0};
}

// Max pools save their input and int64 indices of the output's size.
Saved max_pool_saved(const RuleContext& c) { return {{c.node.inputs[0]}, c.out_numel() * 8}; }
Traffic max_pool_extra(const RuleContext& c, bool backward) {
  // Training forward writes the indices; backward reads them (in saved).
  return {0, (!backward && c.options.training) ? c.out_numel() * 8 : 0};
}

// --- Elementwise binary -----------------------------------------------------------------

// 1 FLOP per output element.
Work binary_fwd(const RuleContext& c) { return {0, c.out_numel(), 0}; }

// A broadcast input's gradient is reduced: numel(out) - numel(in) adds.
double reduction(const RuleContext& c, std::size_t i) { return c.out_numel() - c.in_numel(i); }

Work add_bwd(const RuleContext& c) {
  Work r;
  for (std::size_t i = 0; i < 2; ++i) {
    if (c.grad(i)) r.other_flops += reduction(c, i);
  }
  return r;
}
// Sub: as Add, plus negating grad-b: numel(out).
Work sub_bwd(const RuleContext& c) {
  Work r = add_bwd(c);
  if (c.grad(1)) r.other_flops += c.out_numel();
  return r;
}
// Mul: grad-a = dy*b, grad-b = dy*a: numel(out) each, plus reductions.
Work mul_bwd(const RuleContext& c) {
  Work r;
  for (std::size_t i = 0; i < 2; ++i) {
    if (c.grad(i)) r.other_flops += c.out_numel() + reduction(c, i);
  }
  return r;
}
// Div: grad-a = dy/b: 1/elem; grad-b = -dy*a/b^2: 3/elem; plus reductions.
Work div_bwd(const RuleContext& c) {
  Work r;
  if (c.grad(0)) r.other_flops += c.out_numel() + reduction(c, 0);
  if (c.grad(1)) r.other_flops += 3 * c.out_numel() + reduction(c, 1);
  return r;
}
// Mul saves each operand the other's gradient needs; Div saves b (for both
// gradients) and a (for grad-b).
Saved mul_saved(const RuleContext& c) {
  Saved s;
  if (c.grad(1) && !c.is_param(0)) s.values.push_back(c.node.inputs[0]);
  if (c.grad(0) && !c.is_param(1)) s.values.push_back(c.node.inputs[1]);
  return s;
}
Saved div_saved(const RuleContext& c) {
  Saved s;
  if (c.grad(1) && !c.is_param(0)) s.values.push_back(c.node.inputs[0]);
  if (!c.is_param(1)) s.values.push_back(c.node.inputs[1]);
  return s;
}

// --- Data movement ------------------------------------------------------------------------

Work zero(const RuleContext&) { return {}; }

// Gather/Embedding backward: scatter-add of grad-out into the table: numel(out).
Work scatter_bwd(const RuleContext& c) {
  return {0, c.grad(0) || c.grad(1) ? c.out_numel() : 0, 0};
}
// They read the gathered rows, not the whole table: the generic rule charges
// the whole data input, so subtract it and add numel(out) elements.
Traffic gather_extra(const RuleContext& c, bool backward) {
  if (backward) return {};
  const std::size_t data = c.node.op == OpKind::Embedding ? 1 : 0;
  return {-c.input_bytes(data) + c.value_bytes(c.node.outputs[0]), 0};
}
Saved indices_saved(const RuleContext& c) {
  return {{c.node.inputs[c.node.op == OpKind::Embedding ? 0 : 1]}, 0};
}

// Dropout in training: mask multiply and scale, 2/elem; backward the same;
// the mask (1 byte per element) is written and saved.
// With ratio 0 (torchvision's default in ViT/Swin) or at inference it is the
// identity: a view.
bool dropout_active(const RuleContext& c) {
  return c.options.training && c.node.attrs.get_float("ratio", 0.5) > 0;
}
Work dropout_fwd(const RuleContext& c) { return {0, dropout_active(c) ? 2 * c.out_numel() : 0, 0}; }
Saved dropout_saved(const RuleContext& c) { return {{}, dropout_active(c) ? c.out_numel() : 0}; }
Traffic dropout_extra(const RuleContext& c, bool backward) {
  return {0, (!backward && dropout_active(c)) ? c.out_numel() : 0};
}

// Reductions: ReduceMean numel(in) (adds and the divide), ReduceSum
// numel(in) - numel(out); backward broadcasts: Mean divides (numel(in)), Sum 0.
Work reduce_mean_fwd(const RuleContext& c) { return {0, c.in_numel(0), 0}; }
Work reduce_sum_fwd(const RuleContext& c) { return {0, c.in_numel(0) - c.out_numel(), 0}; }
Work reduce_mean_bwd(const RuleContext& c) { return {0, c.in_numel(0), 0}; }

// --- Elementwise math -------------------------------------------------------------------

// Pow a ** b: 1/elem forward (one pow, as Exp counts one exp). Backward:
// grad-a = dy * b * a^(b-1): 4/elem (sub, pow, mul, mul); grad-b = dy * y *
// log(a): 3/elem (log, mul, mul); plus the broadcast reductions. Saves a and
// b, and the output when b needs a gradient.
Work pow_bwd(const RuleContext& c) {
  Work r;
  if (c.grad(0)) r.other_flops += 4 * c.out_numel() + reduction(c, 0);
  if (c.grad(1)) r.other_flops += 3 * c.out_numel() + reduction(c, 1);
  return r;
}
Saved pow_saved(const RuleContext& c) {
  Saved s;
  for (std::size_t i = 0; i < 2; ++i) {
    if (!c.is_param(i)) s.values.push_back(c.node.inputs[i]);
  }
  if (c.grad(1)) s.values.push_back(c.node.outputs[0]);
  return s;
}
// Max/Min (torch.maximum/minimum): 1 compare-select per element forward;
// backward per input that needs a gradient a compare and a masked select
// (2/elem) plus its broadcast reduction. Saves both (non-parameter) operands.
Work minmax_bwd(const RuleContext& c) {
  Work r;
  for (std::size_t i = 0; i < 2; ++i) {
    if (c.grad(i)) r.other_flops += 2 * c.out_numel() + reduction(c, i);
  }
  return r;
}
Saved operands_saved(const RuleContext& c) {
  Saved s;
  for (std::size_t i = 0; i < 2; ++i) {
    if (!c.is_param(i)) s.values.push_back(c.node.inputs[i]);
  }
  return s;
}
// Tile: a copy, 0 FLOPs forward; backward sums the repeats into the input's
// gradient: numel(out) - numel(in) adds.
Work tile_bwd(const RuleContext& c) {
  return {0, c.grad(0) ? c.out_numel() - c.in_numel(0) : 0, 0};
}

// Where(cond, x, y): 1 select per element; backward routes dy to x or y
// (a select with zeros, 1/elem) for each that needs a gradient, plus its
// broadcast reduction; saves the condition.
Work where_bwd(const RuleContext& c) {
  Work r;
  for (std::size_t i = 1; i < 3; ++i) {
    if (c.grad(i)) r.other_flops += c.out_numel() + reduction(c, i);
  }
  return r;
}
Saved where_saved(const RuleContext& c) { return {{c.node.inputs[0]}, 0}; }

// ReduceMax/ReduceMin: numel(in) - numel(out) comparisons; backward
// compares each input with its broadcast result and selects dy there:
// 2 * numel(in); saves the input and the output.
Work reduce_minmax_bwd(const RuleContext& c) { return {0, 2 * c.in_numel(0), 0}; }
Saved input_output_saved(const RuleContext& c) {
  return {{c.node.inputs[0], c.node.outputs[0]}, 0};
}

using M = MemoryKind;

// {op, memory, forward, backward, saved, extra bytes}, one row per OpKind in
// its order (checked below).
constexpr std::array<CostRow, kOpKindCount> kCostRows{{
    {OpKind::Conv, M::compute, conv_fwd, matrix_bwd, matrix_saved, nullptr},
    {OpKind::ConvTranspose, M::compute, conv_transpose_fwd, matrix_bwd, matrix_saved, nullptr},
    {OpKind::Gemm, M::compute, gemm_fwd, matrix_bwd, matrix_saved, nullptr},
    {OpKind::MatMul, M::compute, matmul_fwd, matrix_bwd, matrix_saved, nullptr},
    {OpKind::Attention, M::compute, attention_fwd, attention_bwd, attention_saved, attention_extra},
    {OpKind::BatchNorm, M::compute, batch_norm_fwd, norm_bwd, input_saved, nullptr},
    {OpKind::LayerNorm, M::compute, norm_fwd, norm_bwd, input_saved, nullptr},
    {OpKind::GroupNorm, M::compute, norm_fwd, norm_bwd, input_saved, nullptr},
    {OpKind::Lrn, M::compute, lrn_fwd, lrn_bwd, lrn_saved, nullptr},
    {OpKind::Relu, M::compute, per_elem_fwd<1>, per_elem_bwd<1>, output_saved, nullptr},
    {OpKind::Relu6, M::compute, per_elem_fwd<2>, per_elem_bwd<2>, input_saved, nullptr},
    {OpKind::LeakyRelu, M::compute, per_elem_fwd<2>, per_elem_bwd<2>, input_saved, nullptr},
    {OpKind::PRelu, M::compute, per_elem_fwd<2>, prelu_bwd, input_saved, nullptr},
    {OpKind::Elu, M::compute, per_elem_fwd<4>, per_elem_bwd<3>, output_saved, nullptr},
    {OpKind::Selu, M::compute, per_elem_fwd<5>, per_elem_bwd<3>, output_saved, nullptr},
    {OpKind::Gelu, M::compute, per_elem_fwd<8>, per_elem_bwd<10>, input_saved, nullptr},
    {OpKind::Silu, M::compute, per_elem_fwd<4>, per_elem_bwd<7>, input_saved, nullptr},
    {OpKind::Hardswish, M::compute, per_elem_fwd<5>, per_elem_bwd<4>, input_saved, nullptr},
    {OpKind::Hardsigmoid, M::compute, per_elem_fwd<4>, per_elem_bwd<3>, input_saved, nullptr},
    {OpKind::Sigmoid, M::compute, per_elem_fwd<4>, per_elem_bwd<3>, output_saved, nullptr},
    {OpKind::Tanh, M::compute, per_elem_fwd<5>, per_elem_bwd<3>, output_saved, nullptr},
    {OpKind::Clip, M::compute, per_elem_fwd<2>, per_elem_bwd<2>, input_saved, nullptr},
    {OpKind::Softmax, M::compute, per_elem_fwd<5>, per_elem_bwd<4>, output_saved, nullptr},
    {OpKind::LogSoftmax, M::compute, per_elem_fwd<5>, per_elem_bwd<4>, output_saved, nullptr},
    {OpKind::MaxPool, M::compute, max_pool_fwd, one_per_output_bwd, max_pool_saved, max_pool_extra},
    {OpKind::AvgPool, M::compute, avg_pool_fwd, same_as_fwd_bwd, nothing_saved, nullptr},
    {OpKind::GlobalAvgPool, M::compute, global_avg_fwd, global_avg_bwd, nothing_saved, nullptr},
    {OpKind::GlobalMaxPool, M::compute, global_max_fwd, one_per_output_bwd, max_pool_saved,
     max_pool_extra},
    {OpKind::AdaptiveAvgPool, M::compute, adaptive_avg_fwd, same_as_fwd_bwd, nothing_saved,
     nullptr},
    {OpKind::AdaptiveMaxPool, M::compute, adaptive_max_fwd, one_per_output_bwd, max_pool_saved,
     max_pool_extra},
    {OpKind::Add, M::compute, binary_fwd, add_bwd, nothing_saved, nullptr},
    {OpKind::Sub, M::compute, binary_fwd, sub_bwd, nothing_saved, nullptr},
    {OpKind::Mul, M::compute, binary_fwd, mul_bwd, mul_saved, nullptr},
    {OpKind::Div, M::compute, binary_fwd, div_bwd, div_saved, nullptr},
    {OpKind::Concat, M::copy, zero, zero, nothing_saved, nullptr},
    {OpKind::Split, M::view, zero, zero, nothing_saved, nullptr},
    {OpKind::Slice, M::view, zero, zero, nothing_saved, nullptr},
    {OpKind::Reshape, M::view, zero, zero, nothing_saved, nullptr},
    {OpKind::Flatten, M::view, zero, zero, nothing_saved, nullptr},
    {OpKind::Transpose, M::copy, zero, zero, nothing_saved, nullptr},
    {OpKind::Expand, M::view, zero, zero, nothing_saved, nullptr},
    {OpKind::Roll, M::copy, zero, zero, nothing_saved, nullptr},
    {OpKind::Pad, M::copy, zero, zero, nothing_saved, nullptr},
    {OpKind::ChannelShuffle, M::copy, zero, zero, nothing_saved, nullptr},
    {OpKind::Gather, M::copy, zero, scatter_bwd, indices_saved, gather_extra},
    {OpKind::Embedding, M::copy, zero, scatter_bwd, indices_saved, gather_extra},
    {OpKind::Dropout, M::compute, dropout_fwd, dropout_fwd, dropout_saved, dropout_extra},
    {OpKind::Identity, M::view, zero, zero, nothing_saved, nullptr},
    {OpKind::ReduceMean, M::compute, reduce_mean_fwd, reduce_mean_bwd, nothing_saved, nullptr},
    {OpKind::ReduceSum, M::compute, reduce_sum_fwd, zero, nothing_saved, nullptr},
    {OpKind::Exp, M::compute, per_elem_fwd<1>, per_elem_bwd<1>, output_saved, nullptr},
    {OpKind::Log, M::compute, per_elem_fwd<1>, per_elem_bwd<1>, input_saved, nullptr},
    {OpKind::Neg, M::compute, per_elem_fwd<1>, per_elem_bwd<1>, nothing_saved, nullptr},
    {OpKind::Abs, M::compute, per_elem_fwd<1>, per_elem_bwd<2>, input_saved, nullptr},
    {OpKind::Sqrt, M::compute, per_elem_fwd<1>, per_elem_bwd<2>, output_saved, nullptr},
    {OpKind::Reciprocal, M::compute, per_elem_fwd<1>, per_elem_bwd<3>, output_saved, nullptr},
    {OpKind::Softplus, M::compute, per_elem_fwd<3>, per_elem_bwd<4>, input_saved, nullptr},
    {OpKind::Pow, M::compute, binary_fwd, pow_bwd, pow_saved, nullptr},
    {OpKind::Max, M::compute, binary_fwd, minmax_bwd, operands_saved, nullptr},
    {OpKind::Min, M::compute, binary_fwd, minmax_bwd, operands_saved, nullptr},
    {OpKind::Tile, M::copy, zero, tile_bwd, nothing_saved, nullptr},
    {OpKind::Equal, M::compute, binary_fwd, zero, nothing_saved, nullptr},
    {OpKind::Less, M::compute, binary_fwd, zero, nothing_saved, nullptr},
    {OpKind::Greater, M::compute, binary_fwd, zero, nothing_saved, nullptr},
    {OpKind::Not, M::compute, per_elem_fwd<1>, zero, nothing_saved, nullptr},
    {OpKind::Where, M::compute, binary_fwd, where_bwd, where_saved, nullptr},
    {OpKind::Cast, M::copy, zero, zero, nothing_saved, nullptr},
    {OpKind::ReduceMax, M::compute, reduce_sum_fwd, reduce_minmax_bwd, input_output_saved, nullptr},
    {OpKind::ReduceMin, M::compute, reduce_sum_fwd, reduce_minmax_bwd, input_output_saved, nullptr},
    {OpKind::ArgMax, M::compute, reduce_sum_fwd, zero, nothing_saved, nullptr},
    {OpKind::ArgMin, M::compute, reduce_sum_fwd, zero, nothing_saved, nullptr},
}};

// A missing row is zero-filled by std::array: catch it at compile time.
constexpr bool all_rows_filled() {
  for (const auto& r : kCostRows) {
    if (r.forward == nullptr || r.backward == nullptr || r.saved == nullptr) return false;
  }
  return true;
}
static_assert(all_rows_filled(), "kCostRows must have a cost rule for every OpKind");
static_assert(rows_in_op_order(kCostRows), "kCostRows: one row per OpKind, in OpKind order");

}  // namespace

const CostRow& cost_row(OpKind op) {
  const auto i = static_cast<std::size_t>(op);
  if (i >= kCostRows.size()) fail("op kind {} out of range", i);
  return kCostRows[i];
}

MemoryKind effective_memory(OpKind op, bool training) {
  if (op == OpKind::Dropout && !training) return MemoryKind::view;
  return cost_row(op).memory;
}

MemoryKind effective_memory(const Node& node, bool training) {
  if (node.op == OpKind::Dropout && node.attrs.get_float("ratio", 0.5) <= 0) {
    return MemoryKind::view;
  }
  return effective_memory(node.op, training);
}

}  // namespace dnnroof::cost_detail

namespace dnnroof {

bool has_cost_rule(OpKind op) {
  const auto& r = cost_detail::cost_row(op);
  return r.forward != nullptr && r.backward != nullptr && r.saved != nullptr;
}

bool is_view_op(OpKind op, bool training) {
  return cost_detail::effective_memory(op, training) == cost_detail::MemoryKind::view;
}

}  // namespace dnnroof
