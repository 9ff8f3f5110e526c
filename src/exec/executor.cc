// The LibTorch executor: a Graph lowered node by node onto ATen calls
// (lowering.cc), with its parameters, buffers and constants as tensors on the
// device, a fixed seeded input batch, and the timed entry points of
// executor.h. See docs/exec.md.
#include "exec/executor.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>
#include <ATen/core/grad_mode.h>
#include <ATen/ops/cross_entropy_loss.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/from_blob.h>
#include <ATen/ops/full.h>
#include <ATen/ops/ones_like.h>
#include <ATen/ops/zeros.h>
#include <c10/core/InferenceMode.h>
#include <c10/util/Exception.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/version.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>

#include "core/error.h"
#include "exec/blas.h"
#include "exec/detail/device.h"
#include "exec/detail/lowering.h"
#include "exec/detail/torch_common.h"
#include "hw/cpu_affinity.h"

namespace dnnroof {
namespace {

using exec_detail::generator_for;
using exec_detail::LowerContext;
using exec_detail::parse_device;
using exec_detail::ParsedDevice;
using exec_detail::run_node;
using exec_detail::set_cpu_threads;
using exec_detail::to_host;

// --- dtypes ---------------------------------------------------------------------

at::ScalarType scalar_type(DType t) {
  switch (t) {
    case DType::fp64:
      return at::kDouble;
    case DType::fp32:
    case DType::tf32:
      return at::kFloat;
    case DType::fp16:
      return at::kHalf;
    case DType::bf16:
      return at::kBFloat16;
    case DType::int8:
      return at::kChar;
    case DType::int32:
      return at::kInt;
    case DType::int64:
      return at::kLong;
    case DType::boolean:
      return at::kBool;
    default:
      fail("dtype {} has no LibTorch tensor type", dtype_name(t));
  }
}

// --- host tensors ---------------------------------------------------------------------

at::Tensor from_host(const HostTensor& h, const std::string& what) {
  const at::ScalarType st = scalar_type(h.dtype);
  std::int64_t n = 1;
  for (std::int64_t d : h.dims) n *= d;
  const auto bytes = static_cast<std::size_t>(n) * static_cast<std::size_t>(dtype_bytes(h.dtype));
  if (h.data.size() != bytes) {
    fail("{}: {} bytes for {} elements of {} (need {})", what, h.data.size(), n,
         dtype_name(h.dtype), bytes);
  }
  at::Tensor t = at::empty(h.dims, at::TensorOptions().dtype(st));
  if (bytes > 0) std::memcpy(t.data_ptr(), h.data.data(), bytes);
  return t;
}

// The deterministic fill of an absent input (the ONNX test runner's for the
// light models): floats arange(n)/n in row-major order; integers i % bound.
at::Tensor deterministic_fill(const Value& v, at::ScalarType float_type, std::int64_t int_bound) {
  const std::int64_t n = numel(v.shape);
  if (is_floating(v.dtype)) {
    std::vector<float> data(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
      data[static_cast<std::size_t>(i)] = static_cast<float>(i) / static_cast<float>(n);
    }
    return at::from_blob(data.data(), v.shape, at::TensorOptions().dtype(at::kFloat))
        .clone()
        .to(float_type);
  }
  std::vector<std::int64_t> data(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) data[static_cast<std::size_t>(i)] = i % int_bound;
  return at::from_blob(data.data(), v.shape, at::TensorOptions().dtype(at::kLong))
      .clone()
      .to(scalar_type(v.dtype == DType::boolean ? DType::boolean : v.dtype));
}

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string s = line.substr(colon + 1);
        s.erase(0, s.find_first_not_of(' '));
        return s;
      }
    }
  }
  return "CPU";
}

