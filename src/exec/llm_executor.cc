// The LibTorch language model of llm_executor.h: a decoder-only transformer
// built from an LlmConfig with seeded random weights and a KV cache, timed
// per phase (prefill, decode step) and per op group. See docs/llm.md,
// section Measuring.
#include "exec/llm_executor.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <c10/util/Exception.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <utility>

#include "core/error.h"
#include "exec/blas.h"
#include "exec/detail/device.h"
#include "exec/detail/torch_common.h"
#include "hw/cpu_affinity.h"
#include "measure/timer.h"

namespace dnnroof {
namespace {

using exec_detail::generator_for;
using exec_detail::parse_device;
using exec_detail::ParsedDevice;

at::ScalarType scalar_type_of(DType t) {
  switch (t) {
    case DType::fp32:
      return at::kFloat;
    case DType::bf16:
      return at::kBFloat16;
    case DType::fp16:
      return at::kHalf;
    default:
      fail("language model: dtype {}: the model computes in fp32, bf16 or fp16", dtype_name(t));
  }
}

// Times op groups when active: each runs alone, synchronised before and
// after; the time of an (op, layer) seen again (MoE experts) is added.
class OpClock {
 public:
  OpClock(bool active, std::function<void()> sync, std::function<std::unique_ptr<Timer>()> timer)
      : active_(active), sync_(std::move(sync)), make_timer_(std::move(timer)) {}

  template <typename Work>
  void run(const char* op, int layer, Work&& work) {
    if (!active_) {
      std::forward<Work>(work)();
      return;
    }
    sync_();
    if (!timer_) timer_ = make_timer_();
    const double s = time_once(*timer_, std::forward<Work>(work));
    for (auto it = times_.rbegin(); it != times_.rend(); ++it) {
      if (it->layer == layer && it->op == op) {
        it->seconds += s;
        return;
      }
      if (it->layer != layer) break;
    }
    LlmOpTime t;
    t.op = op;
    t.layer = layer;
    t.name = layer >= 0 ? fmt::format("h.{}.{}", layer, op) : std::string(op);
    t.seconds = s;
    times_.push_back(std::move(t));
  }
  std::vector<LlmOpTime> take() { return std::move(times_); }

 private:
  bool active_;
  std::function<void()> sync_;
  std::function<std::unique_ptr<Timer>()> make_timer_;
  std::unique_ptr<Timer> timer_;
  std::vector<LlmOpTime> times_;
};

struct Layer {
  at::Tensor attn_norm_w, attn_norm_b, qkv_w, qkv_b, o_w, o_b, mlp_norm_w, mlp_norm_b;
  at::Tensor up_w, up_b, down_w, down_b;  // dense MLP (up: gate rows first, then up, for SwiGLU)
  at::Tensor router_w;                    // MoE
  std::vector<at::Tensor> expert_up, expert_down;
  at::Tensor k_cache, v_cache;  // [batch, kv_heads, capacity, head_dim]
};

class TorchLlm final : public LlmExecutor {
 public:
  TorchLlm(const llm::LlmConfig& config, const LlmExecOptions& options);
  ~TorchLlm() override {
    if (!info_.pinned_cpus.empty()) confine_process_threads(launch_allowed_cpus());
  }

  std::vector<HostTensor> parameters() const override;
  std::int64_t parameter_count() const override;
  void prepare(const llm::Workload& w) override;
  double step() override;
  std::vector<LlmOpTime> time_ops() override;
  HostTensor forward_tokens(const std::vector<std::int64_t>& tokens, std::int64_t batch) override;
  void reset_cache(std::int64_t length, std::int64_t capacity) override;
  std::int64_t cache_length() const override { return cache_len_; }
  double kv_cache_bytes() const override;
  std::optional<double> device_peak_memory_bytes() const override { return dev_.peak_bytes(); }
  void reset_device_peak_memory() override { dev_.reset_peak(); }

