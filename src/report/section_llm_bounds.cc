// The language-model section's static bounds: where decode stops being
// memory-bound, where prefill turns compute-bound, and the memory fit, with
// the commentary on each (section_llm.h).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/strings.h"
#include "core/units.h"
#include "report/gnuplot.h"
#include "report/section_llm.h"
#include "report/section_models.h"

namespace dnnroof {
namespace {

constexpr std::int64_t kSearchCap = std::int64_t{1} << 20;

llm::Workload decode_at(std::int64_t batch, std::int64_t context) {
  return llm::Workload{llm::Phase::decode, batch, context, false};
}

bool decode_memory_bound(const llm::LlmConfig& m, const LlmChip& chip, const llm::Precision& p,
                         std::int64_t batch, std::int64_t context) {
  return llm::bound_phase(llm::phase_cost(m, decode_at(batch, context), p), chip.roof).memory_bound;
}

// The smallest n in [1, kSearchCap] with done(n) (done monotone: false then
// true); 0 when none.
template <typename Done>
std::int64_t first_true(Done done) {
  if (done(1)) return 1;
  std::int64_t lo = 1, hi = 2;  // !done(lo)
  while (hi <= kSearchCap && !done(hi)) {
    lo = hi;
    hi *= 2;
  }
  if (hi > kSearchCap) return 0;
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    (done(mid) ? hi : lo) = mid;
  }
  return hi;
}

// "512", "512 or 4096", "512, 4096 or 32768".
std::string or_text(const std::vector<std::int64_t>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += i + 1 == v.size() ? " or " : ", ";
    out += std::to_string(v[i]);
  }
  return out;
}

}  // namespace

DecodeCrossover decode_crossover(const llm::LlmConfig& m, const LlmChip& chip,
                                 const llm::Precision& p, std::int64_t context) {
  DecodeCrossover d;
  d.model = m.name;
  d.chip = chip.id;
  d.context = context;
  d.ridge = chip.roof.ridge();
  d.batch =
      first_true([&](std::int64_t b) { return !decode_memory_bound(m, chip, p, b, context); });
  const llm::PhaseCost a = llm::phase_cost(m, decode_at(1024, context), p);
  const llm::PhaseCost b = llm::phase_cost(m, decode_at(2048, context), p);
  const double dbytes = b.bytes() - a.bytes();
  d.per_sequence_intensity = dbytes > 0 ? (b.flops() - a.flops()) / dbytes : 0;
  const double dkv =
      (b.kv_read_bytes() + b.kv_write_bytes()) - (a.kv_read_bytes() + a.kv_write_bytes());
  d.per_sequence_kv_share = dbytes > 0 ? dkv / dbytes : 0;
  d.max_batch_that_fits =
      chip.roof.capacity > 0
          ? llm::max_batch_that_fits(m, decode_at(1, context), p, chip.roof.capacity)
          : -1;
  return d;
}

std::int64_t prefill_compute_bound_from(const llm::LlmConfig& m, const LlmChip& chip,
                                        const llm::Precision& p) {
  return first_true([&](std::int64_t prompt) {
    return !llm::bound_phase(
                llm::phase_cost(m, llm::Workload{llm::Phase::prefill, 1, prompt, false}, p),
                chip.roof)
                .memory_bound;
  });
}

