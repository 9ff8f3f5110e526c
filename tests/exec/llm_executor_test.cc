// The LibTorch language model (exec/llm_executor.h) against a reference
// written here: a plain double-precision transformer over the model's own
// weights (read back with parameters(), norms and biases replaced by random
// values so that a misuse of them shows), for Llama- (GQA, rotary, RMSNorm,
// SwiGLU), GPT-2- (learned positions, LayerNorm, GELU, biases, tied),
// Mistral- (sliding window) and Mixtral-shaped (top-2 of 4 experts) tiny
// configs. Then the KV cache: a decode step gives the logits a full
// prefill of one more token gives; a later token does not change earlier
// logits; the cache holds 2 x layers x kv_heads x head_dim x bytes per token
// per sequence. Parameter counts equal src/llm's (Hugging Face's) for gpt2
// and llama-tiny.
#include "exec/llm_executor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "llm/config.h"
#include "llm/cost.h"

namespace dnnroof {
namespace {

using llm::LlmConfig;
using Vec = std::vector<double>;

LlmConfig config_from(const std::string& json) { return llm::parse_llm_config(json, "test"); }

const char* kTinyLlama = R"({"model_type": "llama", "vocab_size": 19, "hidden_size": 16,
  "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
  "intermediate_size": 24, "max_position_embeddings": 64})";
const char* kTinyGpt2 = R"({"model_type": "gpt2", "vocab_size": 19, "n_embd": 16, "n_layer": 2,
  "n_head": 4, "n_positions": 32})";
const char* kTinyMistral = R"({"model_type": "mistral", "vocab_size": 19, "hidden_size": 16,
  "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 1,
  "intermediate_size": 24, "sliding_window": 3})";
const char* kTinyMixtral = R"({"model_type": "mixtral", "vocab_size": 19, "hidden_size": 16,
  "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
  "intermediate_size": 24, "num_local_experts": 4, "num_experts_per_tok": 2})";

LlmExecOptions cpu_options() {
  LlmExecOptions o;
  o.threads = 1;
  o.pin = false;
  o.seed = 7;
  return o;
}

HostTensor host_fp32(const std::string& name, std::vector<std::int64_t> dims, const Vec& v) {
  HostTensor h;
  h.name = name;
  h.dims = std::move(dims);
  h.data.resize(v.size() * 4);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto f = static_cast<float>(v[i]);
    std::memcpy(h.data.data() + 4 * i, &f, 4);
  }
  return h;
}

Vec values_of(const HostTensor& h) {
  Vec v(h.data.size() / 4);
  for (std::size_t i = 0; i < v.size(); ++i) {
    float f = 0;
    std::memcpy(&f, h.data.data() + 4 * i, 4);
    v[i] = f;
  }
  return v;
}

bool is_norm_or_bias(const std::string& name) {
  return name.find("norm") != std::string::npos || name.ends_with(".bias");
}

// Builds the model once to learn its parameter names and shapes, then again
// with every norm scale and bias random (scales near 1), so that none of
// them is the identity.
std::unique_ptr<LlmExecutor> build_with_random_norms(const LlmConfig& c) {
  LlmExecOptions o = cpu_options();
  const auto params = make_llm_executor(c, o)->parameters();
  std::mt19937 gen(123);
  std::normal_distribution<double> dist(0.0, 0.3);
  for (const HostTensor& p : params) {
    if (!is_norm_or_bias(p.name)) continue;
    Vec v(p.data.size() / 4);
    for (double& x : v) x = (p.name.ends_with(".weight") ? 1.0 : 0.0) + dist(gen);
    o.weights[p.name] = host_fp32(p.name, p.dims, v);
  }
  return make_llm_executor(c, o);
}

// A transformer in plain loops, in double, from the weights by name: the
// layout of llm_executor.h (qkv rows q, k, v; SwiGLU up rows gate, up).
class Reference {
 public:
  Reference(const LlmConfig& c, const std::vector<HostTensor>& params) : c_(c) {
    for (const HostTensor& p : params) w_[p.name] = values_of(p);
  }

