#pragma once
// Internal to src/exec: the CUDA side of the executor behind a header with
// no LibTorch or CUDA include. device.cc implements it with LibTorch's CUDA
// API when the LibTorch found at build time has CUDA (DNNROOF_EXEC_CUDA),
// and as "no CUDA" otherwise.

#include <memory>
#include <optional>
#include <string>

#include "measure/timer.h"

namespace dnnroof::exec_detail {

bool cuda_built();
int cuda_count();  // 0 without CUDA or GPU
std::string cuda_name(int device);
bool cuda_supports_bf16(int device);  // compute capability >= 8.0
void cuda_sync(int device);
// A Timer on CUDA events recorded on `device`'s current stream; stop_s()
// waits for the end event.
std::unique_ptr<Timer> make_cuda_timer(int device);
std::optional<double> cuda_peak_bytes(int device);
void cuda_reset_peak(int device);
// cudaProfilerStart/Stop (Nsight Compute --profile-from-start off).
void cuda_profiler_start();
void cuda_profiler_stop();

}  // namespace dnnroof::exec_detail
