#include "measure/memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "measure/cache_flush.h"

namespace dnnroof {
namespace {

TEST(PeakMemory, ParsesVmHwm) {
  const char* status =
      "Name:\tdnnroof\nVmPeak:\t  20000 kB\nVmHWM:\t    1234 kB\nVmRSS:\t 1000 kB\n";
  EXPECT_DOUBLE_EQ(*parse_vm_hwm_bytes(status), 1234.0 * 1024);
  EXPECT_FALSE(parse_vm_hwm_bytes("Name:\tx\nVmRSS:\t1 kB\n").has_value());
  EXPECT_FALSE(parse_vm_hwm_bytes("VmHWM:\tlots\n").has_value());
}

TEST(PeakMemory, GrowsWhenTheProcessTouchesMemory) {
  const PeakMemory before = peak_memory();
  EXPECT_GT(before.max_rss_bytes, 0);
  EXPECT_GT(before.vm_hwm_bytes, 0);
  // Touch 64 MiB more than the current peak: both high-water marks must rise
  // by most of it.
  const auto extra = static_cast<std::size_t>(before.vm_hwm_bytes) + (64u << 20);
  std::vector<unsigned char> block(extra, 1);
  const PeakMemory after = peak_memory();
  EXPECT_GE(after.vm_hwm_bytes, before.vm_hwm_bytes + (48u << 20));
  EXPECT_GE(after.max_rss_bytes, before.max_rss_bytes + (48u << 20));
  EXPECT_EQ(block[extra - 1], 1);
}

TEST(PeakMemory, ResetForgetsAFreedPeak) {
  // 128 MiB touched, then freed (glibc returns blocks this large to the
  // kernel at once): VmHWM keeps the peak until reset_peak_memory(), which
  // brings it back near the resident set now, at least 96 MiB lower.
  double with_block = 0;
  {
    std::vector<unsigned char> block(128u << 20, 1);
    with_block = peak_memory().vm_hwm_bytes;
    EXPECT_EQ(block.back(), 1);
  }
  // (The kernel's RSS counters are per-CPU caches: a few pages of slack.)
  EXPECT_GE(peak_memory().vm_hwm_bytes, with_block - (4u << 20));
  if (!reset_peak_memory()) GTEST_SKIP() << "/proc/self/clear_refs is not writable here";
  EXPECT_LE(peak_memory().vm_hwm_bytes, with_block - (96u << 20));
}

TEST(PeakMemory, ReleaseFreeMemoryGivesKeptHeapBack) {
  // 2048 blocks of 64 KiB (below glibc's mmap threshold: they live in the
  // heap), touched, then all but the last freed: the heap's top is in use,
  // so glibc keeps the 128 MiB below it and the resident set stays up. After
  // release_free_memory() a fresh reset brings VmHWM at least 96 MiB lower.
  if (!reset_peak_memory()) GTEST_SKIP() << "/proc/self/clear_refs is not writable here";
  std::vector<std::unique_ptr<unsigned char[]>> blocks;
  for (int i = 0; i < 2048; ++i) {
    blocks.emplace_back(new unsigned char[64u << 10]);
    std::memset(blocks.back().get(), 1, 64u << 10);
  }
  std::unique_ptr<unsigned char[]> last = std::move(blocks.back());
  blocks.clear();
  ASSERT_TRUE(reset_peak_memory());
  const double kept = peak_memory().vm_hwm_bytes;
  if (!release_free_memory()) GTEST_SKIP() << "malloc_trim released nothing (not glibc?)";
  ASSERT_TRUE(reset_peak_memory());
  EXPECT_LE(peak_memory().vm_hwm_bytes, kept - (96u << 20));
  EXPECT_EQ(last[0], 1);
}

TEST(FlushCache, ReadsBackWhatItWrote) {
  // Call c writes c % 251 + 1 and reads one byte per 64: ceil(1000 / 64) = 16
  // bytes read. Consecutive calls on this thread differ by one in the value.
  const std::uint64_t a = flush_cache(1000);
  const std::uint64_t b = flush_cache(1000);
  EXPECT_EQ(a % 16, 0u);
  const std::uint64_t va = a / 16;
  EXPECT_EQ(b, 16 * (va % 251 + 1));
  const std::uint64_t vb = b / 16;
  EXPECT_EQ(flush_cache(64), vb % 251 + 1);  // one byte read
}

}  // namespace
}  // namespace dnnroof