void check_dtype(DType dtype, const ParsedDevice& d, const std::string& device) {
  if (dtype == DType::fp32) return;
  if (dtype == DType::bf16) {
    if (d.cuda && !exec_detail::cuda_supports_bf16(d.index)) {
      fail("dtype bf16 on {}: the GPU's compute capability is below 8.0", device);
    }
    return;
  }
  if (dtype == DType::fp16) {
    if (d.cuda) return;
    fail(
        "dtype fp16 on the CPU: LibTorch's CPU kernels (convolution among them) do not "
        "implement Half; use fp32 or bf16");
  }
  fail("dtype {}: the executor computes in fp32, bf16 or fp16", dtype_name(dtype));
}

// --- the executor ---------------------------------------------------------------------

class TorchExecutor final : public Executor {
 public:
  TorchExecutor(const Graph& graph, const ExecOptions& options);
  ~TorchExecutor() override {
    if (!info_.pinned_cpus.empty()) confine_process_threads(launch_allowed_cpus());
  }

  double infer() override;
  TrainStepTimes train_step() override;
  std::vector<NodeTime> time_layers(bool train) override;
  std::vector<HostTensor> run(const std::map<std::string, HostTensor>& inputs) override;
  std::optional<double> device_peak_memory_bytes() const override;
  void reset_device_peak_memory() override;

 private:
  // Runs every node on `feed` (one tensor per graph input). keep_all keeps
  // every value (per-layer timing); otherwise a value is dropped after its
  // last use. Returns all values (kept ones) indexed by ValueId.
  std::vector<at::Tensor> forward(const std::vector<at::Tensor>& feed, bool training,
                                  bool keep_all) const;
  std::vector<at::Tensor> outputs_of(const std::vector<at::Tensor>& values) const;
  at::Tensor leaf_tensor(ValueId id);
  at::Tensor init_parameter(ValueId id);
  std::int64_t int_bound(ValueId id) const;
  // The compute dtype, except that fp64 values (a model that asks for
  // double explicitly) stay fp64.
  at::ScalarType float_type(const Value& v) const {
    return v.dtype == DType::fp64 ? at::kDouble : compute_;
  }
  void sync() const;
  std::unique_ptr<Timer> timer() const;
  void maybe_profile_warmup(bool train);
  at::Tensor loss_of(const at::Tensor& output);
  void sgd_step();

  Graph graph_;
  ExecOptions options_;
  ParsedDevice dev_;
  at::Device device_{at::kCPU};
  at::ScalarType compute_{at::kFloat};
  std::vector<at::Tensor> leaves_;    // parameters, buffers, constants by ValueId
  std::vector<int> last_use_;         // last node reading each value, -1 none
  std::vector<bool> keep_;            // graph outputs: never dropped
  std::vector<at::Tensor> batch_;     // the fixed input batch, one per graph input
  std::vector<ValueId> trainable_;    // parameters that get gradients
  std::vector<at::Tensor> momentum_;  // SGD momentum buffers, parallel to trainable_
  at::Tensor labels_;
  bool profile_pending_ = false;
};