 private:
  enum class Init { normal, ones, zeros };
  at::Tensor param(const std::string& name, std::vector<std::int64_t> shape, Init init);
  // Runs `tokens` ([batch, n], int64 on the device) at positions
  // cache_len_.. and appends their K and V to the cache; returns the logits
  // of every token (all_logits) or of each sequence's last one.
  at::Tensor forward(const at::Tensor& tokens, bool all_logits, OpClock& clock);
  at::Tensor norm(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) const;
  at::Tensor rotary(const at::Tensor& x, std::int64_t pos0) const;
  void ensure_rotary(std::int64_t positions);
  void ensure_cache(std::int64_t batch, std::int64_t needed);
  void sync() const { dev_.sync(); }
  std::unique_ptr<Timer> timer() const { return dev_.timer(); }
  double timed_step(OpClock& clock);

  LlmExecOptions options_;
  ParsedDevice dev_;
  at::Device device_{at::kCPU};
  at::ScalarType st_ = at::kFloat;
  at::Tensor wte_, wpe_, final_w_, final_b_, lm_head_;
  std::vector<Layer> layers_;
  std::vector<std::pair<std::string, at::Tensor>> named_;
  at::Tensor cos_, sin_;  // [positions, head_dim] in st_
  std::int64_t cache_len_ = 0, cache_cap_ = 0, cache_batch_ = 0, cap_request_ = 0;
  std::optional<llm::Workload> work_;
  at::Tensor prompt_;  // prefill: [B, P]; decode: the new token [B, 1]
  // The mask of the last (pos0, n, key_start) asked for.
  at::Tensor mask_;
  std::int64_t mask_pos0_ = -1, mask_n_ = -1, mask_start_ = -1;
};

TorchLlm::TorchLlm(const llm::LlmConfig& c, const LlmExecOptions& o) : options_(o) {
  config_ = c;
  if (c.hidden < 1 || c.layers < 1 || c.heads < 1 || c.kv_heads < 1 || c.head_dim < 1 ||
      c.vocab < 1 || c.intermediate < 1) {
    fail(
        "'{}': a language model needs positive sizes (hidden, layers, heads, kv heads, head "
        "dim, vocabulary, intermediate)",
        c.name);
  }
  if (c.heads % c.kv_heads != 0) {
    fail("'{}': {} heads are not a multiple of {} key/value heads", c.name, c.heads, c.kv_heads);
  }
  if (c.position == llm::PositionKind::rotary && c.head_dim % 2 != 0) {
    fail("'{}': rotary embeddings need an even head dimension, got {}", c.name, c.head_dim);
  }
  if (c.is_moe() && (c.experts_per_token < 1 || c.experts_per_token > c.experts)) {
    fail("'{}': {} experts per token of {}", c.name, c.experts_per_token, c.experts);
  }
  dev_ = parse_device(o.device);  // no CUDA, bad index: an Error saying which
  st_ = scalar_type_of(o.dtype);
  if (!dev_.cuda && o.dtype == DType::fp16) {
    fail(
        "language model: dtype fp16 on the CPU: LibTorch's CPU matrix products have no Half "
        "kernel; use fp32 or bf16");
  }
  if (dev_.cuda && o.dtype == DType::bf16 && !exec_detail::cuda_supports_bf16(dev_.index)) {
    fail("dtype bf16 on cuda:{}: the GPU's compute capability is below 8.0", dev_.index);
  }
  device_ = dev_.device();
  if (o.threads < 0) fail("language model: threads must be >= 0, got {}", o.threads);
  const int threads = o.threads > 0 ? o.threads : default_thread_count();
  const std::string pinned = exec_detail::set_cpu_threads(threads, o.pin && !dev_.cuda);
  at::globalContext().setFlushDenormal(true);
  info_ = runtime_info(o.device);
  info_.pinned_cpus = pinned;

  const std::int64_t h = c.hidden, q = c.heads * c.head_dim, kv = c.kv_heads * c.head_dim;
  const bool ln = c.norm == llm::NormKind::layernorm;
  const bool gated = c.mlp == llm::MlpKind::swiglu;
  const std::int64_t up_rows = gated ? 2 * c.intermediate : c.intermediate;
  try {
    c10::InferenceMode guard;
    wte_ = param("embed_tokens.weight", {c.vocab, h}, Init::normal);
    if (c.position == llm::PositionKind::learned) {
      if (c.max_positions < 1) fail("'{}': learned positions need max_position_embeddings", c.name);
      wpe_ = param("embed_positions.weight", {c.max_positions, h}, Init::normal);
    }
    for (std::int64_t l = 0; l < c.layers; ++l) {
      Layer L;
      const std::string p = fmt::format("layers.{}.", l);
      L.attn_norm_w = param(p + "attn_norm.weight", {h}, Init::ones);
      if (ln) L.attn_norm_b = param(p + "attn_norm.bias", {h}, Init::zeros);
      L.qkv_w = param(p + "qkv_proj.weight", {q + 2 * kv, h}, Init::normal);
      if (c.qkv_bias) L.qkv_b = param(p + "qkv_proj.bias", {q + 2 * kv}, Init::zeros);
      L.o_w = param(p + "o_proj.weight", {h, q}, Init::normal);
      if (c.out_bias) L.o_b = param(p + "o_proj.bias", {h}, Init::zeros);
      L.mlp_norm_w = param(p + "mlp_norm.weight", {h}, Init::ones);
      if (ln) L.mlp_norm_b = param(p + "mlp_norm.bias", {h}, Init::zeros);
      if (c.is_moe()) {
        L.router_w = param(p + "router.weight", {c.experts, h}, Init::normal);
        for (std::int64_t e = 0; e < c.experts; ++e) {
          const std::string pe = fmt::format("{}experts.{}.", p, e);
          L.expert_up.push_back(param(pe + "mlp_up.weight", {up_rows, h}, Init::normal));
          L.expert_down.push_back(param(pe + "mlp_down.weight", {h, c.intermediate}, Init::normal));
        }
      } else {
        L.up_w = param(p + "mlp_up.weight", {up_rows, h}, Init::normal);
        if (c.mlp_bias) L.up_b = param(p + "mlp_up.bias", {up_rows}, Init::zeros);
        L.down_w = param(p + "mlp_down.weight", {h, c.intermediate}, Init::normal);
        if (c.mlp_bias) L.down_b = param(p + "mlp_down.bias", {h}, Init::zeros);
      }
      layers_.push_back(std::move(L));
    }
    final_w_ = param("final_norm.weight", {h}, Init::ones);
    if (ln) final_b_ = param("final_norm.bias", {h}, Init::zeros);
    lm_head_ = c.tied_embeddings ? wte_ : param("lm_head.weight", {c.vocab, h}, Init::normal);
  } catch (const c10::Error& e) {
    fail("language model '{}': LibTorch: {}", c.name, e.what_without_backtrace());
  }
  for (const auto& [name, t] : o.weights) {
    const bool known = std::any_of(named_.begin(), named_.end(),
                                   [&name](const auto& p) { return p.first == name; });
    if (!known) fail("language model '{}': no parameter named '{}'", c.name, name);
  }
}

at::Tensor TorchLlm::param(const std::string& name, std::vector<std::int64_t> shape, Init init) {
  at::Tensor t;
  if (const auto it = options_.weights.find(name); it != options_.weights.end()) {
    const HostTensor& w = it->second;
    if (w.dims != shape) {
      fail("weight '{}' has shape [{}], the model needs [{}]", name, fmt::join(w.dims, ", "),
           fmt::join(shape, ", "));
    }
    if (w.dtype != DType::fp32) fail("weight '{}': give it in fp32", name);
    t = at::empty(shape, at::TensorOptions().dtype(at::kFloat));
    if (w.data.size() != static_cast<std::size_t>(t.numel()) * 4) {
      fail("weight '{}': {} bytes for {} fp32 elements", name, w.data.size(), t.numel());
    }
    std::memcpy(t.data_ptr(), w.data.data(), w.data.size());
  } else if (init == Init::normal) {
    at::Generator gen = generator_for(options_.seed, name);
    t = at::empty(shape, at::TensorOptions().dtype(at::kFloat));
    t.normal_(0.0, 0.02, gen);
  } else {
    t = at::full(shape, init == Init::ones ? 1.0 : 0.0, at::TensorOptions().dtype(at::kFloat));
  }
  t = t.to(st_).to(device_);
  named_.emplace_back(name, t);
  return t;
}

std::vector<HostTensor> TorchLlm::parameters() const {
  std::vector<HostTensor> out;
  for (const auto& [name, t] : named_) out.push_back(exec_detail::to_host(t.to(at::kFloat), name));
  return out;
}

std::int64_t TorchLlm::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& p : named_) n += p.second.numel();
  return n;
}