  // Logits [n][vocab] of every token of one sequence.
  std::vector<Vec> logits(const std::vector<std::int64_t>& tokens) const {
    const auto n = static_cast<std::int64_t>(tokens.size());
    const std::int64_t h = c_.hidden, d = c_.head_dim, H = c_.heads, KV = c_.kv_heads;
    const std::int64_t q = H * d, kv = KV * d, g = H / KV;
    std::vector<Vec> x(static_cast<std::size_t>(n), Vec(static_cast<std::size_t>(h)));
    for (std::int64_t t = 0; t < n; ++t) {
      for (std::int64_t i = 0; i < h; ++i) {
        double v = at("embed_tokens.weight", tokens[static_cast<std::size_t>(t)] * h + i);
        if (c_.position == llm::PositionKind::learned) v += at("embed_positions.weight", t * h + i);
        x[ix(t)][ix(i)] = v;
      }
    }
    for (std::int64_t l = 0; l < c_.layers; ++l) {
      const std::string p = "layers." + std::to_string(l) + ".";
      std::vector<Vec> qs, ks, vs;
      for (std::int64_t t = 0; t < n; ++t) {
        const Vec a = norm(x[ix(t)], p + "attn_norm");
        const Vec qkv = linear(a, p + "qkv_proj", q + 2 * kv, c_.qkv_bias);
        Vec qt(qkv.begin(), qkv.begin() + q), kt(qkv.begin() + q, qkv.begin() + q + kv),
            vt(qkv.begin() + q + kv, qkv.end());
        if (c_.position == llm::PositionKind::rotary) {
          rotate(qt, t, H);
          rotate(kt, t, KV);
        }
        qs.push_back(qt);
        ks.push_back(kt);
        vs.push_back(vt);
      }
      for (std::int64_t t = 0; t < n; ++t) {
        Vec o(static_cast<std::size_t>(q), 0.0);
        for (std::int64_t head = 0; head < H; ++head) {
          const std::int64_t kvh = head / g;
          std::int64_t first = 0;
          if (c_.sliding_window > 0) first = std::max<std::int64_t>(0, t - c_.sliding_window + 1);
          Vec s;
          double mx = -1e300;
          for (std::int64_t j = first; j <= t; ++j) {
            double dot = 0;
            for (std::int64_t e = 0; e < d; ++e) {
              dot += qs[ix(t)][ix(head * d + e)] * ks[ix(j)][ix(kvh * d + e)];
            }
            s.push_back(dot / std::sqrt(static_cast<double>(d)));
            mx = std::max(mx, s.back());
          }
          double sum = 0;
          for (double& v : s) sum += (v = std::exp(v - mx));
          for (std::int64_t j = first; j <= t; ++j) {
            for (std::int64_t e = 0; e < d; ++e) {
              o[ix(head * d + e)] += s[ix(j - first)] / sum * vs[ix(j)][ix(kvh * d + e)];
            }
          }
        }
        const Vec proj = linear(o, p + "o_proj", h, c_.out_bias);
        for (std::int64_t i = 0; i < h; ++i) x[ix(t)][ix(i)] += proj[ix(i)];
        const Vec a = norm(x[ix(t)], p + "mlp_norm");
        Vec m(static_cast<std::size_t>(h), 0.0);
        if (!c_.is_moe()) {
          m = mlp(a, p);
        } else {
          Vec logits = linear(a, p + "router", c_.experts, false);
          double mx2 = *std::max_element(logits.begin(), logits.end()), z = 0;
          for (double& v : logits) z += (v = std::exp(v - mx2));
          for (double& v : logits) v /= z;
          std::vector<std::int64_t> order(static_cast<std::size_t>(c_.experts));
          for (std::int64_t e = 0; e < c_.experts; ++e) order[ix(e)] = e;
          std::sort(order.begin(), order.end(),
                    [&](std::int64_t u, std::int64_t v) { return logits[ix(u)] > logits[ix(v)]; });
          double picked = 0;
          for (std::int64_t k = 0; k < c_.experts_per_token; ++k)
            picked += logits[ix(order[ix(k)])];
          for (std::int64_t k = 0; k < c_.experts_per_token; ++k) {
            const std::int64_t e = order[ix(k)];
            const Vec y = mlp(a, p + "experts." + std::to_string(e) + ".");
            for (std::int64_t i = 0; i < h; ++i) m[ix(i)] += logits[ix(e)] / picked * y[ix(i)];
          }
        }
        for (std::int64_t i = 0; i < h; ++i) x[ix(t)][ix(i)] += m[ix(i)];
      }
    }
    std::vector<Vec> out;
    const std::string head = c_.tied_embeddings ? "embed_tokens" : "lm_head";
    for (std::int64_t t = 0; t < n; ++t) {
      out.push_back(linear(norm(x[ix(t)], "final_norm"), head, c_.vocab, false));
    }
    return out;
  }