TorchExecutor::TorchExecutor(const Graph& graph, const ExecOptions& options)
    : graph_(graph), options_(options) {
  dev_ = parse_device(options.device);
  check_dtype(options.dtype, dev_, options.device);
  device_ = dev_.device();
  compute_ = scalar_type(options.dtype);
  if (options.threads < 0) fail("executor: threads must be >= 0, got {}", options.threads);
  const int threads = options.threads > 0 ? options.threads : default_thread_count();
  const std::string pinned = dev_.cuda ? "" : set_cpu_threads(threads, options.pin);
  if (dev_.cuda) set_cpu_threads(threads, false);
  // Denormals in seeded random weights would slow the CPU's FMA units.
  at::globalContext().setFlushDenormal(true);

  info_ = runtime_info(options.device);
  info_.pinned_cpus = pinned;

  // Every node must have a lowering: list all that do not, at once.
  std::vector<std::string> missing;
  for (const Node& n : graph_.nodes) {
    if (!has_lowering(n.op)) {
      missing.push_back(fmt::format("node '{}' ({}): {}", n.name, op_name(n.op),
                                    unsupported_op_reason(n.op).value_or("no lowering")));
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += "\n  " + m;
    fail("graph '{}': {} node(s) have ops the executor does not support:{}", graph_.name,
         missing.size(), list);
  }

  const std::size_t nv = graph_.values.size();
  leaves_.resize(nv);
  last_use_.assign(nv, -1);
  keep_.assign(nv, false);
  for (ValueId o : graph_.outputs) keep_[static_cast<std::size_t>(o)] = true;
  for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
    for (ValueId in : graph_.nodes[i].inputs)
      last_use_[static_cast<std::size_t>(in)] = static_cast<int>(i);
  }
  try {
    for (std::size_t i = 0; i < nv; ++i) {
      const Value& v = graph_.values[i];
      if (v.role == ValueRole::parameter || v.role == ValueRole::buffer ||
          v.role == ValueRole::constant) {
        leaves_[i] = leaf_tensor(static_cast<ValueId>(i));
      }
    }
    // The fixed batch: seeded normal(0, 1) floats, integers uniform in [0, bound).
    for (ValueId id : graph_.inputs) {
      const Value& v = graph_.value(id);
      at::Generator gen = generator_for(options_.seed, "input:" + v.name);
      at::Tensor t = at::empty(v.shape, at::TensorOptions().dtype(at::kFloat));
      if (is_floating(v.dtype)) {
        t.normal_(0.0, 1.0, gen);
        t = t.to(float_type(v));
      } else {
        t.uniform_(0.0, static_cast<double>(int_bound(id)), gen);
        t = t.floor().to(scalar_type(v.dtype));
      }
      batch_.push_back(t.to(device_));
    }
    for (std::size_t i = 0; i < nv; ++i) {
      const Value& v = graph_.values[i];
      if (v.role == ValueRole::parameter && leaves_[i].defined() &&
          at::isFloatingType(leaves_[i].scalar_type())) {
        trainable_.push_back(static_cast<ValueId>(i));
      }
    }
  } catch (const c10::Error& e) {
    fail("graph '{}': LibTorch: {}", graph_.name, e.what_without_backtrace());
  }
  momentum_.resize(trainable_.size());
  // A profiler range is for CUDA's profilers; on the CPU the option is ignored.
  profile_pending_ = options_.profile_range && dev_.cuda;
}

// A parameter, buffer or constant as a tensor on the device.
at::Tensor TorchExecutor::leaf_tensor(ValueId id) {
  const Value& v = graph_.value(id);
  at::Tensor t;
  auto it = options_.weights.find(v.name);
  if (it == options_.weights.end()) {
    // The importer makes names unique with "_<k>": try the base name.
    const auto us = v.name.rfind('_');
    if (us != std::string::npos && us + 1 < v.name.size() &&
        v.name.find_first_not_of("0123456789", us + 1) == std::string::npos) {
      it = options_.weights.find(v.name.substr(0, us));
    }
  }
  if (it != options_.weights.end()) {
    t = from_host(it->second, fmt::format("weight '{}'", it->first));
    if (t.numel() != numel(v.shape)) {
      fail("weight '{}' has shape {} ({} elements), value '{}' needs {}", it->first,
           shape_str(it->second.dims), t.numel(), v.name, shape_str(v.shape));
    }
    t = t.reshape(v.shape);
  } else if (v.role == ValueRole::constant) {
    const std::int64_t n = numel(v.shape);
    if (!v.int_data.empty()) {
      if (static_cast<std::int64_t>(v.int_data.size()) != n) {
        fail("constant '{}' holds {} values for shape {}", v.name, v.int_data.size(),
             shape_str(v.shape));
      }
      std::vector<std::int64_t> d = v.int_data;
      t = at::from_blob(d.data(), v.shape, at::TensorOptions().dtype(at::kLong)).clone();
    } else if (!v.float_data.empty()) {
      if (static_cast<std::int64_t>(v.float_data.size()) != n) {
        fail("constant '{}' holds {} values for shape {}", v.name, v.float_data.size(),
             shape_str(v.shape));
      }
      std::vector<double> d = v.float_data;
      t = at::from_blob(d.data(), v.shape, at::TensorOptions().dtype(at::kDouble)).clone();
    } else {
      fail("constant '{}' of shape {} has no data (and no weight of that name was given)", v.name,
           shape_str(v.shape));
    }
  } else {
    t = init_parameter(id);
    info_.seeded.push_back(v.name);
  }
  // Floating tensors compute in the chosen dtype; integers stay integers
  // (int64 for indices), booleans stay booleans.
  if (is_floating(v.dtype) || at::isFloatingType(t.scalar_type())) {
    if (is_floating(v.dtype)) {
      t = t.to(float_type(v));
    } else {
      t = t.to(scalar_type(v.dtype));
    }
  } else if (v.dtype == DType::boolean) {
    t = t.to(at::kBool);
  } else if (t.scalar_type() != at::kLong && t.scalar_type() != at::kBool) {
    t = t.to(at::kLong);
  }
  t = t.to(device_);
  if (v.role == ValueRole::parameter && at::isFloatingType(t.scalar_type())) {
    t.requires_grad_(true);
  }
  return t;
}

