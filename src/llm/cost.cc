#include "llm/cost.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "core/error.h"
#include "core/strings.h"
#include "hw/chip.h"

namespace dnnroof::llm {

namespace {

double storage_bytes(std::string_view name, std::string_view what,
                     std::initializer_list<std::string_view> allowed) {
  const auto n = to_lower(name);
  if (std::find(allowed.begin(), allowed.end(), n) == allowed.end()) {
    std::vector<std::string> names(allowed.begin(), allowed.end());
    fail("{} dtype '{}' is not supported; use one of {}", what, name, join(names, ", "));
  }
  if (n == "fp32") return 4;
  if (n == "fp16" || n == "bf16") return 2;
  if (n == "int8" || n == "fp8") return 1;
  return 0.5;  // int4
}

}  // namespace

double Precision::weight_bytes() const {
  return storage_bytes(weights, "weight", {"fp32", "fp16", "bf16", "int8", "int4"});
}
double Precision::activation_bytes() const {
  return storage_bytes(activations, "activation", {"fp32", "fp16", "bf16"});
}
double Precision::kv_bytes() const {
  return storage_bytes(kv_cache, "KV-cache", {"fp32", "fp16", "bf16", "fp8", "int8"});
}
DType Precision::compute() const {
  activation_bytes();  // validates
  return parse_dtype_or_throw(to_lower(activations));
}
void Precision::validate() const {
  weight_bytes();
  activation_bytes();
  kv_bytes();
}

std::string_view phase_name(Phase p) { return p == Phase::prefill ? "prefill" : "decode"; }
Phase parse_phase(std::string_view name) {
  const auto n = to_lower(name);
  if (n == "prefill") return Phase::prefill;
  if (n == "decode") return Phase::decode;
  fail("unknown phase '{}'; use prefill or decode", name);
}

namespace {

// The sum over a phase's ops of one of their quantities.
template <typename Quantity>
double sum_over(const std::vector<OpCost>& ops, Quantity quantity) {
  double s = 0;
  for (const auto& o : ops) s += std::invoke(quantity, o);
  return s;
}

}  // namespace

double PhaseCost::flops() const { return sum_over(ops, &OpCost::flops); }
double PhaseCost::bytes() const { return sum_over(ops, &OpCost::bytes); }
double PhaseCost::weight_bytes() const { return sum_over(ops, &OpCost::weight_bytes); }
double PhaseCost::kv_read_bytes() const { return sum_over(ops, &OpCost::kv_read_bytes); }
double PhaseCost::kv_write_bytes() const { return sum_over(ops, &OpCost::kv_write_bytes); }

double attended_keys(const LlmConfig& c, const Workload& w) {
  const double window = c.sliding_window > 0 ? static_cast<double>(c.sliding_window) : INFINITY;
  const double prompt = static_cast<double>(w.context);
  if (w.phase == Phase::decode) return std::min(prompt + 1, window);
  if (prompt <= window) return prompt * (prompt + 1) / 2;
  return window * (window + 1) / 2 + (prompt - window) * window;
}

double expected_experts_touched(std::int64_t experts, std::int64_t per_token, double tokens) {
  if (experts <= 1) return 1;
  const double n = static_cast<double>(experts);
  const double k = static_cast<double>(per_token);
  return n * (1 - std::pow(1 - k / n, tokens));
}

double kv_bytes_per_token(const LlmConfig& c, const Precision& p) {
  return 2.0 * static_cast<double>(c.layers * c.kv_heads * c.head_dim) * p.kv_bytes();
}

PhaseCost phase_cost(const LlmConfig& c, const Workload& w, const Precision& p) {
  if (w.batch < 1) fail("batch must be at least 1, got {}", w.batch);
  if (w.context < (w.phase == Phase::prefill ? 1 : 0)) {
    fail("{} context must be {}, got {}", phase_name(w.phase),
         w.phase == Phase::prefill ? "at least 1 token" : "0 or more tokens", w.context);
  }
  PhaseCost pc;
  pc.config = c;
  pc.workload = w;
  pc.precision = p;
  const double wb = p.weight_bytes(), ab = p.activation_bytes(), kb = p.kv_bytes();
  const bool quantised = to_lower(p.weights) == "int8" || to_lower(p.weights) == "int4";
  const double ob = quantised ? ab : wb;  // embeddings, lm_head, norms, biases, router
  const double tokens = static_cast<double>(w.tokens());
  const double batch = static_cast<double>(w.batch);
  const double h = static_cast<double>(c.hidden), d = static_cast<double>(c.head_dim);
  const double q = static_cast<double>(c.heads) * d, kv = static_cast<double>(c.kv_heads) * d;
  const double inter = static_cast<double>(c.intermediate), vocab = static_cast<double>(c.vocab);
  const double n_experts = static_cast<double>(c.experts),
               k = static_cast<double>(c.experts_per_token);
  const bool ln = c.norm == NormKind::layernorm;
  const double norm_flops = ln ? 5 : 4;  // per element (src/cost: LayerNorm 5/elem)
  const double norm_params = ln ? 2 * h : h;

  auto add = [&](std::string name, std::int64_t count, double flops, double weights, double act,
                 double kv_read = 0, double kv_write = 0) {
    const double n = static_cast<double>(count);
    pc.ops.push_back(
        OpCost{std::move(name), count, n * flops, n * weights, n * act, n * kv_read, n * kv_write});
  };

  // Embedding: gathers one row per token (plus its learned position, added).
  const bool learned = c.position == PositionKind::learned;
  add("embedding", 1, learned ? tokens * h : 0, (learned ? 2 : 1) * tokens * h * ob,
      tokens * h * ab);

  const std::int64_t nl = c.layers;
  auto norm = [&](std::string name, std::int64_t count) {
    add(std::move(name), count, norm_flops * tokens * h, norm_params * ob, 2 * tokens * h * ab);
  };
  norm("attn_norm", nl);
  // Q, K, V projections; rotary (3 FLOP/elem on Q and K) fused as an epilogue;
  // K and V are written straight into the cache.
  const double qkv_bias = c.qkv_bias ? q + 2 * kv : 0;
  add("qkv_proj", nl,
      2 * tokens * h * (q + 2 * kv) + tokens * qkv_bias +
          (c.position == PositionKind::rotary ? 3 * tokens * (q + kv) : 0),
      h * (q + 2 * kv) * wb + qkv_bias * ob, tokens * h * ab + tokens * q * ab, 0,
      tokens * 2 * kv * kb);
  // Attention core (fused, flash-style: scores never reach memory). Per head
  // and attended key: QK^T 2d, softmax 5, PV 2d.
  const double keys = attended_keys(c, w);
  const double held = w.phase == Phase::prefill ? static_cast<double>(w.context)
                                                : static_cast<double>(w.context + 1);
  const double window = c.sliding_window > 0 ? static_cast<double>(c.sliding_window) : INFINITY;
  // Prefill reads every prompt token's K and V at least once (each is
  // attended by some query, window or not); decode reads the cached keys in
  // its window.
  const double read_tokens = w.phase == Phase::prefill ? held : std::min(held, window);
  add("attention", nl, batch * keys * static_cast<double>(c.heads) * (4 * d + 5), 0,
      2 * tokens * q * ab, batch * read_tokens * 2 * kv * kb, 0);
  add("o_proj", nl, 2 * tokens * q * h + (c.out_bias ? tokens * h : 0),
      q * h * wb + (c.out_bias ? h * ob : 0), tokens * q * ab + tokens * h * ab);
  add("attn_residual", nl, tokens * h, 0, 3 * tokens * h * ab);
  norm("mlp_norm", nl);

  // MLP, dense or mixture of experts (expert_rows token-rows go through
  // the experts; `touched` experts' weights are read).
  double expert_rows = tokens, touched = 1;
  if (c.is_moe()) {
    add("router", nl, 2 * tokens * h * n_experts, h * n_experts * ob,
        tokens * h * ab + tokens * n_experts * ab);
    expert_rows = tokens * k;
    touched = expected_experts_touched(c.experts, c.experts_per_token, tokens);
    pc.experts_touched = touched;
  }
  const bool gated = c.mlp == MlpKind::swiglu;
  const double up_cols = gated ? 2 * inter : inter;
  const double up_bias = c.mlp_bias ? up_cols : 0;
  add(gated ? "mlp_gate_up" : "mlp_up", nl, 2 * expert_rows * h * up_cols + expert_rows * up_bias,
      touched * (h * up_cols * wb + up_bias * ob),
      expert_rows * h * ab + expert_rows * up_cols * ab);
  // GELU (tanh form) 8 FLOP/elem as src/cost; SwiGLU: SiLU 4 + the product 1.
  add(gated ? "mlp_silu_mul" : "mlp_gelu", nl, (gated ? 5 : 8) * expert_rows * inter, 0,
      (gated ? 3 : 2) * expert_rows * inter * ab);
  // Down projection; MoE adds the weighted combine of k expert outputs (2/elem).
  add("mlp_down", nl,
      2 * expert_rows * inter * h + (c.mlp_bias ? expert_rows * h : 0) +
          (c.is_moe() ? 2 * expert_rows * h : 0),
      touched * (inter * h * wb + (c.mlp_bias ? h * ob : 0)),
      expert_rows * inter * ab + expert_rows * h * ab);
  add("mlp_residual", nl, tokens * h, 0, 3 * tokens * h * ab);

  norm("final_norm", 1);
  // Logits: one row per sequence (decode, and prefill by default: only the
  // last prompt token's logits are needed), or every prompt token.
  const double rows = w.phase == Phase::prefill && w.all_logits ? tokens : batch;
  add("lm_head", 1, 2 * rows * h * vocab, h * vocab * ob, rows * h * ab + rows * vocab * ab);
  return pc;
}

MemoryNeed memory_needed(const LlmConfig& c, const Workload& w, const Precision& p) {
  const auto pc = phase_cost(c, w, p);
  const auto params = count_parameters(c);
  const double wb = p.weight_bytes(), ab = p.activation_bytes();
  const bool quantised = to_lower(p.weights) == "int8" || to_lower(p.weights) == "int4";
  const double ob = quantised ? ab : wb;
  const double h = static_cast<double>(c.hidden), d = static_cast<double>(c.head_dim);
  const double q = static_cast<double>(c.heads) * d, kv = static_cast<double>(c.kv_heads) * d;
  const double inter = static_cast<double>(c.intermediate);
  const double mats =
      h * (q + 2 * kv) + q * h +
      static_cast<double>(c.experts) * (c.mlp == MlpKind::swiglu ? 3 : 2) * h * inter;
  const double linear = static_cast<double>(c.layers) * mats;
  MemoryNeed m;
  m.weights = linear * wb + (static_cast<double>(params.total) - linear) * ob;
  const double held = w.phase == Phase::prefill ? static_cast<double>(w.context)
                                                : static_cast<double>(w.context + 1);
  const double window = c.sliding_window > 0 ? static_cast<double>(c.sliding_window) : INFINITY;
  m.kv_cache = static_cast<double>(w.batch) * std::min(held, window) * kv_bytes_per_token(c, p);
  for (const auto& op : pc.ops) {
    m.activations = std::max(m.activations, op.activation_bytes / static_cast<double>(op.count));
  }
  return m;
}

Roof roof_of(const Chip& chip, DType compute) {
  Roof r;
  r.chip = chip.id;
  const auto peak = chip.peak_flops(compute);
  if (!peak || *peak <= 0) {
    fail("chip '{}' has no {} peak in the catalog", chip.id, dtype_name(compute));
  }
  r.peak_flops = *peak;
  const auto& mem = chip.main_memory();
  if (mem.bandwidth.value <= 0) fail("chip '{}' has no main-memory bandwidth", chip.id);
  r.bandwidth = mem.bandwidth.value;
  r.capacity = mem.capacity.value;
  return r;
}

Bounded bound_op(const OpCost& op, const Roof& roof) {
  const double tc = op.flops / roof.peak_flops;
  const double tm = op.bytes() / roof.bandwidth;
  return Bounded{std::max(tc, tm), tm >= tc};
}

Bounded bound_phase(const PhaseCost& cost, const Roof& roof) {
  double total = 0, memory_time = 0;
  for (const auto& op : cost.ops) {
    const auto b = bound_op(op, roof);
    total += b.time_s;
    if (b.memory_bound) memory_time += b.time_s;
  }
  return Bounded{total, memory_time >= total - memory_time};
}

namespace {

template <typename Fits>
std::int64_t largest_fitting(Fits fits) {
  constexpr std::int64_t cap = std::int64_t{1} << 30;
  if (!fits(1)) return 0;
  std::int64_t lo = 1, hi = 2;
  while (hi <= cap && fits(hi)) {
    lo = hi;
    hi *= 2;
  }
  if (hi > cap) return cap;
  while (hi - lo > 1) {  // fits(lo), !fits(hi)
    const std::int64_t mid = lo + (hi - lo) / 2;
    (fits(mid) ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace

std::int64_t max_batch_that_fits(const LlmConfig& c, Workload w, const Precision& p,
                                 double capacity) {
  if (capacity <= 0) return 0;
  return largest_fitting([&](std::int64_t b) {
    w.batch = b;
    return memory_needed(c, w, p).total() <= capacity;
  });
}

std::int64_t max_context_that_fits(const LlmConfig& c, Workload w, const Precision& p,
                                   double capacity) {
  if (capacity <= 0) return 0;
  return largest_fitting([&](std::int64_t ctx) {
    w.context = ctx;
    return memory_needed(c, w, p).total() <= capacity;
  });
}

}  // namespace dnnroof::llm