 private:
  static std::size_t ix(std::int64_t i) { return static_cast<std::size_t>(i); }
  double at(const std::string& name, std::int64_t i) const { return w_.at(name).at(ix(i)); }

  // y = W x (+ b), W [out, in] row-major.
  Vec linear(const Vec& x, const std::string& p, std::int64_t out, bool bias) const {
    const Vec& W = w_.at(p + ".weight");
    const auto in = static_cast<std::int64_t>(x.size());
    EXPECT_EQ(static_cast<std::int64_t>(W.size()), out * in) << p;
    Vec y(ix(out), 0.0);
    for (std::int64_t r = 0; r < out; ++r) {
      double s = bias ? at(p + ".bias", r) : 0.0;
      for (std::int64_t k = 0; k < in; ++k) s += W[ix(r * in + k)] * x[ix(k)];
      y[ix(r)] = s;
    }
    return y;
  }

  Vec norm(const Vec& x, const std::string& p) const {
    const auto n = static_cast<double>(x.size());
    Vec y(x.size());
    if (c_.norm == llm::NormKind::layernorm) {
      double mean = 0, var = 0;
      for (double v : x) mean += v / n;
      for (double v : x) var += (v - mean) * (v - mean) / n;
      for (std::size_t i = 0; i < x.size(); ++i) {
        y[i] = (x[i] - mean) / std::sqrt(var + 1e-5) *
                   at(p + ".weight", static_cast<std::int64_t>(i)) +
               at(p + ".bias", static_cast<std::int64_t>(i));
      }
    } else {
      double ms = 0;
      for (double v : x) ms += v * v / n;
      for (std::size_t i = 0; i < x.size(); ++i) {
        y[i] = x[i] / std::sqrt(ms + 1e-5) * at(p + ".weight", static_cast<std::int64_t>(i));
      }
    }
    return y;
  }

  // Rotary of position t on each head: pairs (i, i + d/2) turned by t x theta_i,
  // theta_i = 10000^(-2i/d).
  void rotate(Vec& v, std::int64_t t, std::int64_t heads) const {
    const std::int64_t d = c_.head_dim, half = d / 2;
    for (std::int64_t hh = 0; hh < heads; ++hh) {
      for (std::int64_t i = 0; i < half; ++i) {
        const double angle =
            static_cast<double>(t) *
            std::pow(10000.0, -2.0 * static_cast<double>(i) / static_cast<double>(d));
        const double a = v[ix(hh * d + i)], b = v[ix(hh * d + i + half)];
        v[ix(hh * d + i)] = a * std::cos(angle) - b * std::sin(angle);
        v[ix(hh * d + i + half)] = b * std::cos(angle) + a * std::sin(angle);
      }
    }
  }

