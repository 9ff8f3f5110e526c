// The CUDA-event timer. Without CUDA (or without a GPU) the factory must
// fail with a clear Error; with a GPU (label gpu) the events must time work
// enqueued on the stream, and stop_s() must wait for it.
#include "measure/cuda_event_timer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/error.h"
#include "measure/timer.h"
#if defined(DNNROOF_TEST_CUDA)
#include "cuda_host_sleep.h"
#endif

namespace dnnroof {
namespace {

TEST(CudaEventTimer, FactoryFailsClearlyWithoutAGpu) {
  if (cuda_timing_status().empty()) GTEST_SKIP() << "a CUDA device is present";
  try {
    (void)make_cuda_event_timer(nullptr);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("CUDA event timer"), std::string::npos) << what;
    if (cuda_timing_built()) {
      EXPECT_NE(what.find("no CUDA device"), std::string::npos) << what;
    } else {
      EXPECT_NE(what.find("built without CUDA"), std::string::npos) << what;
    }
  }
}

#if defined(DNNROOF_TEST_CUDA)
// A 50 ms host function enqueued between the two events on a non-default
// stream: the device time between them is at least 50 ms (the stream cannot
// pass the host function before it returns) and, on an idle GPU, not far
// above; stop_s() returns only after the stream reached the stop event, so
// the host waited at least as long.
TEST(CudaEventTimer, TimesWorkOnTheStream) {
  const std::string why = cuda_timing_status();
  if (!why.empty()) GTEST_SKIP() << why;
  void* stream = testing::create_stream();
  ASSERT_NE(stream, nullptr);
  {
    auto timer = make_cuda_event_timer(stream);
    for (double sleep_s : {0.05, 0.01}) {
      const auto host_start = std::chrono::steady_clock::now();
      timer->start();
      ASSERT_TRUE(testing::enqueue_host_sleep(stream, sleep_s));
      const double device_s = timer->stop_s();
      const double host_s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();
      EXPECT_GE(device_s, sleep_s * 0.99);  // event resolution ~0.5 us
      EXPECT_LT(device_s, sleep_s + 0.05);
      EXPECT_GE(host_s, sleep_s);
    }
  }
  testing::destroy_stream(stream);
}

TEST(CudaEventTimer, DefaultStreamAndBackToBack) {
  const std::string why = cuda_timing_status();
  if (!why.empty()) GTEST_SKIP() << why;
  auto timer = make_cuda_event_timer(nullptr);
  // Nothing enqueued: two events back to back are a few microseconds apart.
  timer->start();
  const double empty_s = timer->stop_s();
  EXPECT_GE(empty_s, 0.0);
  EXPECT_LT(empty_s, 1e-3);
  EXPECT_GE(time_once(*timer, [] { ASSERT_TRUE(testing::enqueue_host_sleep(nullptr, 0.02)); }),
            0.0198);
}
#endif

}  // namespace
}  // namespace dnnroof