at::Tensor TorchLlm::norm(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) const {
  if (config_.norm == llm::NormKind::layernorm) {
    return at::layer_norm(x, {config_.hidden}, w, b, 1e-5);
  }
  // RMSNorm as Hugging Face's Llama computes it: in fp32, scaled after the
  // cast back.
  const at::Tensor xf = x.to(at::kFloat);
  const at::Tensor r = at::rsqrt(xf.pow(2).mean(-1, true) + options_.rms_eps);
  return w * (xf * r).to(x.scalar_type());
}

void TorchLlm::ensure_rotary(std::int64_t positions) {
  if (config_.position != llm::PositionKind::rotary) return;
  if (cos_.defined() && cos_.size(0) >= positions) return;
  const std::int64_t d = config_.head_dim;
  const auto f64 = at::TensorOptions().dtype(at::kDouble);
  const at::Tensor inv =
      at::pow(options_.rope_theta, at::arange(0, d, 2, f64) / static_cast<double>(d)).reciprocal();
  const at::Tensor freqs = at::outer(at::arange(positions, f64), inv);
  const at::Tensor emb = at::cat({freqs, freqs}, -1);
  cos_ = emb.cos().to(st_).to(device_);
  sin_ = emb.sin().to(st_).to(device_);
}

// Hugging Face's rotate_half form: x * cos + rotate_half(x) * sin, with
// rotate_half(x) = [-x2, x1] over the two halves of the head dimension.
at::Tensor TorchLlm::rotary(const at::Tensor& x, std::int64_t pos0) const {
  const std::int64_t n = x.size(1), d = config_.head_dim;
  const at::Tensor c = cos_.narrow(0, pos0, n).view({1, n, 1, d});
  const at::Tensor s = sin_.narrow(0, pos0, n).view({1, n, 1, d});
  const at::Tensor x1 = x.narrow(-1, 0, d / 2), x2 = x.narrow(-1, d / 2, d / 2);
  return x * c + at::cat({-x2, x1}, -1) * s;
}