  Vec mlp(const Vec& a, const std::string& p) const {
    const std::int64_t I = c_.intermediate;
    Vec y;
    if (c_.mlp == llm::MlpKind::swiglu) {
      const Vec u = linear(a, p + "mlp_up", 2 * I, false);
      y.resize(ix(I));
      for (std::int64_t i = 0; i < I; ++i) {
        const double gate = u[ix(i)];
        y[ix(i)] = gate / (1 + std::exp(-gate)) * u[ix(I + i)];
      }
    } else {
      y = linear(a, p + "mlp_up", I, c_.mlp_bias);
      for (double& v : y) {
        v = 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
      }
    }
    return linear(y, p + "mlp_down", c_.hidden, c_.mlp_bias);
  }

  LlmConfig c_;
  std::map<std::string, Vec> w_;
};

// logits [batch, n, vocab] as rows.
std::vector<Vec> rows_of(const HostTensor& t) {
  const Vec v = values_of(t);
  const auto vocab = static_cast<std::size_t>(t.dims.back());
  std::vector<Vec> out;
  for (std::size_t i = 0; i < v.size(); i += vocab)
    out.emplace_back(v.begin() + i, v.begin() + i + vocab);
  return out;
}

double max_diff(const Vec& a, const Vec& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

double max_abs(const Vec& a) {
  double m = 0;
  for (double v : a) m = std::max(m, std::abs(v));
  return m;
}

const std::vector<std::int64_t> kTokens{3, 17, 0, 5, 11, 5, 2, 18};

void expect_matches_reference(const char* json) {
  const LlmConfig c = config_from(json);
  auto model = build_with_random_norms(c);
  const Reference ref(c, model->parameters());
  const std::vector<Vec> want = ref.logits(kTokens);
  const std::vector<Vec> got = rows_of(model->forward_tokens(kTokens, 1));
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t t = 0; t < want.size(); ++t) {
    SCOPED_TRACE(t);
    // fp32 against double: agreement to 1e-4 of the logits' size.
    EXPECT_LT(max_diff(got[t], want[t]), 1e-4 * std::max(1.0, max_abs(want[t])));
    EXPECT_GT(max_abs(want[t]), 1e-3);  // not trivially zero
  }
}

TEST(LlmExecutor, LlamaMatchesTheReference) { expect_matches_reference(kTinyLlama); }
TEST(LlmExecutor, Gpt2MatchesTheReference) { expect_matches_reference(kTinyGpt2); }
TEST(LlmExecutor, SlidingWindowMatchesTheReference) { expect_matches_reference(kTinyMistral); }
TEST(LlmExecutor, MixtureOfExpertsMatchesTheReference) { expect_matches_reference(kTinyMixtral); }

// Decode with the cache = the last row of a prefill of one more token, for
// two sequences at once (each its own cache).
void expect_decode_equals_prefill(const char* json) {
  const LlmConfig c = config_from(json);
  auto model = build_with_random_norms(c);
  std::vector<std::int64_t> two = kTokens;                              // sequence 0
  for (std::int64_t t : kTokens) two.push_back((t * 7 + 3) % c.vocab);  // sequence 1
  const std::size_t n = kTokens.size();
  const std::vector<Vec> full = rows_of(model->forward_tokens(two, 2));
  EXPECT_EQ(model->cache_length(), static_cast<std::int64_t>(n));

  model->reset_cache(0);
  std::vector<std::int64_t> prompt, next;
  for (std::size_t s = 0; s < 2; ++s) {
    prompt.insert(prompt.end(), two.begin() + static_cast<long>(s * n),
                  two.begin() + static_cast<long>(s * n + n - 1));
    next.push_back(two[s * n + n - 1]);
  }
  (void)model->forward_tokens(prompt, 2);
  const std::vector<Vec> step = rows_of(model->forward_tokens(next, 2));
  ASSERT_EQ(step.size(), 2u);
  for (std::size_t s = 0; s < 2; ++s) {
    const Vec& want = full[s * n + n - 1];
    EXPECT_LT(max_diff(step[s], want), 1e-5 * std::max(1.0, max_abs(want))) << "sequence " << s;
  }
  // Token by token from an empty cache, too.
  model->reset_cache(0);
  std::vector<Vec> last;
  for (std::size_t t = 0; t < n; ++t)
    last = rows_of(model->forward_tokens({two[t], two[n + t]}, 2));
  EXPECT_LT(max_diff(last[1], full[2 * n - 1]), 1e-5 * std::max(1.0, max_abs(full[2 * n - 1])));
}

