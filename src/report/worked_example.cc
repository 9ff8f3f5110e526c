// Appendix A: the pen-and-paper FLOPs and bytes of AlexNet's first
// convolution and of ResNet-18's first basic block (layer1.0), forward and
// backward, from the formulas of docs/cost-model.md written out, beside what
// the cost model computes for the same nodes. fp32 (4 B per element), batch 1.

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "core/units.h"
#include "report/paper.h"

namespace dnnroof {

double HandConv::out_h() const { return std::floor((h + 2 * pad - k) / stride) + 1; }
double HandConv::out_w() const { return std::floor((w + 2 * pad - k) / stride) + 1; }

// MACs = N x C_out x H_out x W_out x C_in x K x K; FLOPs = 2 x MACs.
// Bytes = input + weights (+ bias) + output, each read or written once.
HandCost hand_conv_forward(const HandConv& c) {
  HandCost h;
  const double out = c.n * c.c_out * c.out_h() * c.out_w();
  const double in = c.n * c.c_in * c.h * c.w;
  const double weights = c.c_out * c.c_in * c.k * c.k + (c.bias ? c.c_out : 0);
  h.macs = out * c.c_in * c.k * c.k;
  h.flops = 2 * h.macs;
  h.bytes = c.bytes_per_element * (in + weights + out);
  return h;
}

// grad-weight = forward MACs, grad-input = forward MACs when the input needs
// a gradient, bias gradient numel(out) additions. Reads the output gradient
// and the saved input (and the weights when computing grad-input); writes
// the weight (and bias) gradients and grad-input when needed.
HandCost hand_conv_backward(const HandConv& c) {
  HandCost h;
  const double out = c.n * c.c_out * c.out_h() * c.out_w();
  const double in = c.n * c.c_in * c.h * c.w;
  const double weights = c.c_out * c.c_in * c.k * c.k + (c.bias ? c.c_out : 0);
  const double fwd_macs = out * c.c_in * c.k * c.k;
  h.macs = fwd_macs * (c.input_needs_grad ? 2 : 1);
  h.flops = 2 * h.macs + (c.bias ? out : 0);
  double elements = out + in + weights;  // read grad-out and saved input, write grad-weight
  if (c.input_needs_grad) elements += weights + in;  // read weights, write grad-input
  h.bytes = c.bytes_per_element * elements;
  return h;
}

// Inference BatchNorm: 2 FLOPs per element (statistics folded into scale and
// shift); reads input, scale, shift, running mean and variance; writes output.
HandCost hand_batchnorm_forward_inference(double e, double ch, double bpe) {
  return HandCost{0, 2 * e, bpe * (2 * e + 4 * ch)};
}
// 8 FLOPs per element when its input needs a gradient; reads grad-out, the
// saved input and scale and shift; writes grad-input and their gradients.
HandCost hand_batchnorm_backward(double e, double ch, double bpe) {
  return HandCost{0, 8 * e, bpe * (3 * e + 4 * ch)};
}
// ReLU: 1 FLOP per element; reads input, writes output.
HandCost hand_relu_forward(double e, double bpe) { return HandCost{0, e, bpe * 2 * e}; }
// 1 FLOP per element; reads grad-out and the saved output, writes grad-input.
HandCost hand_relu_backward(double e, double bpe) { return HandCost{0, e, bpe * 3 * e}; }
// Add: 1 FLOP per element; reads both inputs, writes the output.
HandCost hand_add_forward(double e, double bpe) { return HandCost{0, e, bpe * 3 * e}; }
// 0 FLOPs (the gradient passes through); reads grad-out, writes both grads.
HandCost hand_add_backward(double e, double bpe) { return HandCost{0, 0, bpe * 3 * e}; }

HandConv alexnet_conv1() {
  return {.c_in = 3,
          .h = 224,
          .w = 224,
          .c_out = 64,
          .k = 11,
          .stride = 4,
          .pad = 2,
          .bias = true,
          .input_needs_grad = false};
}

HandConv resnet_block_conv() {
  return {.c_in = 64, .h = 56, .w = 56, .c_out = 64, .k = 3, .pad = 1};
}

namespace {

HandCost& operator+=(HandCost& a, const HandCost& b) {
  a.macs += b.macs;
  a.flops += b.flops;
  a.bytes += b.bytes;
  return a;
}

constexpr double kBlockElements = 64.0 * 56 * 56;  // one 64 x 56 x 56 activation

HandCost block_forward() {
  HandCost h;
  const HandConv c = resnet_block_conv();
  h += hand_conv_forward(c);
  h += hand_conv_forward(c);
  h += hand_batchnorm_forward_inference(kBlockElements, 64);
  h += hand_batchnorm_forward_inference(kBlockElements, 64);
  h += hand_relu_forward(kBlockElements);
  h += hand_relu_forward(kBlockElements);
  h += hand_add_forward(kBlockElements);
  return h;
}

HandCost block_backward() {
  HandCost h;
  const HandConv c = resnet_block_conv();
  h += hand_conv_backward(c);
  h += hand_conv_backward(c);
  h += hand_batchnorm_backward(kBlockElements, 64);
  h += hand_batchnorm_backward(kBlockElements, 64);
  h += hand_relu_backward(kBlockElements);
  h += hand_relu_backward(kBlockElements);
  h += hand_add_backward(kBlockElements);
  return h;
}

// The cost model's sum over the nodes whose name is `name` or starts with
// `name` + ".".
void sum_nodes(const ModelCost& cost, const std::string& name, bool backward, double& flops,
               double& bytes) {
  flops = bytes = 0;
  bool found = false;
  for (const NodeCost& n : cost.nodes) {
    if (n.name != name && !n.name.starts_with(name + ".")) continue;
    found = true;
    const PassCost& p = backward ? n.backward : n.forward;
    flops += p.flops();
    bytes += p.bytes();
  }
  if (!found) fail("worked example: no node '{}' in {}", name, cost.graph_name);
}

// 70276800 -> "70,276,800".
std::string grouped(double v) {
  const std::string digits = std::to_string(static_cast<long long>(std::llround(v)));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && digits[i - 1] != '-' && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

std::vector<WorkedRow> worked_example_rows(const GraphLoader& load) {
  const ModelCosts alexnet = compute_model_costs("alexnet", "alexnet", {1}, DType::fp32, load);
  const ModelCosts resnet = compute_model_costs("resnet18", "resnet18", {1}, DType::fp32, load);
  std::vector<WorkedRow> rows;
  auto add = [&](std::string what, HandCost hand, const ModelCost& cost, const std::string& node,
                 bool backward) {
    WorkedRow r;
    r.what = std::move(what);
    r.hand = hand;
    sum_nodes(cost, node, backward, r.model_flops, r.model_bytes);
    rows.push_back(std::move(r));
  };
  const HandConv a = alexnet_conv1();
  add("AlexNet features.0 (conv 11x11/4, 3->64), forward", hand_conv_forward(a),
      alexnet.infer.at(1), "features.0", false);
  add("AlexNet features.0, backward (grad-weight and bias only)", hand_conv_backward(a),
      alexnet.train.at(1), "features.0", true);
  add("ResNet-18 layer1.0 (basic block), forward", block_forward(), resnet.infer.at(1), "layer1.0",
      false);
  add("ResNet-18 layer1.0, backward", block_backward(), resnet.train.at(1), "layer1.0", true);
  return rows;
}

Section worked_example_section(const GraphLoader& load, const std::string& letter) {
  Section s;
  s.id = "appendix-worked";
  s.title = fmt::format("Appendix {}. Worked example: FLOPs and bytes by hand", letter);
  const HandConv a = alexnet_conv1();
  const HandCost af = hand_conv_forward(a);
  const HandCost ab = hand_conv_backward(a);
  const double a_out = a.n * a.c_out * a.out_h() * a.out_w();
  s.blocks.emplace_back(Paragraph{
      "The cost model's rules (docs/cost-model.md), applied by hand at batch 1 in fp32 (4 B per "
      "element), as seed 003 does on paper, beside the cost model's own figures for the same "
      "nodes; the unit tests check that the two agree."});
  s.blocks.emplace_back(Heading{3, fmt::format("{}.1 AlexNet's first convolution", letter)});
  s.blocks.emplace_back(BulletList{{
      fmt::format("Shape: input 1 x 3 x 224 x 224; 64 filters of 3 x 11 x 11 with bias, stride "
                  "4, padding 2; output side floor((224 + 2 x 2 - 11) / 4) + 1 = {}, so the "
                  "output is 1 x 64 x {} x {} = {} elements.",
                  grouped(a.out_h()), grouped(a.out_h()), grouped(a.out_w()), grouped(a_out)),
      fmt::format("Forward MACs = N x C_out x H_out x W_out x C_in x K x K = 1 x 64 x 55 x 55 x 3 "
                  "x 11 x 11 = {}; FLOPs = 2 x MACs = {}.",
                  grouped(af.macs), grouped(af.flops)),
      fmt::format("Forward bytes = 4 x (input 150,528 + weights 23,232 + bias 64 + output "
                  "193,600) = {} B.",
                  grouped(af.bytes)),
      fmt::format("Backward: the image needs no gradient, so only grad-weight (= forward MACs, "
                  "{} FLOPs) and the bias gradient (one addition per output element, {}) are "
                  "computed: {} FLOPs, about 1x forward, not 2x.",
                  grouped(2 * af.macs), grouped(a_out), grouped(ab.flops)),
      fmt::format("Backward bytes = 4 x (grad-output 193,600 + saved input 150,528 + grad-weight "
                  "23,232 + grad-bias 64) = {} B.",
                  grouped(ab.bytes)),
  }});
  const HandConv c = resnet_block_conv();
  const HandCost cf = hand_conv_forward(c);
  const HandCost cb = hand_conv_backward(c);
  s.blocks.emplace_back(
      Heading{3, fmt::format("{}.2 One ResNet-18 basic block (layer1.0)", letter)});
  s.blocks.emplace_back(BulletList{{
      "Shape: every tensor of the block is 1 x 64 x 56 x 56 = 200,704 elements (E); conv1 and "
      "conv2 are 3 x 3, 64 -> 64, stride 1, padding 1, no bias (36,864 weights each); then "
      "BatchNorm, ReLU, BatchNorm, the residual Add and a ReLU.",
      fmt::format("Each conv: MACs = 64 x 56 x 56 x 64 x 3 x 3 = {}, FLOPs {}; bytes 4 x (E + "
                  "36,864 + E) = {} B.",
                  grouped(cf.macs), grouped(cf.flops), grouped(cf.bytes)),
      "BatchNorm (inference): 2 FLOPs per element = 401,408; bytes 4 x (2E + 4 x 64) = "
      "1,606,656 B. ReLU: E FLOPs, 4 x 2E = 1,605,632 B. Add: E FLOPs, 4 x 3E = 2,408,448 B.",
      fmt::format("Forward total: 2 convs + 2 BatchNorms + 2 ReLUs + Add = {} FLOPs, {} B "
                  "(intensity {:.1f} FLOP/B).",
                  grouped(block_forward().flops), grouped(block_forward().bytes),
                  block_forward().flops / block_forward().bytes),
      fmt::format("Backward, each conv: grad-input + grad-weight = 2 x {} MACs = {} FLOPs; bytes "
                  "4 x (grad-out E + saved input E + weights + grad-input E + grad-weight) = {} B.",
                  grouped(cf.macs), grouped(cb.flops), grouped(cb.bytes)),
      "Backward, BatchNorm: 8 FLOPs per element = 1,605,632, bytes 4 x (3E + 4 x 64) = "
      "2,409,472 B; ReLU: E FLOPs, 4 x 3E = 2,408,448 B; Add: 0 FLOPs, 4 x 3E = 2,408,448 B.",
      fmt::format("Backward total: {} FLOPs, {} B: {:.2f}x the forward FLOPs.",
                  grouped(block_backward().flops), grouped(block_backward().bytes),
                  block_backward().flops / block_forward().flops),
  }});
  Table t(
      {"What", "FLOPs by hand", "FLOPs, cost model", "Bytes by hand", "Bytes, cost model", "Agree"},
      {"what", "hand_flops", "model_flops", "hand_bytes", "model_bytes", "agree"});
  try {
    for (const WorkedRow& r : worked_example_rows(load)) {
      const bool agree = std::abs(r.hand.flops - r.model_flops) <= 0.5 &&
                         std::abs(r.hand.bytes - r.model_bytes) <= 0.5;
      t.add_row({r.what, Cell(r.hand.flops, grouped(r.hand.flops)),
                 Cell(r.model_flops, grouped(r.model_flops)),
                 Cell(r.hand.bytes, grouped(r.hand.bytes)),
                 Cell(r.model_bytes, grouped(r.model_bytes)), agree ? "yes" : "NO"});
    }
    s.blocks.emplace_back(TableBlock{"By hand against the cost model (computed now)", t});
  } catch (const Error& e) {
    s.blocks.emplace_back(
        Paragraph{fmt::format("The cost model's side was not computed: {}", e.what())});
  }
  return s;
}

}  // namespace dnnroof
