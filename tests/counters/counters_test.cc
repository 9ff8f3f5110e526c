// CPU counters: the FLOP arithmetic from raw counts, the event choice, and
// the fallback when perf_event_open fails (a fake backend stands in for the
// kernel). Real counting is in counting_test.cc (label "counters").

#include "counters/counters.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <string>

#include "counters/counting_executor.h"

namespace dnnroof {
namespace {

TEST(FpArith, FlopsFromRawCountsByHand) {
  FpArithCounts c;
  c.scalar_double = 10;     // 10 x 1
  c.scalar_single = 20;     // 20 x 1
  c.packed128_double = 3;   // 3 x 2 = 6
  c.packed128_single = 5;   // 5 x 4 = 20
  c.packed256_double = 7;   // 7 x 4 = 28
  c.packed256_single = 11;  // 11 x 8 = 88
  c.packed512_double = 13;  // 13 x 8 = 104
  c.packed512_single = 17;  // 17 x 16 = 272
  EXPECT_DOUBLE_EQ(fp_arith_double_flops(c), 10 + 6 + 28 + 104);
  EXPECT_DOUBLE_EQ(fp_arith_single_flops(c), 20 + 20 + 88 + 272);
  EXPECT_DOUBLE_EQ(fp_arith_flops(c), 148 + 400);
}

TEST(CpuInfo, ParsesVendorFamilyModel) {
  const CpuId id = parse_cpuinfo(
      "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\n"
      "model name\t: Intel(R) Xeon(R) Platinum 8480+\nprocessor\t: 1\nvendor_id\t: Other\n");
  EXPECT_EQ(id.vendor, CpuVendor::intel);
  EXPECT_EQ(id.family, 6);
  EXPECT_EQ(id.model, 143);
  EXPECT_EQ(parse_cpuinfo("vendor_id : AuthenticAMD\ncpu family : 25\nmodel : 17\n").vendor,
            CpuVendor::amd);
}

TEST(EventPlan, IntelUmasksAndRawConfig) {
  const EventPlan p = event_plan({CpuVendor::intel, 6, 0x8F});  // Sapphire Rapids
  ASSERT_EQ(p.fp.size(), 8u);
  EXPECT_EQ(p.fp[0].name, "FP_ARITH_INST_RETIRED.SCALAR_DOUBLE");
  EXPECT_EQ(p.fp[0].config, 0x01C7u);  // event 0xC7, umask 0x01
  EXPECT_EQ(p.fp[5].config, 0x20C7u);  // 256-bit packed single
  EXPECT_EQ(p.fp[7].config, 0x80C7u);  // 512-bit packed single
  EXPECT_EQ(p.fp[0].type, 4u);         // PERF_TYPE_RAW
  EXPECT_EQ(p.llc_misses.type, 0u);    // PERF_TYPE_HARDWARE
  EXPECT_EQ(p.llc_misses.config, 3u);  // PERF_COUNT_HW_CACHE_MISSES
  EXPECT_FALSE(p.fp_counts_flops);
  // Haswell has no FP_ARITH_INST_RETIRED.
  const EventPlan h = event_plan({CpuVendor::intel, 6, 0x3C});
  EXPECT_TRUE(h.fp.empty());
  EXPECT_NE(h.fp_unsupported.find("no FP_ARITH_INST_RETIRED"), std::string::npos);
  const EventPlan a = event_plan({CpuVendor::amd, 0x19, 0x11});
  ASSERT_EQ(a.fp.size(), 1u);
  EXPECT_EQ(a.fp[0].config, 0xFF03u);
  EXPECT_TRUE(a.fp_counts_flops);
}

// A kernel stand-in: opens succeed or fail with a chosen errno; reads return
// the counts set per event name.
class FakeBackend final : public PerfBackend {
 public:
  explicit FakeBackend(int open_errno, std::map<std::string, double> counts = {},
                       int* opens = nullptr)
      : errno_(open_errno), counts_(std::move(counts)), opens_(opens) {}
  int open(const PerfEventSpec& spec) override {
    if (opens_) ++*opens_;
    if (errno_ != 0) return -errno_;
    names_.push_back(spec.name);
    return static_cast<int>(names_.size()) + 2;
  }
  void reset_enable(int) override {}
  void disable(int) override {}
  std::optional<Value> read(int fd) override {
    const std::string& n = names_.at(static_cast<std::size_t>(fd - 3));
    return Value{counts_.count(n) ? counts_.at(n) : 0.0, multiplexed_};
  }
  void close(int) override {}
  bool multiplexed_ = false;