TEST(LlmExecutor, DecodeStepEqualsPrefillOfOneMoreToken) {
  for (const char* json : {kTinyLlama, kTinyGpt2, kTinyMistral, kTinyMixtral}) {
    SCOPED_TRACE(json);
    expect_decode_equals_prefill(json);
  }
}

TEST(LlmExecutor, ALaterTokenDoesNotChangeEarlierLogits) {
  const LlmConfig c = config_from(kTinyLlama);
  auto model = make_llm_executor(c, cpu_options());
  const std::vector<Vec> a = rows_of(model->forward_tokens(kTokens, 1));
  std::vector<std::int64_t> changed = kTokens;
  changed[5] = (changed[5] + 1) % c.vocab;
  model->reset_cache(0);
  const std::vector<Vec> b = rows_of(model->forward_tokens(changed, 1));
  for (std::size_t t = 0; t < 5; ++t) EXPECT_EQ(max_diff(a[t], b[t]), 0.0) << t;
  for (std::size_t t = 5; t < kTokens.size(); ++t) EXPECT_GT(max_diff(a[t], b[t]), 1e-6) << t;
}

// The published GPT-2 count; llama-tiny's by hand: embeddings 2 x 2048 x 256,
// per layer attention 256 x (256 + 2 x 64) + 256 x 256, SwiGLU 3 x 256 x 688,
// two norms 2 x 256; 4 layers; final norm 256. And src/llm's count of each.
TEST(LlmExecutor, ParameterCountsEqualTheConfigs) {
  const std::map<std::string, std::int64_t> published{
      {"gpt2", 124439808},
      {"llama-tiny", 2 * 2048 * 256 + 4 * (256 * 384 + 256 * 256 + 3 * 256 * 688 + 2 * 256) + 256}};
  for (const auto& [name, count] : published) {
    SCOPED_TRACE(name);
    const LlmConfig c = llm::resolve_llm(name);
    const std::int64_t built = make_llm_executor(c, cpu_options())->parameter_count();
    EXPECT_EQ(built, count);
    EXPECT_EQ(built, llm::count_parameters(c).total);
  }
  for (const char* json : {kTinyLlama, kTinyGpt2, kTinyMistral, kTinyMixtral}) {
    const LlmConfig c = config_from(json);
    EXPECT_EQ(make_llm_executor(c, cpu_options())->parameter_count(),
              llm::count_parameters(c).total);
  }
}

TEST(LlmExecutor, KvCacheHoldsTwoTensorsPerLayerPerToken) {
  const LlmConfig c = llm::resolve_llm("llama-tiny");  // 4 layers, 2 KV heads of 32
  auto model = make_llm_executor(c, cpu_options());
  model->prepare(llm::Workload{llm::Phase::decode, 3, 20});
  EXPECT_EQ(model->kv_cache_bytes(), 2.0 * 4 * 2 * 32 * 4 * 20 * 3);
  (void)model->step();
  EXPECT_EQ(model->cache_length(), 21);
  EXPECT_EQ(model->kv_cache_bytes(), 2.0 * 4 * 2 * 32 * 4 * 21 * 3);
  model->prepare(llm::Workload{llm::Phase::prefill, 2, 16});
  (void)model->step();
  EXPECT_EQ(model->kv_cache_bytes(), 2.0 * 4 * 2 * 32 * 4 * 16 * 2);
  // bf16: 2 bytes per element.
  LlmExecOptions o = cpu_options();
  o.dtype = DType::bf16;
  auto half = make_llm_executor(c, o);
  half->prepare(llm::Workload{llm::Phase::decode, 1, 10});
  EXPECT_EQ(half->kv_cache_bytes(), 2.0 * 4 * 2 * 32 * 2 * 10);
  // A sliding window of 3 holds 3 tokens however long the sequence.
  auto windowed = make_llm_executor(config_from(kTinyMistral), cpu_options());
  windowed->prepare(llm::Workload{llm::Phase::decode, 1, 10});
  EXPECT_EQ(windowed->kv_cache_bytes(), 2.0 * 2 * 1 * 4 * 4 * 3);
}

