#pragma once
// IR -> LibTorch execution: the only module that includes LibTorch, behind
// this header, which does not. Everything measured in dnnroof runs through an
// Executor: inference (eval semantics, c10::InferenceMode), a training step
// (train semantics, cross-entropy on random labels, autograd backward, SGD
// with momentum; forward, backward and optimizer timed apart, synchronised
// between), per-layer timing, and running a model once on given inputs.
//
// Timing: every method that returns seconds timed its work itself with the
// right clock for the device: std::chrono::steady_clock on the CPU, CUDA
// events recorded on the current stream on a GPU (never a host clock around
// asynchronous work). The measurement loop (src/measure) calls them as its
// run_once and decides how often.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/host_tensor.h"
#include "graph/graph.h"

namespace dnnroof {

struct ExecOptions {
  std::string device = "cpu";  // "cpu", "cuda" (= "cuda:0"), "cuda:N"
  DType dtype = DType::fp32;   // compute dtype; fp32, bf16, fp16 where the device has them
  // CPU threads of every pool: ATen's intra- and inter-op pools, OpenBLAS's
  // own pool and the OpenMP runtime (oneDNN). 0: default_thread_count() of
  // hw/cpu_affinity.h, every allowed physical core.
  int threads = 0;
  // Pin the run's threads to cpus_for_threads(threads) while the executor
  // lives: every thread of the process is confined to those CPUs and each
  // OpenMP worker to its own; the launch mask comes back on destruction.
  bool pin = true;
  std::uint64_t seed = 0;  // weights, inputs and labels are seeded from it
  // Weights by value name (e.g. an ONNX file's initializers). A parameter or
  // buffer not in the map gets torchvision's init scheme for its op, seeded.
  std::map<std::string, HostTensor> weights;
  // Nsight Compute (--profile-from-start off): the first infer() or
  // train_step() runs two unprofiled warm-up iterations of its kind, then
  // calls cudaProfilerStart/Stop around exactly one iteration. CUDA only;
  // ignored on the CPU.
  bool profile_range = false;
  // The training step's SGD (torch.optim.SGD's update, no weight decay).
  double learning_rate = 0.01;
  double momentum = 0.9;
};

// What the executor can say about itself, recorded with every result.
struct ExecInfo {
  std::string device;       // as resolved: "cpu", "cuda:0"
  std::string device_name;  // CPU model or GPU name
  // The thread pools as read back from each library after sizing them:
  int threads = 0;          // ATen's intra-op pool (at::get_num_threads)
  int interop_threads = 0;  // ATen's inter-op pool; 0: unknown
  int blas_threads = 0;     // OpenBLAS's pool; 0: the BLAS is not OpenBLAS
  int openmp_threads = 0;   // omp_get_max_threads; 0: no OpenMP runtime loaded
  std::string pinned_cpus;  // "0-1": CPUs the run's threads are pinned to; "" not pinned
  std::string libtorch_version;
  std::string blas;             // e.g. "OpenBLAS 0.3.21 (pthread)", "reference BLAS (slow)"
  bool reference_blas = false;  // true: libblas.so.3 is the slow reference BLAS
  bool cuda_built = false;      // the LibTorch this was built against has CUDA
  // Parameters and buffers that were not in ExecOptions::weights and got the
  // seeded init scheme instead (by value name; empty for runtime_info()).
  std::vector<std::string> seeded;
};

// Seconds of each phase of one training step; step_s is the whole step as
// timed around all three (not their sum).
struct TrainStepTimes {
  double forward_s = 0;
  double backward_s = 0;
  double optimizer_s = 0;
  double step_s = 0;
  double loss = 0;  // the step's cross-entropy
};

// Per-layer timing of one pass: each node run alone, synchronised before and
// after, forward and (training) backward of that node with respect to its
// inputs and parameters.
struct NodeTime {
  std::string node;  // Node::name
  OpKind op = OpKind::Identity;
  double forward_s = 0;
  double backward_s = 0;  // 0 for inference and for nodes without gradient
};

class Executor {
 public:
  virtual ~Executor() = default;
  const ExecInfo& info() const { return info_; }

  // One inference forward pass on the fixed input batch [s].
  virtual double infer() = 0;
  // One training step on the fixed batch and labels.
  virtual TrainStepTimes train_step() = 0;
  // One per-layer pass (see NodeTime); `train` adds each node's backward.
  virtual std::vector<NodeTime> time_layers(bool train) = 0;

  // Runs inference once on `inputs` (by graph input name; an input absent
  // from the map gets the deterministic fill) and returns the graph outputs
  // in order, on the host.
  virtual std::vector<HostTensor> run(const std::map<std::string, HostTensor>& inputs) = 0;

  // Peak memory of the device's allocator since the last reset [bytes]
  // (CUDA's caching allocator); nullopt on the CPU, where the caller reads
  // the process's peak resident memory instead.
  virtual std::optional<double> device_peak_memory_bytes() const = 0;
  virtual void reset_device_peak_memory() = 0;

 protected:
  ExecInfo info_;
};

// Lowers `graph` for `options.device`. Throws Error listing every node whose
// op has no lowering (op, node name), for a device this build cannot use
// ("cuda" without a CUDA LibTorch, or no GPU), or for a dtype the device does
// not support.
std::unique_ptr<Executor> make_executor(const Graph& graph, const ExecOptions& options);

// The ops with a lowering; a test walks OpKind and checks every kind is
// either here or named with a reason by unsupported_op_reason().
bool has_lowering(OpKind op);
std::optional<std::string> unsupported_op_reason(OpKind op);

// The runtime the executor links, without building a graph: LibTorch version,
// BLAS, CUDA built and the devices it sees.
ExecInfo runtime_info(const std::string& device = "cpu");
int cuda_device_count();  // 0 without CUDA or GPU

}  // namespace dnnroof