std::vector<std::string> llm_bound_commentary(const LlmSweep& s) {
  std::vector<std::string> out;
  for (const auto& m : s.models) {
    std::vector<std::int64_t> beyond;
    for (const std::int64_t ctx : s.contexts) {
      if (m.max_positions > 0 && ctx > m.max_positions) beyond.push_back(ctx);
    }
    if (!beyond.empty()) {
      out.push_back(fmt::format(
          "{} was trained for {} positions (max_position_embeddings): its figures at {} tokens "
          "are computed as if it allowed them, for the trend, not as something it can run.",
          m.name, m.max_positions, or_text(beyond)));
    }
    for (const LlmChip& chip : s.chips) {
      std::vector<DecodeCrossover> xs;
      for (const std::int64_t ctx : s.contexts)
        xs.push_back(decode_crossover(m, chip, s.precision, ctx));
      std::vector<std::string> parts;
      std::vector<std::int64_t> never_contexts;
      for (const DecodeCrossover& x : xs) {
        if (x.batch == 0) never_contexts.push_back(x.context);
      }
      for (const DecodeCrossover& x : xs) {
        if (x.batch > 0) {
          std::string fit;
          if (x.max_batch_that_fits >= 0 && x.batch > x.max_batch_that_fits) {
            fit = x.max_batch_that_fits == 0
                      ? " (where not even one sequence fits in its memory)"
                      : fmt::format(
                            " (but at most {} such sequences fit in its memory, so it is "
                            "memory-bound at every batch that fits)",
                            x.max_batch_that_fits);
          }
          parts.push_back(
              fmt::format("at batch {} with a {}-token cache{}", x.batch, x.context, fit));
        } else if (x.context == never_contexts.front()) {
          parts.push_back(
              fmt::format("at no batch with a cache of {} tokens", or_text(never_contexts)));
        }
      }
      std::string text = fmt::format(
          "On {} (ridge {} FLOP/B at {}), {} decode stops being memory-bound {}.", chip.id,
          format_intensity(chip.roof.ridge()), s.precision.activations, m.name, join(parts, "; "));
      // Why it never does, where it does not: the intensity each added
      // sequence brings is below the ridge.
      std::vector<const DecodeCrossover*> never;
      for (const DecodeCrossover& x : xs) {
        if (x.batch == 0 && x.per_sequence_intensity < x.ridge) never.push_back(&x);
      }
      if (!never.empty()) {
        const DecodeCrossover& x = *never.front();
        text += fmt::format(
            " Batching shares the weights, but each added sequence brings {} FLOP/B of its own "
            "(with a {}-token cache), below the ridge, so the step's intensity tends to that and "
            "never reaches the ridge",
            format_intensity(x.per_sequence_intensity), x.context);
        text += x.per_sequence_kv_share > 0.5
                    ? fmt::format(
                          ": {:.0f}% of the bytes a sequence adds are its own KV cache, "
                          "read once per step for one token's worth of FLOPs.",
                          100 * x.per_sequence_kv_share)
                    : ".";
      }
      const std::int64_t pre = prefill_compute_bound_from(m, chip, s.precision);
      if (pre > 0) {
        const std::int64_t ctx = llm_figure_context(s);
        const llm::PhaseCost pc =
            llm::phase_cost(m, llm::Workload{llm::Phase::prefill, 1, ctx, false}, s.precision);
        text += fmt::format(
            " Prefill is compute-bound from a prompt of {} token{} at batch 1 (a {}-token "
            "prompt: {} FLOP/B); its time to first token at {} tokens is at least {}.",
            pre, pre == 1 ? "" : "s", ctx, format_intensity(pc.intensity()), ctx,
            time_text(llm::bound_phase(pc, chip.roof).time_s));
      }
      out.push_back(std::move(text));
    }
  }
  return out;
}