void TorchLlm::ensure_cache(std::int64_t batch, std::int64_t needed) {
  if (layers_.front().k_cache.defined() && batch == cache_batch_ && needed <= cache_cap_) return;
  if (cache_len_ > 0 && batch != cache_batch_) {
    fail("language model: the cache holds {} sequences, the tokens are {}", cache_batch_, batch);
  }
  const std::int64_t cap = std::max(needed, cap_request_);
  const auto opts = at::TensorOptions().dtype(st_).device(device_);
  for (Layer& L : layers_) {
    at::Tensor k = at::zeros({batch, config_.kv_heads, cap, config_.head_dim}, opts);
    at::Tensor v = at::zeros({batch, config_.kv_heads, cap, config_.head_dim}, opts);
    if (cache_len_ > 0) {
      k.narrow(2, 0, cache_len_).copy_(L.k_cache.narrow(2, 0, cache_len_));
      v.narrow(2, 0, cache_len_).copy_(L.v_cache.narrow(2, 0, cache_len_));
    }
    L.k_cache = std::move(k);
    L.v_cache = std::move(v);
  }
  cache_cap_ = cap;
  cache_batch_ = batch;
}

void TorchLlm::reset_cache(std::int64_t length, std::int64_t capacity) {
  if (length < 0 || length > cache_len_) {
    fail("language model: cannot rewind a cache of {} tokens to {}", cache_len_, length);
  }
  cache_len_ = length;
  cap_request_ = capacity;
  if (capacity > cache_cap_ && layers_.front().k_cache.defined()) {
    ensure_cache(cache_batch_, capacity);
  }
}