 private:
  int errno_;
  std::map<std::string, double> counts_;
  int* opens_;
  std::vector<std::string> names_;
};

TEST(CounterSession, FallbackWhenPerfEventOpenFails) {
  reset_counters_notice_for_testing();
  int opens = 0;
  CounterSession s(std::make_unique<FakeBackend>(ENOENT, std::map<std::string, double>{}, &opens),
                   CpuId{CpuVendor::intel, 6, 0x8F});
  EXPECT_FALSE(s.available());
  // The first FP event fails, the rest are not tried; the LLC event is tried.
  EXPECT_EQ(opens, 2);
  s.start();
  const CounterReading r = s.stop();
  EXPECT_FALSE(r.available);
  EXPECT_FALSE(r.flops.has_value());
  EXPECT_FALSE(r.bytes_estimate.has_value());
  EXPECT_NE(r.reason.find("perf_event_open(FP_ARITH_INST_RETIRED.SCALAR_DOUBLE): "),
            std::string::npos)
      << r.reason;
  EXPECT_NE(r.reason.find("(ENOENT)"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("no such hardware counter"), std::string::npos) << r.reason;
  // Said once per process.
  const auto first = counters_notice(r);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->rfind("hardware counters unavailable, measuring without them: ", 0), 0u);
  EXPECT_FALSE(counters_notice(r).has_value());
  EXPECT_FALSE(counters_notice(s.stop()).has_value());
}

TEST(CounterSession, PermissionDeniedSaysWhatToDo) {
  CounterSession s(std::make_unique<FakeBackend>(EACCES), CpuId{CpuVendor::intel, 6, 0x55});
  EXPECT_FALSE(s.available());
  EXPECT_NE(s.reason().find("perf_event_paranoid"), std::string::npos) << s.reason();
}

TEST(CounterSession, ReadsFlopsAndBytesFromCounts) {
  reset_counters_notice_for_testing();
  auto backend = std::make_unique<FakeBackend>(
      0, std::map<std::string, double>{{"FP_ARITH_INST_RETIRED.SCALAR_DOUBLE", 1000},
                                       {"FP_ARITH_INST_RETIRED.256B_PACKED_DOUBLE", 250},
                                       {"FP_ARITH_INST_RETIRED.512B_PACKED_SINGLE", 10},
                                       {"LLC misses (PERF_COUNT_HW_CACHE_MISSES)", 4096}});
  CounterSession s(std::move(backend), CpuId{CpuVendor::intel, 6, 0x55});
  ASSERT_TRUE(s.available());
  EXPECT_EQ(s.reason(), "");
  s.start();
  const CounterReading r = s.stop();
  ASSERT_TRUE(r.flops.has_value());
  EXPECT_DOUBLE_EQ(*r.fp64_flops, 1000 + 250 * 4);
  EXPECT_DOUBLE_EQ(*r.fp32_flops, 10 * 16);
  EXPECT_DOUBLE_EQ(*r.flops, 2000 + 160);
  EXPECT_DOUBLE_EQ(*r.llc_misses, 4096);
  EXPECT_DOUBLE_EQ(*r.bytes_estimate, 4096 * 64);
  EXPECT_FALSE(r.multiplexed);
  EXPECT_FALSE(counters_notice(r).has_value());  // nothing to say
}

TEST(CounterSession, AmdCountsFlopsDirectly) {
  CounterSession s(std::make_unique<FakeBackend>(
                       0, std::map<std::string, double>{{"FP_RET_SSE_AVX_OPS.ALL", 12345}}),
                   CpuId{CpuVendor::amd, 0x19, 0x01});
  s.start();
  const CounterReading r = s.stop();
  EXPECT_DOUBLE_EQ(*r.flops, 12345);
  EXPECT_FALSE(r.fp_counts.has_value());
}

TEST(CounterSession, UnknownCpuStillCountsBytes) {
  reset_counters_notice_for_testing();
  CounterSession s(
      std::make_unique<FakeBackend>(
          0, std::map<std::string, double>{{"LLC misses (PERF_COUNT_HW_CACHE_MISSES)", 10}}),
      CpuId{CpuVendor::other, 0, 0});
  EXPECT_TRUE(s.available());
  s.start();
  const CounterReading r = s.stop();
  EXPECT_FALSE(r.flops.has_value());
  EXPECT_DOUBLE_EQ(*r.bytes_estimate, 640);
  const auto notice = counters_notice(r);
  ASSERT_TRUE(notice.has_value());
  EXPECT_NE(notice->find("some hardware counters unavailable: FLOPs: no floating-point event"),
            std::string::npos)
      << *notice;
}

// An executor that does nothing but count its calls.
class NullExecutor final : public Executor {
 public:
  double infer() override {
    ++infers;
    return 0.5;
  }
  TrainStepTimes train_step() override {
    ++steps;
    TrainStepTimes t;
    t.step_s = 2;
    return t;
  }
  std::vector<NodeTime> time_layers(bool) override { return {}; }
  std::vector<HostTensor> run(const std::map<std::string, HostTensor>&) override { return {}; }
  std::optional<double> device_peak_memory_bytes() const override { return 7.0; }
  void reset_device_peak_memory() override {}
  int infers = 0;
  int steps = 0;
};

TEST(CountingExecutor, CountsEveryIterationOfTheWrappedExecutor) {
  // Every read returns the same counts: each iteration adds them once.
  auto session = std::make_shared<CounterSession>(
      std::make_unique<FakeBackend>(
          0, std::map<std::string, double>{{"FP_ARITH_INST_RETIRED.256B_PACKED_SINGLE", 100},
                                           {"LLC misses (PERF_COUNT_HW_CACHE_MISSES)", 2}}),
      CpuId{CpuVendor::intel, 6, 0x55});
  auto sink = std::make_shared<IterationCounts>();
  NullExecutor* raw = nullptr;
  const ExecutorMaker inner = [&raw](const Graph&, const ExecOptions&) {
    auto e = std::make_unique<NullExecutor>();
    raw = e.get();
    return std::unique_ptr<Executor>(std::move(e));
  };
  const ExecutorMaker counting = counting_executor_factory(inner, session, sink);
  const Graph g;
  std::unique_ptr<Executor> e = counting(g, ExecOptions{});
  EXPECT_DOUBLE_EQ(e->infer(), 0.5);
  EXPECT_DOUBLE_EQ(e->infer(), 0.5);
  EXPECT_DOUBLE_EQ(e->train_step().step_s, 2.0);
  e->time_layers(false);  // not an iteration
  EXPECT_EQ(raw->infers, 2);
  EXPECT_EQ(raw->steps, 1);
  EXPECT_EQ(*e->device_peak_memory_bytes(), 7.0);
  EXPECT_EQ(sink->iterations, 3u);
  EXPECT_TRUE(sink->flops_counted);
  EXPECT_DOUBLE_EQ(sink->flops, 3 * 100.0 * 8);  // 256-bit single: 8 FLOPs each
  EXPECT_DOUBLE_EQ(sink->flops_per_iteration(), 800.0);
  EXPECT_DOUBLE_EQ(sink->bytes_per_iteration(), 2 * 64.0);
}

}  // namespace
}  // namespace dnnroof