// torchvision's init schemes, by the op and the input slot that first reads
// the value (docs/exec.md): Conv/ConvTranspose weight kaiming_normal
// (fan_out, relu), bias 0; Gemm weight normal(0, 0.01), bias 0; norm scale 1,
// shift 0; BatchNorm running mean 0, var 1; PReLU 0.25; Embedding and any
// other parameter normal(0, 0.02) (GPT-2's and ViT's std).
at::Tensor TorchExecutor::init_parameter(ValueId id) {
  const Value& v = graph_.value(id);
  const Node* user = nullptr;
  std::size_t slot = 0;
  for (const Node& n : graph_.nodes) {
    for (std::size_t k = 0; k < n.inputs.size() && user == nullptr; ++k) {
      if (n.inputs[k] == id) {
        user = &n;
        slot = k;
      }
    }
    if (user != nullptr) break;
  }
  at::Tensor t = at::empty(v.shape, at::TensorOptions().dtype(at::kFloat));
  at::Generator gen = generator_for(options_.seed, v.name);
  const OpKind op = user != nullptr ? user->op : OpKind::Identity;
  auto normal = [&](double std) { t.normal_(0.0, std, gen); };
  if (op == OpKind::Conv || op == OpKind::ConvTranspose) {
    if (slot == 1 && v.shape.size() >= 2) {
      std::int64_t fan_out = v.shape[0];
      for (std::size_t d = 2; d < v.shape.size(); ++d) fan_out *= v.shape[d];
      normal(std::sqrt(2.0 / static_cast<double>(fan_out)));
    } else {
      t.zero_();
    }
  } else if (op == OpKind::Gemm) {
    if (slot == 1) {
      normal(0.01);
    } else {
      t.zero_();
    }
  } else if (op == OpKind::BatchNorm) {
    t.fill_(slot == 1 || slot == 4 ? 1.0 : 0.0);
  } else if (op == OpKind::LayerNorm || op == OpKind::GroupNorm) {
    t.fill_(slot == 1 ? 1.0 : 0.0);
  } else if (op == OpKind::PRelu) {
    t.fill_(0.25);
  } else if (v.role == ValueRole::buffer) {
    t.zero_();
  } else {
    normal(0.02);
  }
  return t;
}

// The exclusive upper bound for an integer input's values: the smallest
// table an Embedding or Gather reads with it; 2 for booleans; else 1000.
std::int64_t TorchExecutor::int_bound(ValueId id) const {
  if (graph_.value(id).dtype == DType::boolean) return 2;
  std::int64_t bound = 0;
  for (const Node& n : graph_.nodes) {
    std::int64_t b = 0;
    if (n.op == OpKind::Embedding && n.inputs.size() > 1 && n.inputs[0] == id) {
      b = graph_.value(n.inputs[1]).shape.at(0);
    } else if (n.op == OpKind::Gather && n.inputs.size() > 1 && n.inputs[1] == id) {
      const Shape& data = graph_.value(n.inputs[0]).shape;
      std::int64_t axis = n.attrs.get_int("axis", 0);
      if (axis < 0) axis += static_cast<std::int64_t>(data.size());
      if (axis >= 0 && axis < static_cast<std::int64_t>(data.size())) {
        b = data[static_cast<std::size_t>(axis)];
      }
    }
    if (b > 0) bound = bound == 0 ? b : std::min(bound, b);
  }
  return bound == 0 ? 1000 : bound;
}

