// What the graph executor and the language model share (detail/torch_common.h).
#include "exec/detail/torch_common.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <torch/version.h>

#include <cstring>
#include <stdexcept>
#include <vector>

#include "core/error.h"
#include "exec/blas.h"
#include "exec/detail/device.h"
#include "hw/cpu_affinity.h"

namespace dnnroof::exec_detail {
namespace {

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  return h;
}

DType dtype_of(at::ScalarType t) {
  switch (t) {
    case at::kDouble:
      return DType::fp64;
    case at::kFloat:
      return DType::fp32;
    case at::kHalf:
      return DType::fp16;
    case at::kBFloat16:
      return DType::bf16;
    case at::kChar:
      return DType::int8;
    case at::kByte:
    case at::kShort:
    case at::kInt:
      return DType::int32;
    case at::kLong:
      return DType::int64;
    case at::kBool:
      return DType::boolean;
    default:
      fail("LibTorch tensor type {} has no dnnroof dtype", c10::toString(t));
  }
}

}  // namespace

at::Device ParsedDevice::device() const {
  return cuda ? at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index)) : at::Device(at::kCPU);
}

void ParsedDevice::sync() const {
  if (cuda) cuda_sync(index);
}

std::unique_ptr<Timer> ParsedDevice::timer() const {
  if (cuda) return make_cuda_timer(index);
  return std::make_unique<SteadyTimer>();
}

std::optional<double> ParsedDevice::peak_bytes() const {
  if (!cuda) return std::nullopt;
  return cuda_peak_bytes(index);
}

void ParsedDevice::reset_peak() const {
  if (cuda) cuda_reset_peak(index);
}

ParsedDevice parse_device(const std::string& device) {
  if (device == "cpu") return {};
  if (device == "cuda" || device.rfind("cuda:", 0) == 0) {
    ParsedDevice d{true, 0};
    if (device.size() > 5) {
      try {
        std::size_t used = 0;
        d.index = std::stoi(device.substr(5), &used);
        if (used != device.size() - 5 || d.index < 0) throw std::invalid_argument("index");
      } catch (const std::exception&) {
        fail("device '{}': expected cpu, cuda or cuda:N", device);
      }
    }
    if (!cuda_built()) {
      fail(
          "device '{}': this dnnroof was built against a LibTorch without CUDA ({}); rebuild "
          "against a CUDA-enabled LibTorch (README, section CUDA)",
          device, TORCH_VERSION);
    }
    const int count = cuda_count();
    if (count == 0) fail("device '{}': no CUDA device is visible", device);
    if (d.index >= count) {
      fail("device '{}': only {} CUDA device(s) are visible (cuda:0..cuda:{})", device, count,
           count - 1);
    }
    return d;
  }
  fail("device '{}': expected cpu, cuda or cuda:N", device);
}

at::Generator generator_for(std::uint64_t seed, const std::string& name) {
  return at::detail::createCPUGenerator(seed ^ fnv1a(name));
}

std::string set_cpu_threads(int threads, bool pin) {
  at::set_num_threads(threads);  // intra-op; with OpenMP also omp_set_num_threads
  if (static_cast<int>(at::get_num_interop_threads()) != threads) {  // size_t in 2.x, int in 1.13
    try {
      at::set_num_interop_threads(threads);
    } catch (const c10::Error&) {
      // Already started: left as it is, and recorded as read back.
    }
  }
  set_blas_threads(threads);
  set_openmp_threads(threads);
  if (!pin) return "";
  const std::vector<int> cpus = cpus_for_threads(threads);
  // Every thread first (OpenBLAS's pool started when the library loaded),
  // then the calling thread and each OpenMP worker (ATen's intra-op loops,
  // oneDNN) to its own CPU.
  bool ok = confine_process_threads(cpus);
  ok = pin_current_thread(cpus[0]) && ok;
  if (threads > 1) ok = pin_openmp_workers(cpus) && ok;
  return ok ? cpu_list_text(cpus) : "";
}

HostTensor to_host(const at::Tensor& t, const std::string& name) {
  HostTensor h;
  h.name = name;
  at::Tensor c = t.detach().to(at::kCPU).contiguous();
  if (c.scalar_type() == at::kByte || c.scalar_type() == at::kShort) c = c.to(at::kInt);
  h.dtype = dtype_of(c.scalar_type());
  h.dims.assign(c.sizes().begin(), c.sizes().end());
  const auto bytes = static_cast<std::size_t>(c.numel()) * c.element_size();
  h.data.resize(bytes);
  if (bytes > 0) std::memcpy(h.data.data(), c.data_ptr(), bytes);
  return h;
}

}  // namespace dnnroof::exec_detail