double TorchLlm::kv_cache_bytes() const {
  if (!layers_.front().k_cache.defined()) return 0;
  const std::int64_t w = config_.sliding_window;
  const std::int64_t held = w > 0 ? std::min(cache_len_, w) : cache_len_;
  double bytes = 0;
  for (const Layer& L : layers_) {
    const std::int64_t start = cache_len_ - held;
    bytes += static_cast<double>(L.k_cache.narrow(2, start, held).nbytes() +
                                 L.v_cache.narrow(2, start, held).nbytes());
  }
  return bytes;
}

at::Tensor TorchLlm::forward(const at::Tensor& tokens, bool all_logits, OpClock& clock) {
  const llm::LlmConfig& c = config_;
  const std::int64_t B = tokens.size(0), n = tokens.size(1), pos0 = cache_len_;
  const std::int64_t total = pos0 + n;
  const std::int64_t h = c.hidden, d = c.head_dim, H = c.heads, KV = c.kv_heads;
  const std::int64_t g = H / KV, q = H * d, kv = KV * d;
  if (c.position == llm::PositionKind::learned && total > c.max_positions) {
    fail("'{}': position {} is past its {} learned positions", c.name, total - 1, c.max_positions);
  }
  ensure_cache(B, total);
  ensure_rotary(total);
  const std::int64_t W = c.sliding_window;
  // Keys any of these queries attends: the window of the first query on.
  const std::int64_t key_start = W > 0 ? std::max<std::int64_t>(0, pos0 - W + 1) : 0;
  const std::int64_t keys = total - key_start;
  // Query i (position pos0 + i) attends key position p when p <= pos0 + i
  // and, with a window, p > pos0 + i - W. A single query whose keys are all
  // in its window needs no mask.
  const bool masked = n > 1 || (W > 0 && keys > W);
  if (masked && (mask_pos0_ != pos0 || mask_n_ != n || mask_start_ != key_start)) {
    const auto i64 = at::TensorOptions().dtype(at::kLong).device(device_);
    const at::Tensor qp = at::arange(pos0, total, i64).unsqueeze(1);
    const at::Tensor kp = at::arange(key_start, total, i64).unsqueeze(0);
    at::Tensor blocked = kp > qp;
    if (W > 0) blocked = blocked.logical_or(kp <= qp - W);
    mask_ = blocked;
    mask_pos0_ = pos0;
    mask_n_ = n;
    mask_start_ = key_start;
  }
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));

  at::Tensor x;
  clock.run("embedding", -1, [&] {
    x = at::embedding(wte_, tokens);
    if (wpe_.defined()) x = x + wpe_.narrow(0, pos0, n);
  });
  for (std::size_t li = 0; li < layers_.size(); ++li) {
    Layer& L = layers_[li];
    const int l = static_cast<int>(li);
    at::Tensor a, qh, attn, o;
    clock.run("attn_norm", l, [&] { a = norm(x, L.attn_norm_w, L.attn_norm_b); });
    clock.run("qkv_proj", l, [&] {
      const at::Tensor qkv = at::linear(a, L.qkv_w, L.qkv_b);
      at::Tensor qt = qkv.narrow(-1, 0, q).view({B, n, H, d});
      at::Tensor kt = qkv.narrow(-1, q, kv).view({B, n, KV, d});
      const at::Tensor vt = qkv.narrow(-1, q + kv, kv).view({B, n, KV, d});
      if (c.position == llm::PositionKind::rotary) {
        qt = rotary(qt, pos0);
        kt = rotary(kt, pos0);
      }
      L.k_cache.narrow(2, pos0, n).copy_(kt.transpose(1, 2));
      L.v_cache.narrow(2, pos0, n).copy_(vt.transpose(1, 2));
      // [B, KV, g * n, d]: the g query heads that share a K/V head side by side.
      qh = qt.transpose(1, 2).reshape({B, KV, g * n, d});
    });
    clock.run("attention", l, [&] {
      const at::Tensor k = L.k_cache.narrow(2, key_start, keys);
      const at::Tensor v = L.v_cache.narrow(2, key_start, keys);
      at::Tensor s = at::matmul(qh, k.transpose(2, 3)).mul_(scale);
      if (masked) {
        s = s.view({B, KV, g, n, keys})
                .masked_fill_(mask_, -std::numeric_limits<double>::infinity())
                .view({B, KV, g * n, keys});
      }
      const at::Tensor p = at::softmax(s, -1);
      attn = at::matmul(p, v).view({B, H, n, d}).transpose(1, 2).reshape({B, n, q});
    });
    clock.run("o_proj", l, [&] { o = at::linear(attn, L.o_w, L.o_b); });
    clock.run("attn_residual", l, [&] { x = x + o; });
    at::Tensor m;
    clock.run("mlp_norm", l, [&] { a = norm(x, L.mlp_norm_w, L.mlp_norm_b); });
    const bool gated = c.mlp == llm::MlpKind::swiglu;
    const char* up_name = gated ? "mlp_gate_up" : "mlp_up";
    const char* act_name = gated ? "mlp_silu_mul" : "mlp_gelu";
    const std::int64_t I = c.intermediate;
    auto act = [&](const at::Tensor& u) {
      if (gated) return at::silu(u.narrow(-1, 0, I)) * u.narrow(-1, I, I);
      return at::gelu(u, "tanh");
    };
    if (!c.is_moe()) {
      at::Tensor u, y;
      clock.run(up_name, l, [&] { u = at::linear(a, L.up_w, L.up_b); });
      clock.run(act_name, l, [&] { y = act(u); });
      clock.run("mlp_down", l, [&] { m = at::linear(y, L.down_w, L.down_b); });
    } else {
      // Mixtral's routing: softmax over the experts (fp32), the top k,
      // their weights renormalised to sum 1.
      const at::Tensor flat = a.reshape({B * n, h});
      std::vector<at::Tensor> rows(static_cast<std::size_t>(c.experts)),
          slots(static_cast<std::size_t>(c.experts));
      at::Tensor weights;
      clock.run("router", l, [&] {
        const at::Tensor logits = at::linear(flat, L.router_w).to(at::kFloat);
        const auto [w, idx] = at::softmax(logits, -1).topk(c.experts_per_token, -1);
        weights = (w / w.sum(-1, true)).to(st_);
        for (std::int64_t e = 0; e < c.experts; ++e) {
          const at::Tensor where = at::nonzero(idx == e);  // [r, 2]: token, slot
          rows[static_cast<std::size_t>(e)] = where.select(1, 0);
          slots[static_cast<std::size_t>(e)] = where.select(1, 1);
        }
      });
      at::Tensor out = at::zeros({B * n, h}, flat.options());
      for (std::int64_t e = 0; e < c.experts; ++e) {
        const auto ue = static_cast<std::size_t>(e);
        if (rows[ue].size(0) == 0) continue;
        at::Tensor u, y;
        clock.run(up_name, l,
                  [&] { u = at::linear(flat.index_select(0, rows[ue]), L.expert_up[ue]); });
        clock.run(act_name, l, [&] { y = act(u); });
        clock.run("mlp_down", l, [&] {
          const at::Tensor wt = weights.reshape({-1})
                                    .index_select(0, rows[ue] * c.experts_per_token + slots[ue])
                                    .unsqueeze(1);
          out.index_add_(0, rows[ue], at::linear(y, L.expert_down[ue]) * wt);
        });
      }
      m = out.view({B, n, h});
    }
    clock.run("mlp_residual", l, [&] { x = x + m; });
  }
  cache_len_ = total;
  clock.run("final_norm", -1, [&] { x = norm(x, final_w_, final_b_); });
  at::Tensor logits;
  clock.run("lm_head", -1,
            [&] { logits = at::linear(all_logits ? x : x.narrow(1, n - 1, 1), lm_head_); });
  return logits;
}