std::vector<at::Tensor> TorchExecutor::forward(const std::vector<at::Tensor>& feed, bool training,
                                               bool keep_all) const {
  std::vector<at::Tensor> values = leaves_;
  for (std::size_t i = 0; i < graph_.inputs.size(); ++i) {
    values[static_cast<std::size_t>(graph_.inputs[i])] = feed.at(i);
  }
  std::vector<at::Tensor> ins;
  for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
    const Node& n = graph_.nodes[i];
    ins.clear();
    for (ValueId in : n.inputs) ins.push_back(values[static_cast<std::size_t>(in)]);
    std::vector<at::Tensor> outs = run_node(LowerContext{graph_, n, ins, training});
    for (std::size_t o = 0; o < outs.size(); ++o) {
      values[static_cast<std::size_t>(n.outputs[o])] = std::move(outs[o]);
    }
    if (!keep_all) {
      for (ValueId in : n.inputs) {
        const auto k = static_cast<std::size_t>(in);
        if (last_use_[k] == static_cast<int>(i) && !keep_[k] &&
            graph_.value(in).role == ValueRole::activation) {
          values[k] = at::Tensor();
        }
      }
    }
  }
  return values;
}

std::vector<at::Tensor> TorchExecutor::outputs_of(const std::vector<at::Tensor>& values) const {
  std::vector<at::Tensor> outs;
  for (ValueId o : graph_.outputs) outs.push_back(values[static_cast<std::size_t>(o)]);
  return outs;
}

void TorchExecutor::sync() const { dev_.sync(); }

std::unique_ptr<Timer> TorchExecutor::timer() const { return dev_.timer(); }

// With profile_range, the first timed call runs two unprofiled warm-up
// iterations of its kind, then profiles exactly one (see executor.h).
void TorchExecutor::maybe_profile_warmup(bool train) {
  if (!profile_pending_) return;
  profile_pending_ = false;
  for (int i = 0; i < 2; ++i) {
    if (train) {
      train_step();
    } else {
      infer();
    }
  }
  sync();
  profile_pending_ = true;
}

double TorchExecutor::infer() {
  maybe_profile_warmup(false);
  const bool profile = profile_pending_;
  profile_pending_ = false;
  try {
    c10::InferenceMode guard;
    std::unique_ptr<Timer> t = timer();
    if (profile) exec_detail::cuda_profiler_start();
    t->start();
    std::vector<at::Tensor> values = forward(batch_, false, false);
    const double s = t->stop_s();
    if (profile) exec_detail::cuda_profiler_stop();
    return s;
  } catch (const c10::Error& e) {
    fail("graph '{}': inference: LibTorch: {}", graph_.name, e.what_without_backtrace());
  }
}

// Cross-entropy of the first output against the fixed random labels: the
// last dim holds the classes, every other dim indexes a sample.
at::Tensor TorchExecutor::loss_of(const at::Tensor& output) {
  if (!at::isFloatingType(output.scalar_type())) {
    fail("graph '{}': the first output is {}, not a floating-point score to train on", graph_.name,
         c10::toString(output.scalar_type()));
  }
  at::Tensor logits =
      output.dim() == 0 ? output.reshape({1, 1}) : output.reshape({-1, output.size(-1)});
  logits = logits.to(at::kFloat);
  if (!labels_.defined() || labels_.size(0) != logits.size(0)) {
    at::Generator gen = generator_for(options_.seed, "labels");
    labels_ = at::empty({logits.size(0)}, at::TensorOptions().dtype(at::kFloat))
                  .uniform_(0.0, static_cast<double>(logits.size(1)), gen)
                  .floor()
                  .to(at::kLong)
                  .to(device_);
  }
  return at::cross_entropy_loss(logits, labels_);
}

