#pragma once
// Internal to src/exec, and LibTorch-including: what the graph executor
// (executor.cc) and the language model (llm_executor.cc) share, so each
// piece has one home: the device a run is on, seeded generators, sizing and
// pinning the CPU pools, and a tensor copied back to the host.

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/host_tensor.h"
#include "measure/timer.h"

namespace dnnroof::exec_detail {

// The device of a run: the CPU or CUDA device `index`.
struct ParsedDevice {
  bool cuda = false;
  int index = 0;

  at::Device device() const;
  void sync() const;  // waits for the CUDA device; nothing on the CPU
  // CUDA events on the device's current stream, or a steady clock.
  std::unique_ptr<Timer> timer() const;
  std::optional<double> peak_bytes() const;  // nullopt on the CPU
  void reset_peak() const;
};

// "cpu", "cuda" or "cuda:N", checked against this build and the visible
// GPUs; an Error naming the device and what is wrong otherwise.
ParsedDevice parse_device(const std::string& device);

// A CPU generator seeded with `seed` and the FNV-1a hash of `name`, so each
// named tensor has its own stream, independent of creation order.
at::Generator generator_for(std::uint64_t seed, const std::string& name);

// Sizes every CPU pool to `threads` and, with `pin`, pins the process's
// threads to cpus_for_threads(threads); returns the CPUs pinned to ("" when
// not pinned). ATen's inter-op pool can be sized only before its first use,
// so it keeps its size when that has passed (the size read back is recorded).
std::string set_cpu_threads(int threads, bool pin);

// `t` on the host, contiguous, in its dnnroof dtype (uint8 and int16 widened
// to int32), named `name`.
HostTensor to_host(const at::Tensor& t, const std::string& name);

}  // namespace dnnroof::exec_detail
