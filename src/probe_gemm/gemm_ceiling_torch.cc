// The GEMM ceiling through LibTorch: the only probe file that includes ATen,
// and only the per-operator headers (fast to compile).
#define TORCH_ASSERT_ONLY_METHOD_OPERATORS
#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/mm.h>
#include <ATen/ops/rand.h>
#include <c10/util/BFloat16.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <torch/version.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <exception>
#include <optional>

#include "core/error.h"
#include "core/units.h"
#include "hw/cpu_affinity.h"
#include "measure/sampler.h"
#include "measure/timer.h"
#include "probe/sampling.h"
#include "probe_gemm/gemm_ceiling.h"

namespace dnnroof {
namespace {

std::optional<c10::ScalarType> scalar_type_of(DType d) {
  switch (d) {
    case DType::fp64:
      return c10::ScalarType::Double;
    case DType::fp32:
      return c10::ScalarType::Float;
    case DType::bf16:
      return c10::ScalarType::BFloat16;
    case DType::fp16:
      return c10::ScalarType::Half;
    default:
      return std::nullopt;
  }
}

// OpenBLAS's own thread pool ignores at::set_num_threads; its setter is found
// at run time (libblas.so.3 may be OpenBLAS or another BLAS).
void set_blas_threads(int threads) {
  using SetFn = void (*)(int);
  if (void* sym = dlsym(RTLD_DEFAULT, "openblas_set_num_threads")) {
    reinterpret_cast<SetFn>(sym)(threads);
  }
}

std::string blas_name() {
  using ConfigFn = char* (*)();
  if (void* sym = dlsym(RTLD_DEFAULT, "openblas_get_config")) {
    const char* config = reinterpret_cast<ConfigFn>(sym)();
    if (config != nullptr) return std::string(config);
  }
  return "libblas.so.3 (not OpenBLAS)";
}

// OpenBLAS's kernel set ("SkylakeX", "Haswell", "Prescott"); empty when the
// BLAS is not OpenBLAS.
std::string blas_core() {
  using CoreFn = char* (*)();
  if (void* sym = dlsym(RTLD_DEFAULT, "openblas_get_corename")) {
    const char* core = reinterpret_cast<CoreFn>(sym)();
    if (core != nullptr) return core;
  }
  return {};
}

// A note when OpenBLAS runs kernels older than the CPU: a DYNAMIC_ARCH build
// that does not recognise a newer CPU model falls back to its SSE3
// "Prescott" kernels, a fraction of the machine's speed.
std::string blas_core_note() {
  std::string core = blas_core();
  std::string lower = core;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  static const std::array<std::string_view, 9> kOld{"prescott",   "core2",     "penryn",
                                                    "dunnington", "nehalem",   "atom",
                                                    "generic",    "barcelona", "sandybridge"};
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") != 0;
  const bool avx512 = __builtin_cpu_supports("avx512f") != 0;
  if (!avx2 || std::find(kOld.begin(), kOld.end(), lower) == kOld.end()) return {};
  return fmt::format(
      "OpenBLAS runs its {} kernels (it does not recognise this CPU), far below the machine: "
      "run with OPENBLAS_CORETYPE={} for the {} kernels",
      core, avx512 ? "SkylakeX" : "Haswell", avx512 ? "AVX-512" : "AVX2");
}

double element(const at::Tensor& t, std::int64_t i, std::int64_t j) {
  if (t.scalar_type() == c10::ScalarType::Double) return t.data_ptr<double>()[i * t.size(1) + j];
  if (t.scalar_type() == c10::ScalarType::Float) return t.data_ptr<float>()[i * t.size(1) + j];
  if (t.scalar_type() == c10::ScalarType::BFloat16) {
    return static_cast<float>(t.data_ptr<c10::BFloat16>()[i * t.size(1) + j]);
  }
  return static_cast<float>(t.data_ptr<c10::Half>()[i * t.size(1) + j]);
}

// A few entries of c = a b recomputed in double from the (rounded) inputs:
// the GEMM really computed the product. Returns the largest relative error.
double check_entries(const at::Tensor& a, const at::Tensor& b, const at::Tensor& c) {
  const std::int64_t n = a.size(0);
  const std::array<std::int64_t, 3> rows{0, n / 2, n - 1};
  double worst = 0;
  for (std::int64_t i : rows) {
    for (std::int64_t j : rows) {
      double ref = 0;
      for (std::int64_t k = 0; k < n; ++k) ref += element(a, i, k) * element(b, k, j);
      worst = std::max(worst, std::abs(element(c, i, j) - ref) / std::max(std::abs(ref), 1e-30));
    }
  }
  return worst;
}

struct Matrices {
  at::Tensor a, b, c;
};

Matrices make_matrices(c10::ScalarType type, std::int64_t n) {
  const auto options = at::TensorOptions().dtype(type);
  Matrices m;
  // rand in [0, 1) in fp32, then the precision: bf16/fp16 round the inputs.
  m.a = at::rand({n, n}, at::TensorOptions().dtype(c10::ScalarType::Float)).to(type);
  m.b = at::rand({n, n}, at::TensorOptions().dtype(c10::ScalarType::Float)).to(type);
  m.c = at::empty({n, n}, options);
  return m;
}

}  // namespace

bool gemm_ceiling_available() { return true; }

std::string gemm_backend_description() {
  const std::string core = blas_core();
  return fmt::format("LibTorch {}.{}.{} (at::mm), BLAS: {}{}", TORCH_VERSION_MAJOR,
                     TORCH_VERSION_MINOR, TORCH_VERSION_PATCH, blas_name(),
                     core.empty() ? "" : fmt::format(", kernels {}", core));
}

std::vector<GemmCeiling> measure_gemm_ceilings(const GemmCeilingOptions& options) {
  const int n = options.size > 0 ? options.size : (options.quick ? 2048 : 4096);
  if (options.size < 0) fail("probe: GEMM size {} must be positive", options.size);
  if (options.threads < 1) fail("probe: GEMM threads {} must be at least 1", options.threads);
  at::set_num_threads(options.threads);
  set_blas_threads(options.threads);
  // Pinned like the executor's runs (hw/cpu_affinity.h): the GEMMs on N
  // threads use the same N cores a run on N threads does; the launch mask
  // comes back at the end.
  const std::vector<int> cpus = cpus_for_threads(options.threads);
  confine_process_threads(cpus);
  pin_current_thread(cpus[0]);
  if (options.threads > 1) pin_openmp_workers(cpus);
  struct Unpin {
    ~Unpin() { confine_process_threads(launch_allowed_cpus()); }
  } unpin;
  const std::string backend = gemm_backend_description();
  const double flops = gemm_flops(n, n, n);

  std::vector<GemmCeiling> out;
  for (DType dtype : options.dtypes) {
    GemmCeiling g;
    g.precision = dtype;
    g.size = n;
    g.threads = options.threads;
    // LibTorch 1.13 sends fp32/fp64 to the BLAS, bf16 to oneDNN where the CPU
    // has AVX-512 (else its own loops).
    g.backend =
        dtype == DType::fp32 || dtype == DType::fp64
            ? backend
            : fmt::format(
                  "LibTorch {}.{}.{} (at::mm; oneDNN or LibTorch's own kernels "
                  "for {}, not the BLAS)",
                  TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH, dtype_name(dtype));
    const auto type = scalar_type_of(dtype);
    if (!type) {
      g.note = fmt::format("{} GEMM not offered by the probe", dtype_name(dtype));
      out.push_back(g);
      continue;
    }
    try {
      Matrices m = make_matrices(*type, n);
      // A precision LibTorch runs through a slow fallback is not a ceiling
      // worth minutes: one GEMM first, and stop when it is too slow.
      const double first_s = [&] {
        const double t0 = steady_now_s();
        at::mm_out(m.c, m.a, m.b);
        return steady_now_s() - t0;
      }();
      const double max_call_s =
          options.max_call_s > 0 ? options.max_call_s : (options.quick ? 5.0 : 15.0);
      if (first_s > max_call_s) {
        g.note = fmt::format(
            "not fast in this LibTorch: one {}^3 GEMM took {:.1f} s ({}); not measured further", n,
            first_s, format_si(flops / first_s, "FLOP/s", 3));
        // fp32 and fp64 go to the BLAS: say when its kernels are the cause.
        if (dtype == DType::fp32 || dtype == DType::fp64) {
          const std::string why = blas_core_note();
          if (!why.empty()) g.note += "; " + why;
        }
        out.push_back(g);
        continue;
      }
      const Measurement meas = measure(
          [&] {
            const double t0 = steady_now_s();
            at::mm_out(m.c, m.a, m.b);
            return steady_now_s() - t0;
          },
          probe_sampler_options(ProbeSampling::gemm, options.quick));
      const double error = check_entries(m.a, m.b, m.c);
      const double tolerance = dtype == DType::fp64 ? 1e-9 : (dtype == DType::fp32 ? 1e-4 : 2e-2);
      if (!(error <= tolerance)) {
        g.note = fmt::format("wrong result: relative error {:.3g} > {:.3g}; not a ceiling", error,
                             tolerance);
        out.push_back(g);
        continue;
      }
      g.rate = rate_of(meas, flops);
      // fp32 and fp64 go to the BLAS (bf16 to oneDNN in LibTorch 1.13).
      if (dtype == DType::fp32 || dtype == DType::fp64) g.note = blas_core_note();
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      // LibTorch refuses a precision on this CPU (c10::Error): say so, go on.
      std::string what = e.what();
      what = what.substr(0, what.find('\n'));
      g.note = fmt::format("LibTorch could not run a {} GEMM: {}", dtype_name(dtype), what);
    }
    out.push_back(g);
  }
  return out;
}

}  // namespace dnnroof