// SGD with momentum 0.9, lr 0.01, no weight decay (torch.optim.SGD's update:
// buf = momentum * buf + grad, the first buf = grad; p -= lr * buf).
void TorchExecutor::sgd_step() {
  at::NoGradGuard no_grad;
  for (std::size_t i = 0; i < trainable_.size(); ++i) {
    at::Tensor& p = leaves_[static_cast<std::size_t>(trainable_[i])];
    const at::Tensor& g = p.grad();
    if (!g.defined()) continue;
    at::Tensor& buf = momentum_[i];
    if (!buf.defined()) {
      buf = g.detach().clone();
    } else {
      buf.mul_(options_.momentum).add_(g);
    }
    p.add_(buf, -options_.learning_rate);
  }
}

TrainStepTimes TorchExecutor::train_step() {
  maybe_profile_warmup(true);
  const bool profile = profile_pending_;
  profile_pending_ = false;
  TrainStepTimes r;
  try {
    for (ValueId id : trainable_) {
      at::Tensor& p = leaves_[static_cast<std::size_t>(id)];
      if (p.grad().defined()) p.mutable_grad() = at::Tensor();
    }
    std::unique_ptr<Timer> step = timer();
    std::unique_ptr<Timer> phase = timer();
    sync();
    if (profile) exec_detail::cuda_profiler_start();
    step->start();
    phase->start();
    at::Tensor loss;
    {
      std::vector<at::Tensor> values = forward(batch_, true, false);
      loss = loss_of(values[static_cast<std::size_t>(graph_.outputs.at(0))]);
    }
    r.forward_s = phase->stop_s();
    if (!loss.requires_grad()) {
      fail("graph '{}': the loss does not depend on any parameter; nothing to train", graph_.name);
    }
    phase->start();
    loss.backward();
    r.backward_s = phase->stop_s();
    phase->start();
    sgd_step();
    r.optimizer_s = phase->stop_s();
    r.step_s = step->stop_s();
    if (profile) exec_detail::cuda_profiler_stop();
    r.loss = loss.item<double>();
  } catch (const c10::Error& e) {
    fail("graph '{}': training step: LibTorch: {}", graph_.name, e.what_without_backtrace());
  }
  return r;
}

std::vector<NodeTime> TorchExecutor::time_layers(bool train) {
  std::vector<NodeTime> times;
  try {
    std::vector<at::Tensor> values;
    if (train) {
      at::NoGradGuard no_grad;
      values = forward(batch_, true, true);
    } else {
      c10::InferenceMode guard;
      values = forward(batch_, false, true);
    }
    std::unique_ptr<Timer> t = timer();
    std::vector<at::Tensor> ins;
    for (const Node& n : graph_.nodes) {
      NodeTime nt;
      nt.node = n.name;
      nt.op = n.op;
      ins.clear();
      if (!train) {
        c10::InferenceMode guard;
        for (ValueId in : n.inputs) ins.push_back(values[static_cast<std::size_t>(in)]);
        sync();
        t->start();
        std::vector<at::Tensor> outs = run_node(LowerContext{graph_, n, ins, false});
        nt.forward_s = t->stop_s();
        times.push_back(nt);
        continue;
      }
      // Train: activations fed by other nodes get gradients, the data does not
      // (DESIGN.md: grad-input is skipped for the layer fed by the data).
      std::vector<at::Tensor> wrt;
      std::set<ValueId> seen;
      for (ValueId in : n.inputs) {
        const Value& v = graph_.value(in);
        at::Tensor x = values[static_cast<std::size_t>(in)];
        if (v.role == ValueRole::activation && at::isFloatingType(x.scalar_type())) {
          x = x.detach().requires_grad_(true);
          wrt.push_back(x);
        } else if (v.role == ValueRole::parameter && x.requires_grad() && seen.insert(in).second) {
          wrt.push_back(x);
        }
        ins.push_back(x);
      }
      sync();
      t->start();
      std::vector<at::Tensor> outs = run_node(LowerContext{graph_, n, ins, true});
      nt.forward_s = t->stop_s();
      std::vector<at::Tensor> ys;
      std::vector<at::Tensor> grads;
      for (const at::Tensor& y : outs) {
        if (y.requires_grad()) {
          ys.push_back(y);
          grads.push_back(at::ones_like(y));
        }
      }
      if (!ys.empty() && !wrt.empty()) {
        sync();
        t->start();
        torch::autograd::grad(ys, wrt, grads, false, false, true);
        nt.backward_s = t->stop_s();
      }
      times.push_back(nt);
    }
  } catch (const c10::Error& e) {
    fail("graph '{}': per-layer timing: LibTorch: {}", graph_.name, e.what_without_backtrace());
  }
  return times;
}

