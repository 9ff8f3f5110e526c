// The language-model section (src/report/section_llm.h): its commentary
// from numbers worked out by hand here, each sentence that gives a cause
// against a counter-example for which it must not appear, measured records
// placed against their lower bound, and build_study routing language-model
// records to it (and only when asked).

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "hw/catalog.h"
#include "llm/config.h"
#include "llm/cost.h"
#include "report/figures_llm.h"
#include "report/section_llm.h"
#include "report/study.h"
#include "store/record.h"
#include "support/report_text.h"
#include "support/study_fixtures.h"

namespace dnnroof {
namespace {

// The paragraphs one a line.
std::string all(const std::vector<std::string>& paragraphs) { return test::joined(paragraphs); }
bool has(const std::vector<std::string>& paragraphs, const std::string& needle) {
  return all(paragraphs).find(needle) != std::string::npos;
}

const Catalog& catalog() {
  static const Catalog c = load_catalog({});
  return c;
}

llm::Precision prec(const char* dtype) {
  llm::Precision p;
  p.weights = p.activations = p.kv_cache = dtype;
  return p;
}

// An A100 80GB (312 TFLOP/s fp16/bf16, 2.039 TB/s: ridge 153 FLOP/B) with
// `capacity` bytes of memory.
LlmChip a100(double capacity = 80e9) {
  LlmChip c = llm_chip(catalog().get("a100-sxm4-80gb"), DType::fp16);
  c.roof.capacity = capacity;
  return c;
}

LlmSweep sweep(std::vector<std::string> models, std::vector<LlmChip> chips,
               std::vector<std::int64_t> contexts, const char* dtype = "fp16") {
  LlmSweep s;
  for (const auto& m : models) s.models.push_back(llm::resolve_llm(m));
  s.chips = std::move(chips);
  s.contexts = std::move(contexts);
  s.batches = {1, 8, 64};
  s.precision = prec(dtype);
  return s;
}

// ------------------------------------------------------------ the bounds

TEST(LlmSection, DecodeTurnsComputeBoundNearTheRidgeWhenTheCacheIsSmall) {
  // Llama-2-7B fp16, a 1-token cache: the step reads the 13.2 GB of weights
  // once and does 2 FLOPs per weight per sequence, so its intensity is about
  // the batch (2b FLOP per 2-B weight): the big matrix products cross the
  // A100's ridge of 312e12 / 2.039e12 = 153 FLOP/B a little above batch 153
  // (their activations add bytes), and with them most of the step's time.
  const DecodeCrossover x =
      decode_crossover(llm::resolve_llm("llama-2-7b"), a100(), prec("fp16"), 1);
  EXPECT_NEAR(x.ridge, 153.0, 0.1);
  EXPECT_GE(x.batch, 150);
  EXPECT_LE(x.batch, 175);
  const auto text = llm_bound_commentary(sweep({"llama-2-7b"}, {a100()}, {1}));
  EXPECT_TRUE(has(text, fmt::format("llama-2-7b decode stops being memory-bound at batch {} with a "
                                    "1-token cache.",
                                    x.batch)))
      << all(text);
  // Nothing "never" here: no cause sentence for it.
  EXPECT_FALSE(has(text, "never reaches the ridge")) << all(text);
}

TEST(LlmSection, DecodeWithALongMhaCacheNeverLeavesTheMemoryRoofBecauseOfTheCache) {
  // Llama-2-7B keeps 32 KV heads x 128 x 32 layers x 2 (K, V) x 2 B = 512 kB
  // per token: a sequence with 4096 cached tokens reads 2.15 GB of cache per
  // step for about 13.5 GFLOP (2 per weight) + 2.2 GFLOP of attention
  // (4097 keys x 32 heads x (4 x 128 + 5) x 32 layers): ~7 FLOP/B, far below
  // 153, however large the batch.
  const DecodeCrossover x =
      decode_crossover(llm::resolve_llm("llama-2-7b"), a100(), prec("fp16"), 4096);
  EXPECT_EQ(x.batch, 0);
  EXPECT_NEAR(x.per_sequence_intensity, (13.5e9 + 2.17e9) / 2.15e9, 0.5);
  EXPECT_GT(x.per_sequence_kv_share, 0.95);
  const auto text = llm_bound_commentary(sweep({"llama-2-7b"}, {a100()}, {4096}));
  EXPECT_TRUE(has(text, "stops being memory-bound at no batch with a cache of 4096 tokens"))
      << all(text);
  EXPECT_TRUE(has(text, "never reaches the ridge")) << all(text);
  EXPECT_TRUE(has(text, "of the bytes a sequence adds are its own KV cache")) << all(text);
}

TEST(LlmSection, TheKvCacheIsNotBlamedWhenItIsNotMostOfTheBytes) {
  // Counter-example: an accelerator with a ridge of 1e6 FLOP/B (1e18 FLOP/s,
  // 1 TB/s) is never reached, but with a cache of 1 token GPT-2's KV cache
  // (2 x 12 layers x 768 x 2 B = 36.9 kB per token, read twice and written
  // once per step) is not most of what a sequence adds: its activations
  // (logits of 50257 x 2 B alone are 100 kB) are.
  LlmChip huge = a100();
  huge.id = "huge-ridge";
  huge.roof.peak_flops = 1e18;
  huge.roof.bandwidth = 1e12;
  const DecodeCrossover x = decode_crossover(llm::resolve_llm("gpt2"), huge, prec("fp16"), 1);
  EXPECT_EQ(x.batch, 0);
  EXPECT_LT(x.per_sequence_kv_share, 0.5);
  const auto text = llm_bound_commentary(sweep({"gpt2"}, {huge}, {1}));
  EXPECT_TRUE(has(text, "never reaches the ridge")) << all(text);
  EXPECT_FALSE(has(text, "own KV cache")) << all(text);
}

TEST(LlmSection, ContextsBeyondTheTrainedPositionsAreSaid) {
  // GPT-2 has 1024 positions (n_positions); Llama-3-8B 8192.
  const auto text = llm_bound_commentary(sweep({"gpt2"}, {a100()}, {512, 4096, 32768}));
  EXPECT_TRUE(has(text,
                  "gpt2 was trained for 1024 positions (max_position_embeddings): its "
                  "figures at 4096 or 32768 tokens"))
      << all(text);
  const auto within = llm_bound_commentary(sweep({"llama-3-8b"}, {a100()}, {512, 4096}));
  EXPECT_FALSE(has(within, "was trained for")) << all(within);
}

TEST(LlmSection, FigureCaptionsStateOnlyWhatTheNumbersShow) {
  // Llama-3-8B bf16 on an A100: prefill of 4096 tokens at batch 1-64 is far
  // right of the 153 FLOP/B ridge (~1000 FLOP/B), decode far left (1-22).
  LlmSweep s = sweep({"llama-3-8b"}, {a100()}, {512, 4096, 32768}, "bf16");
  const FigureBlock pd = llm_prefill_decode_figure(s, 4096);
  EXPECT_NE(pd.caption.find("On a100-sxm4-80gb, the two phases of the same model lie on opposite "
                            "sides of the ridge"),
            std::string::npos)
      << pd.caption;
  // Counter-example: a 16-token prompt at batch 1 (~16 FLOP/B) is left of
  // the ridge too.
  s.batches = {1};
  const FigureBlock short_prompt = llm_prefill_decode_figure(s, 16);
  EXPECT_EQ(short_prompt.caption.find("opposite sides"), std::string::npos) << short_prompt.caption;
  EXPECT_NE(short_prompt.caption.find("0 of 1 prefill points are right of the ridge"),
            std::string::npos)
      << short_prompt.caption;
  // Batching gains fall with the context (the cache is per sequence): said.
  s.batches = {1, 8, 64};
  const FigureBlock tps = llm_tokens_per_s_figure(s, s.chips.front());
  EXPECT_NE(tps.caption.find("A longer cache flattens the line"), std::string::npos) << tps.caption;
  // Counter-example: one context only, nothing to compare.
  s.contexts = {512};
  EXPECT_EQ(llm_tokens_per_s_figure(s, s.chips.front()).caption.find("flattens"),
            std::string::npos);
}

TEST(LlmSection, ACrossoverBeyondWhatFitsIsSaid) {
  // Llama-2-7B fp16 with a 1-token cache turns compute-bound a little above
  // batch 153 (above). Its weights are 6,738,415,616 x 2 B = 13.477 GB; on a
  // chip of 13.6 GB the ~0.12 GB left holds ~0.12e9 / (2 tokens x 524,288 B)
  // ~ 117 sequences less the activations (~7 MB at that batch): ~110, fewer
  // than the crossover, so decode is memory-bound at every batch that fits.
  const LlmSweep small = sweep({"llama-2-7b"}, {a100(13.6e9)}, {1});
  const auto text = llm_bound_commentary(small);
  EXPECT_TRUE(has(text, "so it is memory-bound at every batch that fits")) << all(text);
  const DecodeCrossover x =
      decode_crossover(small.models.front(), small.chips.front(), small.precision, 1);
  EXPECT_GE(x.max_batch_that_fits, 100);
  EXPECT_LE(x.max_batch_that_fits, 117);
  // Counter-example: 80 GB holds tens of thousands of such sequences.
  const auto roomy = llm_bound_commentary(sweep({"llama-2-7b"}, {a100()}, {1}));
  EXPECT_FALSE(has(roomy, "every batch that fits")) << all(roomy);
}

TEST(LlmSection, PrefillIsComputeBoundFromAFewHundredTokens) {
  // Prefill of P tokens at batch 1 does ~2 FLOPs per weight per token over
  // 2 B per weight: intensity ~P on the linear layers, so the A100 (ridge
  // 153) sees it compute-bound from roughly 153 tokens.
  const std::int64_t p =
      prefill_compute_bound_from(llm::resolve_llm("llama-2-7b"), a100(), prec("fp16"));
  EXPECT_GE(p, 140);
  EXPECT_LE(p, 200);
}

// ------------------------------------------------------------ memory fit

TEST(LlmSection, MemoryFitFromTheWeightsAndTheCachePerToken) {
  // Llama-3-8B bf16: 8,030,261,248 params x 2 B = 16.06 GB = 20% of 80 GB;
  // 131,072 B of cache per token; at 4096 tokens (4097 held after the step)
  // (80e9 - 16.06e9) / (4097 x 131072) = 119.07 sequences: 119.
  const auto text = llm_memory_commentary(sweep({"llama-3-8b"}, {a100()}, {4096}, "bf16"));
  EXPECT_TRUE(has(text, "llama-3-8b's weights take 16.1 GB (20%)")) << all(text);
  // GPT-2: 124,439,808 x 2 B = 249 MB = 0.31% of 80 GB.
  EXPECT_TRUE(has(llm_memory_commentary(sweep({"gpt2"}, {a100()}, {512}, "bf16")),
                  "gpt2's weights take 249 MB (0.31%)"));
  EXPECT_TRUE(has(text, "131 kB per token per sequence")) << all(text);
  EXPECT_TRUE(has(text, "the largest batch that fits is 119 at 4096 tokens")) << all(text);
  // (80e9 - 16.06e9) / 131072 = 487,8xx tokens at batch 1 > 8192 positions.
  EXPECT_TRUE(has(text, "beyond the 8192 positions")) << all(text);
  EXPECT_FALSE(has(text, "exceed")) << all(text);
  // Counter-example: 17 GB leaves (17e9 - 16.06e9) / 131072 ~ 7,100 tokens,
  // fewer than 8192: memory is the limit, not the positions.
  const auto tight = llm_memory_commentary(sweep({"llama-3-8b"}, {a100(17e9)}, {4096}, "bf16"));
  EXPECT_FALSE(has(tight, "beyond the")) << all(tight);
}

TEST(LlmSection, WeightsThatDoNotFitAreSaid) {
  // Mixtral-8x7B: 46,702,792,704 params x 2 B = 93.4 GB > 80 GB: 2 chips.
  const auto text = llm_memory_commentary(sweep({"mixtral-8x7b"}, {a100()}, {4096}, "bf16"));
  EXPECT_TRUE(has(text, "mixtral-8x7b's weights alone (93.4 GB at bf16) exceed")) << all(text);
  EXPECT_TRUE(has(text, "over 2 or more chips")) << all(text);
}

TEST(LlmSection, GroupedQueryAttentionNamedOnlyWhenTheCachesDiffer) {
  // Llama-2-7B 32 KV heads vs Llama-3-8B 8, both 32 layers x 128: 4.0x.
  const auto text =
      llm_memory_commentary(sweep({"llama-2-7b", "llama-3-8b"}, {a100()}, {4096}, "bf16"));
  EXPECT_TRUE(has(text, "llama-2-7b's KV cache takes 4.0x the bytes of llama-3-8b's")) << all(text);
  EXPECT_TRUE(has(text,
                  "32 layers x 32 KV heads x 128 against 32 x 8 x 128, the same layers and "
                  "head size: llama-3-8b shares each key/value head among 4 query heads "
                  "(GQA), llama-2-7b among 1 (MHA)"))
      << all(text);
  // Counter-example for the cause: GPT-2 (12 layers x 12 x 64 = 36.9 kB) and
  // Llama-3-8B (32 x 8 x 128 = 131 kB) differ in layers and head size, not
  // by grouped-query attention: 3.6x, no GQA claim.
  const auto other = llm_memory_commentary(sweep({"gpt2", "llama-3-8b"}, {a100()}, {512}, "bf16"));
  EXPECT_TRUE(has(other, "llama-3-8b's KV cache takes 3.6x the bytes of gpt2's")) << all(other);
  EXPECT_FALSE(has(other, "query heads")) << all(other);
  // Counter-example: Llama-3-8B and Mistral-7B have the same cache per token.
  const auto same =
      llm_memory_commentary(sweep({"llama-3-8b", "mistral-7b"}, {a100()}, {4096}, "bf16"));
  EXPECT_FALSE(has(same, "KV cache takes")) << all(same);
}

// --------------------------------------------------------------- measured

// A measured GPT-2 step on an H100 (bf16), built by hand.
ResultRecord gpt2_record(const std::string& phase, std::int64_t batch, std::int64_t context,
                         double median_s) {
  ResultRecord r = test::result_record("gpt2", "cuda:0", "h100-sxm", batch);
  r.dtype = DType::bf16;
  r.llm_phase = phase;
  r.llm_context = context;
  TimingStats t = test::converged_timing(median_s, 50);
  t.ci_confidence = 0.95;
  t.ci_rel_half_width = 0.01;
  t.ci_low_s = 0.99 * median_s;
  t.ci_high_s = 1.01 * median_s;
  r.timings[Phase::forward] = t;
  r.conditions.host_name = "node1";
  return r;
}

LlmSectionInput measured_input(std::vector<ResultRecord> records) {
  LlmSectionInput in;
  in.sweep = sweep({"gpt2"}, {llm_chip(catalog().get("h100-sxm"), DType::bf16)}, {512}, "bf16");
  for (const ResultRecord& r : records) {
    MeasuredDevice d;
    d.key = device_key(r);
    d.device = r.device;
    d.chip_id = r.chip;
    d.short_name = r.device;
    d.name = "NVIDIA H100 (cuda:0)";
    d.gpu = true;
    d.ceilings = chip_ceilings(catalog().get(r.chip), r.dtype, CeilingSource::datasheet);
    in.devices = {d};
  }
  in.records = std::move(records);
  return in;
}

// GPT-2 decode, batch 1, 512 cached tokens, bf16 on an H100 (3.35 TB/s):
// the step moves src/llm's bytes (about the 0.25 GB of weights); its bound
// is that over 3.35e12 B/s.
double gpt2_decode_bound() {
  const llm::PhaseCost c = llm::phase_cost(
      llm::resolve_llm("gpt2"), llm::Workload{llm::Phase::decode, 1, 512, false}, prec("bf16"));
  return c.bytes() / 3.35e12;
}

// A device with a probed main-memory roof beside the datasheet one (listed
// after it) is judged by the probed roof, as every other section does.
TEST(LlmSection, MeasuredStepIsJudgedByTheMeasuredMainRoofWhenThereIsOne) {
  const double bound = gpt2_decode_bound();  // at the datasheet's 3.35 TB/s
  LlmSectionInput in = measured_input({gpt2_record("decode", 1, 512, 40 * bound)});
  std::vector<RoofCeiling>& ceilings = in.devices.front().ceilings;
  const auto datasheet_main = std::find_if(ceilings.begin(), ceilings.end(),
                                           [](const RoofCeiling& c) { return c.is_main; });
  ASSERT_NE(datasheet_main, ceilings.end());
  RoofCeiling probed = *datasheet_main;
  probed.source = CeilingSource::measured;
  probed.bandwidth = 2.5e12;  // a probe reaching 2.5 of the 3.35 TB/s
  ceilings.push_back(probed);
  std::vector<std::string> problems;
  const auto ms = llm_measured(in, problems);
  ASSERT_EQ(ms.size(), 1u) << all(problems);
  EXPECT_DOUBLE_EQ(ms[0].main_bandwidth, 2.5e12);
  // Memory-bound: the bound scales with 1 / bandwidth.
  EXPECT_NEAR(ms[0].bound_s / bound, 3.35 / 2.5, 1e-3);
}

// A device without a main-memory ceiling is named as a problem, not judged
// against whichever ceiling comes first.
TEST(LlmSection, MeasuredStepWithoutAMainRoofIsAProblem) {
  LlmSectionInput in = measured_input({gpt2_record("decode", 1, 512, 1e-3)});
  for (RoofCeiling& c : in.devices.front().ceilings) c.is_main = false;
  std::vector<std::string> problems;
  EXPECT_TRUE(llm_measured(in, problems).empty());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(has(problems, "no main-memory ceiling")) << all(problems);
}

TEST(LlmSection, MeasuredDecodeAgainstItsBoundWithLaunchOverheadWhenOpsAreShort) {
  const double bound = gpt2_decode_bound();
  EXPECT_NEAR(bound, 0.25e9 * 1.0 / 3.35e12, 0.3 * 0.25e9 / 3.35e12);  // ~75 us
  ResultRecord r = gpt2_record("decode", 1, 512, 40 * bound);
  // Per-layer times: attention 20x its share, the others small.
  for (int l = 0; l < 12; ++l) {
    LayerTiming a;
    a.name = fmt::format("h.{}.attention", l);
    a.op = "attention";
    a.forward_median_s = 2 * bound;
    r.layers.push_back(a);
    LayerTiming q;
    q.name = fmt::format("h.{}.qkv_proj", l);
    q.op = "qkv_proj";
    q.forward_median_s = 0.1 * bound;
    r.layers.push_back(q);
  }
  const LlmSectionInput in = measured_input({r});
  std::vector<std::string> problems;
  const auto ms = llm_measured(in, problems);
  ASSERT_EQ(ms.size(), 1u) << all(problems);
  EXPECT_NEAR(ms[0].bound_s / bound, 1.0, 1e-3);
  EXPECT_NEAR(ms[0].ratio(), 40, 0.1);
  EXPECT_TRUE(ms[0].memory_bound);
  ASSERT_EQ(ms[0].ops.size(), 2u);
  // 12 layers x 10 ops (attn_norm, qkv_proj, attention, o_proj,
  // attn_residual, mlp_norm, mlp_up, mlp_gelu, mlp_down, mlp_residual) +
  // embedding, final_norm, lm_head = 123 op instances; ~75 us / 123 ~ 0.6 us
  // each, far under 50 us.
  EXPECT_EQ(ms[0].op_instances, 123u);
  const auto text = llm_measured_commentary(ms);
  EXPECT_TRUE(has(text, "(40x the bound")) << all(text);
  EXPECT_TRUE(has(text, "The bound is memory time on the h100-sxm bf16 HBM3")) << all(text);
  // 12 x 2 x bound of attention against an op bound of at most the step's.
  EXPECT_TRUE(has(text, "attention takes the most")) << all(text);
  EXPECT_TRUE(has(text, "per-call overhead, not bandwidth, is the likely gap")) << all(text);
  EXPECT_TRUE(problems.empty()) << all(problems);
}

TEST(LlmSection, NoOverheadClaimNearTheBoundOrWhenOpsAreLong) {
  // Counter-example 1: 1.2x the bound is not far from it.
  {
    const auto in = measured_input({gpt2_record("decode", 1, 512, 1.2 * gpt2_decode_bound())});
    std::vector<std::string> problems;
    const auto text = llm_measured_commentary(llm_measured(in, problems));
    EXPECT_TRUE(has(text, "(1.2x the bound")) << all(text);
    EXPECT_FALSE(has(text, "per-call overhead")) << all(text);
    EXPECT_FALSE(has(text, "flagged")) << all(text);
  }
  // Counter-example 2: GPT-2 prefill of 64 x 1024 tokens is compute-bound
  // (~2 x 124M x 65536 = 16 TFLOP over 989 TFLOP/s: ~16 ms, ~130 us per op
  // instance) and 4x its bound: far from it, but its ops are long, so no
  // overhead claim; the bound is compute time.
  {
    ResultRecord r = gpt2_record("prefill", 64, 1024, 1);
    LlmSectionInput in = measured_input({r});
    std::vector<std::string> problems;
    auto ms = llm_measured(in, problems);
    ASSERT_EQ(ms.size(), 1u) << all(problems);
    in.records[0].timings[Phase::forward].median_s = 4 * ms[0].bound_s;
    ms = llm_measured(in, problems);
    EXPECT_FALSE(ms[0].memory_bound);
    EXPECT_GT(ms[0].bound_s / 123, 50e-6);
    const auto text = llm_measured_commentary(ms);
    EXPECT_TRUE(has(text, "(4.0x the bound")) << all(text);
    EXPECT_TRUE(has(text, "The bound is compute time")) << all(text);
    EXPECT_FALSE(has(text, "per-call overhead")) << all(text);
  }
}

TEST(LlmSection, AStepFasterThanItsBoundIsFlagged) {
  const auto in = measured_input({gpt2_record("decode", 1, 512, 0.5 * gpt2_decode_bound())});
  std::vector<std::string> problems;
  const auto ms = llm_measured(in, problems);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_TRUE(ms[0].placement.above_roof.has_value());
  const auto text = llm_measured_commentary(ms);
  EXPECT_TRUE(has(text, "faster than a lower bound allows, so it is flagged")) << all(text);
  const MeasuredSection s = build_llm_section(in, "9");
  EXPECT_EQ(s.flags.size(), 1u);
}

TEST(LlmSection, UnknownOpsAndMissingTimesAreReportedNotDropped) {
  ResultRecord r = gpt2_record("decode", 1, 512, 1e-3);
  LayerTiming bad;
  bad.name = "h.0.rotary";
  bad.op = "rotary";
  bad.forward_median_s = 1e-5;
  r.layers.push_back(bad);
  ResultRecord failed = gpt2_record("decode", 8, 512, 1e-3);
  failed.status = RecordStatus::failed;
  failed.status_reason = "out of memory";
  LlmSectionInput in = measured_input({r});
  in.records.push_back(failed);
  std::vector<std::string> problems;
  const auto ms = llm_measured(in, problems);
  EXPECT_EQ(ms.size(), 1u);
  EXPECT_TRUE(has(problems, "layer op 'rotary' (1 entries) is no op of src/llm's model"))
      << all(problems);
  EXPECT_TRUE(has(problems, "gpt2 decode b8 c512 on cuda:0: failed (out of memory)"))
      << all(problems);
}

TEST(LlmSection, SectionHasTheFiguresTablesAndMeasuredRoofline) {
  LlmSectionInput in = measured_input({gpt2_record("decode", 1, 512, 3e-3)});
  in.sweep.contexts = {512, 4096};
  const MeasuredSection s = build_llm_section(in, "9");
  EXPECT_EQ(s.section.title, "9. Language models: prefill and decode");
  std::vector<std::string> ids, headings;
  for (const Block& b : s.section.blocks) {
    if (const auto* f = std::get_if<FigureBlock>(&b)) ids.push_back(f->id);
    if (const auto* h = std::get_if<Heading>(&b)) headings.push_back(h->text);
  }
  const std::vector<std::string> want{"llm-decode-roofline", "llm-tokens-per-s-h100-sxm",
                                      "llm-prefill-vs-decode", "llm-measured-h100-sxm",
                                      "llm-memory-gpt2"};
  for (const std::string& id : want) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
  }
  ASSERT_EQ(headings.size(), 3u);
  EXPECT_EQ(headings[0], "9.1 Prefill and decode on the roofline");
  std::vector<std::string> stems;
  for (const DataFile& d : s.data) stems.push_back(d.stem);
  EXPECT_EQ(stems, (std::vector<std::string>{"llm_bounds", "llm_crossover", "llm_measured"}));
  // llm_bounds: 1 model x 1 chip x 3 batches x 2 contexts.
  EXPECT_EQ(s.data[0].table.data().size(), 6u);
}

// ------------------------------------------------------------------ study

TEST(LlmSection, StudyRoutesLanguageModelRecordsAndAddsTheSectionOnlyWhenAsked) {
  StudyOptions o;
  o.include_host = false;
  o.chip_ids = {"h100-sxm", "a100-sxm4-80gb", "t4"};
  o.generated_at = "2026-12-06 15:00 UTC";
  auto titles = [](const Document& d) {
    std::vector<std::string> t;
    for (const Section& s : d.sections) t.push_back(s.title);
    return t;
  };
  auto has_llm = [](const Document& d) {
    return std::any_of(d.sections.begin(), d.sections.end(),
                       [](const Section& s) { return s.id == "llm"; });
  };
  EXPECT_FALSE(has_llm(build_study(catalog(), nullptr, o)));
  // A language-model record alone: chips section, then the LLM section with
  // the record's model, on the GPUs of --ids with a bf16 peak (not the T4).
  o.records = {gpt2_record("decode", 1, 512, 3e-3)};
  const Document d = build_study(catalog(), nullptr, o);
  ASSERT_TRUE(has_llm(d)) << ::testing::PrintToString(titles(d));
  EXPECT_EQ(d.sections[1].title, "2. Language models: prefill and decode");
  std::string text;
  for (const Section& s : d.sections) {
    for (const Block& b : s.blocks) {
      if (const auto* p = std::get_if<Paragraph>(&b)) text += p->text + "\n";
    }
  }
  EXPECT_NE(text.find("on h100-sxm and a100-sxm4-80gb:"), std::string::npos) << text;
  EXPECT_NE(text.find("gpt2 decode at batch 1, KV cache of 512 tokens, on cuda:0: measured 3 ms"),
            std::string::npos)
      << text;
  // --llm with the CNN study: the section comes after "Predicted vs
  // measured", and the gpt2 record stays out of the benchmarks.
  o.models = {"resnet18"};
  o.llm.models = {"llama-3-8b"};
  const Document full = build_study(catalog(), nullptr, o);
  const auto t = titles(full);
  const auto pred = std::find_if(t.begin(), t.end(), [](const std::string& s) {
    return s.find("Predicted vs measured") != std::string::npos;
  });
  ASSERT_NE(pred, t.end());
  EXPECT_NE((pred + 1)->find("Language models: prefill and decode"), std::string::npos)
      << ::testing::PrintToString(t);
  const auto bench = std::find_if(full.sections.begin(), full.sections.end(),
                                  [](const Section& s) { return s.id == "benchmarks"; });
  ASSERT_NE(bench, full.sections.end());
  for (const Block& b : bench->blocks) {
    if (const auto* p = std::get_if<Paragraph>(&b)) {
      EXPECT_EQ(p->text.find("gpt2"), std::string::npos) << p->text;
    }
  }
}

}  // namespace
}  // namespace dnnroof