std::vector<std::string> llm_memory_commentary(const LlmSweep& s) {
  std::vector<std::string> out;
  for (const auto& m : s.models) {
    for (const LlmChip& chip : s.chips) {
      const double cap = chip.roof.capacity;
      if (!(cap > 0)) {
        out.push_back(
            fmt::format("{}: the catalog gives no memory capacity for {}, so no fit is "
                        "computed.",
                        m.name, chip.id));
        continue;
      }
      const double weights = llm::memory_needed(m, decode_at(1, 1), s.precision).weights;
      const double per_token = llm::kv_bytes_per_token(m, s.precision);
      if (weights >= cap) {
        out.push_back(fmt::format(
            "{}'s weights alone ({} at {}) exceed {}'s {} of memory: it does not run on one such "
            "chip without splitting the weights over {} or more chips or storing them in fewer "
            "bits (e.g. `--weight-dtype int4` in `dnnroof analyze`).",
            m.name, format_si(weights, "B"), s.precision.weights, chip.id, format_si(cap, "B"),
            static_cast<int>(std::ceil(weights / cap))));
        continue;
      }
      std::vector<std::string> fits;
      for (const std::int64_t ctx : s.contexts) {
        fits.push_back(fmt::format("{} at {} tokens",
                                   llm::max_batch_that_fits(m, decode_at(1, ctx), s.precision, cap),
                                   ctx));
      }
      const std::int64_t max_ctx = llm::max_context_that_fits(m, decode_at(1, 1), s.precision, cap);
      const bool unlimited = max_ctx >= (std::int64_t{1} << 30);
      std::string text = fmt::format(
          "On {} ({}), {}'s weights take {} ({}%), leaving {} for the KV cache ({} per token "
          "per sequence{}) and activations: the largest batch that fits is {}; {}.",
          chip.id, format_si(cap, "B"), m.name, format_si(weights, "B"),
          fmt::format("{:.2g}", 100 * weights / cap), format_si(cap - weights, "B"),
          format_si(per_token, "B"),
          m.sliding_window > 0
              ? fmt::format(", at most the {}-token sliding window", m.sliding_window)
              : "",
          list_text(fits),
          unlimited && m.sliding_window > 0
              ? fmt::format("at batch 1 memory does not limit the context, since the cache "
                            "never holds more than the {}-token window",
                            m.sliding_window)
              : fmt::format("at batch 1 the cache can hold up to {} tokens", max_ctx));
      if (m.max_positions > 0 && max_ctx > m.max_positions) {
        text += fmt::format(
            " That is beyond the {} positions the model was trained for "
            "(max_position_embeddings), which is then the limit, not memory.",
            m.max_positions);
      }
      out.push_back(std::move(text));
    }
  }
  // Grouped-query attention, where the models differ in KV heads.
  if (s.models.size() >= 2) {
    const auto [lo, hi] =
        std::minmax_element(s.models.begin(), s.models.end(), [&](const auto& a, const auto& b) {
          return llm::kv_bytes_per_token(a, s.precision) < llm::kv_bytes_per_token(b, s.precision);
        });
    const double ratio =
        llm::kv_bytes_per_token(*hi, s.precision) / llm::kv_bytes_per_token(*lo, s.precision);
    if (ratio >= 1.5) {
      // 2 x layers x KV heads x head size each; grouped-query attention is
      // the reason only when the layers and head size are the same.
      std::string why =
          fmt::format(": {} layers x {} KV heads x {} against {} x {} x {}", hi->layers,
                      hi->kv_heads, hi->head_dim, lo->layers, lo->kv_heads, lo->head_dim);
      if (hi->layers == lo->layers && hi->head_dim == lo->head_dim && hi->kv_heads > lo->kv_heads) {
        why += fmt::format(
            ", the same layers and head size: {} shares each key/value head "
            "among {} query heads ({}), {} among {} ({})",
            lo->name, lo->heads / lo->kv_heads, lo->attention_kind(), hi->name,
            hi->heads / hi->kv_heads, hi->attention_kind());
      }
      out.push_back(fmt::format(
          "Per token of context, {}'s KV cache takes {} the bytes of {}'s ({} against {}){}; the "
          "same memory holds that many times fewer tokens, and each decode step reads that many "
          "times more cache per sequence.",
          hi->name, ratio_text(ratio), lo->name,
          format_si(llm::kv_bytes_per_token(*hi, s.precision), "B"),
          format_si(llm::kv_bytes_per_token(*lo, s.precision), "B"), why));
    }
  }
  return out;
}

}  // namespace dnnroof
