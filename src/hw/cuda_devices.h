#pragma once
// CUDA GPUs of this machine as chips ("cuda:0", "cuda:1", ...), so a GPU the
// program runs on is a chip like any other. The query lives in
// cuda_devices.cu when dnnroof is built with CUDA (nvcc found) and in
// cuda_devices_none.cc otherwise; this header includes no CUDA header.

#include "hw/chip.h"
#include "hw/cuda_query.h"

namespace dnnroof {

// FP32 and FP64 lanes per SM for a compute capability (CUDA programming
// guide, "Arithmetic Instructions" throughput table); 0 when unknown.
int fp32_lanes_per_sm(int cc_major, int cc_minor);
int fp64_lanes_per_sm(int cc_major, int cc_minor);

// The device as a chip "cuda:<index>", kind gpu: peaks derived as
// SMs x lanes x 2 (FMA) x clock for fp32 and fp64 (tensor-core peaks are not
// derivable from the runtime's figures: use the catalog entry of the same
// GPU for those), main memory = 2 x memory clock x bus width / 8 with the
// device's capacity, L2 with its capacity. Each figure carries its derivation.
Chip cuda_device_chip(const CudaDeviceInfo& info);

}  // namespace dnnroof