std::vector<HostTensor> TorchExecutor::run(const std::map<std::string, HostTensor>& inputs) {
  std::set<std::string> known;
  for (ValueId id : graph_.inputs) known.insert(graph_.value(id).name);
  for (const auto& [name, t] : inputs) {
    if (known.count(name) == 0) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      fail("graph '{}': no input named '{}' (inputs: {})", graph_.name, name, list);
    }
  }
  std::vector<HostTensor> result;
  try {
    c10::InferenceMode guard;
    std::vector<at::Tensor> feed;
    for (ValueId id : graph_.inputs) {
      const Value& v = graph_.value(id);
      auto it = inputs.find(v.name);
      at::Tensor t;
      if (it == inputs.end()) {
        t = deterministic_fill(v, float_type(v), int_bound(id));
      } else {
        t = from_host(it->second, fmt::format("input '{}'", v.name));
        const Shape got(t.sizes().begin(), t.sizes().end());
        if (got != v.shape) {
          fail("input '{}' has shape {}, the graph expects {}", v.name, shape_str(got),
               shape_str(v.shape));
        }
        t = is_floating(v.dtype) ? t.to(float_type(v)) : t.to(scalar_type(v.dtype));
      }
      feed.push_back(t.to(device_));
    }
    std::vector<at::Tensor> outs = outputs_of(forward(feed, false, false));
    for (std::size_t i = 0; i < outs.size(); ++i) {
      result.push_back(to_host(outs[i], graph_.value(graph_.outputs[i]).name));
    }
  } catch (const c10::Error& e) {
    fail("graph '{}': run: LibTorch: {}", graph_.name, e.what_without_backtrace());
  }
  return result;
}

std::optional<double> TorchExecutor::device_peak_memory_bytes() const { return dev_.peak_bytes(); }

void TorchExecutor::reset_device_peak_memory() { dev_.reset_peak(); }

}  // namespace

std::unique_ptr<Executor> make_executor(const Graph& graph, const ExecOptions& options) {
  return std::make_unique<TorchExecutor>(graph, options);
}

ExecInfo runtime_info(const std::string& device) {
  ExecInfo info;
  const ParsedDevice d = parse_device(device);
  info.device = d.cuda ? fmt::format("cuda:{}", d.index) : "cpu";
  info.device_name = d.cuda ? exec_detail::cuda_name(d.index) : cpu_model_name();
  info.threads = at::get_num_threads();
  info.interop_threads = at::get_num_interop_threads();
  info.blas_threads = blas_threads();
  info.openmp_threads = openmp_max_threads();
  info.libtorch_version = TORCH_VERSION;
  const BlasInfo blas = detect_blas();
  info.blas = blas.description;
  info.reference_blas = blas.reference;
  info.cuda_built = exec_detail::cuda_built();
  return info;
}

int cuda_device_count() { return exec_detail::cuda_count(); }

}  // namespace dnnroof