void TorchLlm::prepare(const llm::Workload& w) {
  const llm::LlmConfig& c = config_;
  if (w.batch < 1) fail("language model: batch must be at least 1, got {}", w.batch);
  const bool prefill = w.phase == llm::Phase::prefill;
  if (prefill ? w.context < 1 : w.context < 0) {
    fail("language model: {} context must be {}, got {}", llm::phase_name(w.phase),
         prefill ? "at least 1 token" : "0 or more tokens", w.context);
  }
  const std::int64_t positions = prefill ? w.context : w.context + 1;
  if (c.position == llm::PositionKind::learned && positions > c.max_positions) {
    fail("'{}' has {} learned positions; {} at context {} needs {}", c.name, c.max_positions,
         llm::phase_name(w.phase), w.context, positions);
  }
  work_.reset();
  try {
    c10::InferenceMode guard;
    at::Generator gen = generator_for(options_.seed, "tokens");
    const auto i64 = at::TensorOptions().dtype(at::kLong);
    const at::Tensor all = at::randint(c.vocab, {w.batch, positions}, gen, i64).to(device_);
    // The cache is sized exactly: keys are read from a contiguous tensor.
    for (Layer& L : layers_) {
      L.k_cache = at::Tensor();
      L.v_cache = at::Tensor();
    }
    cache_len_ = 0;
    cache_cap_ = 0;
    cap_request_ = positions;
    if (prefill) {
      prompt_ = all;
    } else {
      if (w.context > 0) {
        OpClock off(false, {}, {});
        (void)forward(all.narrow(1, 0, w.context), false, off);
      } else {
        ensure_cache(w.batch, positions);
      }
      prompt_ = all.narrow(1, w.context, 1).contiguous();
    }
    sync();
  } catch (const c10::Error& e) {
    fail("language model '{}': LibTorch: {}", c.name, e.what_without_backtrace());
  }
  work_ = w;
}