// time_ops lists, per decoder layer, exactly the cost model's layer ops, in
// its order, and the embedding, final norm and lm_head once.
TEST(LlmExecutor, PerOpTimesUseTheCostModelsOps) {
  for (const char* name : {"llama-tiny", "mixtral"}) {
    SCOPED_TRACE(name);
    const LlmConfig c =
        std::string(name) == "mixtral" ? config_from(kTinyMixtral) : llm::resolve_llm(name);
    auto model = make_llm_executor(c, cpu_options());
    const llm::Workload w{llm::Phase::decode, 2, 12};
    model->prepare(w);
    EXPECT_GT(model->step(), 0.0);
    const std::vector<LlmOpTime> ops = model->time_ops();
    const llm::PhaseCost cost = llm::phase_cost(c, w, llm::Precision{"fp32", "fp32", "fp32"});
    std::vector<std::string> want;
    for (const llm::OpCost& o : cost.ops) {
      if (o.count == 1) {
        want.push_back(o.name);
      }
    }
    std::vector<std::string> layer_ops;
    for (const llm::OpCost& o : cost.ops) {
      if (o.count == c.layers) layer_ops.push_back(o.name);
    }
    // embedding, then each layer's ops, then final_norm, lm_head.
    std::vector<std::string> expected{"embedding"};
    for (std::int64_t l = 0; l < c.layers; ++l) {
      for (const std::string& op : layer_ops)
        expected.push_back("h." + std::to_string(l) + "." + op);
    }
    expected.insert(expected.end(), {"final_norm", "lm_head"});
    std::vector<std::string> got;
    for (const LlmOpTime& t : ops) {
      got.push_back(t.name);
      EXPECT_GT(t.seconds, 0.0) << t.name;
      EXPECT_EQ(t.name, t.layer >= 0 ? "h." + std::to_string(t.layer) + "." + t.op : t.op);
    }
    EXPECT_EQ(got, expected);
    EXPECT_EQ(want, (std::vector<std::string>{"embedding", "final_norm", "lm_head"}));
  }
}

TEST(LlmExecutor, RefusesWhatItCannotRun) {
  auto gpt2 = make_llm_executor(config_from(kTinyGpt2), cpu_options());  // 32 positions
  try {
    gpt2->prepare(llm::Workload{llm::Phase::decode, 1, 32});
    FAIL() << "33 positions of 32 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("32 learned positions"), std::string::npos) << e.what();
  }
  gpt2->prepare(llm::Workload{llm::Phase::decode, 1, 31});  // 32 positions: fits
  LlmExecOptions o = cpu_options();
  o.dtype = DType::fp16;
  EXPECT_THROW(make_llm_executor(config_from(kTinyLlama), o), Error);
  o = cpu_options();
  o.weights["layers.0.nope.weight"] = host_fp32("x", {1}, {0.0});
  EXPECT_THROW(make_llm_executor(config_from(kTinyLlama), o), Error);
  auto fresh = make_llm_executor(config_from(kTinyLlama), cpu_options());
  EXPECT_THROW(fresh->step(), Error);
}

}  // namespace
}  // namespace dnnroof
