#pragma once
// A Timer built on CUDA events recorded on the stream that runs the work
// (DESIGN.md, "Measurement rules": never a host clock around asynchronous
// work). start() records an event on the stream, stop_s() records a second
// one, waits for it (cudaEventSynchronize) and returns the device time
// between the two (cudaEventElapsedTime, ~0.5 us resolution).
//
// This header includes no CUDA header: the stream is passed as void* (a
// cudaStream_t; nullptr is the legacy default stream), so the executor and
// the probe can name it without CUDA in their headers. The implementation is
// cuda_event_timer.cu when dnnroof is built with CUDA (nvcc found) and
// cuda_event_timer_none.cc otherwise.

#include <memory>
#include <string>

#include "measure/timer.h"

namespace dnnroof {

// Whether this build has the CUDA event timer (nvcc was found at configure
// time). A GPU may still be missing at run time: see cuda_timing_status().
bool cuda_timing_built();

// Empty when a CUDA event timer can be made now; otherwise why not ("built
// without CUDA ...", "no CUDA device: cudaGetDeviceCount: ..."). Never throws.
std::string cuda_timing_status();

// A timer on `stream` (a cudaStream_t, nullptr: the default stream) of the
// current device. Throws Error when built without CUDA, when there is no
// device, or when the events cannot be created, with the CUDA error text.
// The timer owns its two events; one timer must not be shared by threads.
std::unique_ptr<Timer> make_cuda_event_timer(void* stream = nullptr);

}  // namespace dnnroof