double TorchLlm::timed_step(OpClock& clock) {
  if (!work_) fail("language model: step() before prepare()");
  try {
    c10::InferenceMode guard;
    cache_len_ = work_->phase == llm::Phase::prefill ? 0 : work_->context;
    const bool all = work_->phase == llm::Phase::prefill && work_->all_logits;
    std::unique_ptr<Timer> t = timer();
    sync();
    return time_once(*t, [&] { (void)forward(prompt_, all, clock); });
  } catch (const c10::Error& e) {
    fail("language model '{}': LibTorch: {}", config_.name, e.what_without_backtrace());
  }
}

double TorchLlm::step() {
  OpClock off(false, {}, {});
  return timed_step(off);
}

std::vector<LlmOpTime> TorchLlm::time_ops() {
  OpClock clock(
      true, [this] { sync(); }, [this] { return timer(); });
  (void)timed_step(clock);
  return clock.take();
}

HostTensor TorchLlm::forward_tokens(const std::vector<std::int64_t>& tokens, std::int64_t batch) {
  if (batch < 1 || tokens.empty() || tokens.size() % static_cast<std::size_t>(batch) != 0) {
    fail("language model: {} tokens are not a [batch {}, n] block", tokens.size(), batch);
  }
  for (std::int64_t t : tokens) {
    if (t < 0 || t >= config_.vocab)
      fail("language model: token {} is outside [0, {})", t, config_.vocab);
  }
  const auto n = static_cast<std::int64_t>(tokens.size()) / batch;
  HostTensor out;
  try {
    c10::InferenceMode guard;
    std::vector<std::int64_t> copy = tokens;
    const at::Tensor tk =
        at::from_blob(copy.data(), {batch, n}, at::TensorOptions().dtype(at::kLong))
            .clone()
            .to(device_);
    OpClock off(false, {}, {});
    out = exec_detail::to_host(forward(tk, true, off).to(at::kFloat), "logits");
  } catch (const c10::Error& e) {
    fail("language model '{}': LibTorch: {}", config_.name, e.what_without_backtrace());
  }
  return out;
}

}  // namespace

std::unique_ptr<LlmExecutor> make_llm_executor(const llm::LlmConfig& config,
                                               const LlmExecOptions& options) {
  return std::make_unique<TorchLlm>(config, options);
}

}  // namespace dnnroof
