// GraphBuilder: writes graphs the way torch modules do (names, scopes,
// parameters), checking shapes as it goes; the IR itself is graph.cc.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "graph/detail/shape_rules.h"
#include "graph/graph.h"

namespace dnnroof {
// --- Builder -------------------------------------------------------------------

GraphBuilder::GraphBuilder(std::string graph_name, DType dtype) {
  graph_.name = std::move(graph_name);
  graph_.dtype = dtype;
}

GraphBuilder::Scope::Scope(GraphBuilder& b, std::string_view name)
    : builder_(b), previous_size_(b.module_.size()) {
  if (!b.module_.empty()) b.module_ += '.';
  b.module_ += name;
}

GraphBuilder::Scope::~Scope() { builder_.module_.resize(previous_size_); }

GraphBuilder::CallScope::CallScope(GraphBuilder& b, std::string_view call)
    : builder_(b), previous_(b.torch_call_) {
  b.torch_call_ = std::string(call);
}

GraphBuilder::CallScope::~CallScope() { builder_.torch_call_ = previous_; }

std::string GraphBuilder::qualified(std::string_view local) const {
  if (module_.empty()) return std::string(local);
  if (local.empty()) return module_;
  return module_ + "." + std::string(local);
}

std::string GraphBuilder::unique_node_name(std::string_view base) {
  // Node names and value names share one namespace of "taken" strings so a
  // node's output (named after it) never collides either.
  std::string name(base);
  auto it = used_names_.find(name);
  if (it == used_names_.end()) {
    used_names_.emplace(name, 0);
    return name;
  }
  for (;;) {
    std::string candidate = fmt::format("{}_{}", base, ++it->second);
    if (used_names_.find(candidate) == used_names_.end()) {
      used_names_.emplace(candidate, 0);
      return candidate;
    }
  }
}

namespace {

ValueId add_value(Graph& g, Value v) {
  g.values.push_back(std::move(v));
  return static_cast<ValueId>(g.values.size() - 1);
}

// A leaf (input, parameter, buffer or constant) before its data.
Value leaf_value(std::string name, Shape shape, DType dtype, ValueRole role) {
  Value v;
  v.name = std::move(name);
  v.shape = std::move(shape);
  v.dtype = dtype;
  v.role = role;
  return v;
}

void check_shape(std::string_view name, const Shape& shape) {
  for (std::int64_t d : shape) {
    if (d < 1) fail("value '{}' would have a non-positive dimension: {}", name, shape_str(shape));
  }
}

std::string lower_op_name(OpKind op) { return to_lower(op_name(op)); }

}  // namespace

// NOLINTNEXTLINE(performance-unnecessary-value-param): the public signature takes a string
ValueId GraphBuilder::input(std::string name, Shape shape, std::optional<DType> dtype) {
  check_shape(name, shape);
  const ValueId id = add_value(graph_, leaf_value(unique_node_name(name), std::move(shape),
                                                  dtype.value_or(graph_.dtype), ValueRole::input));
  graph_.inputs.push_back(id);
  return id;
}

ValueId GraphBuilder::parameter(std::string_view local_name, Shape shape) {
  const std::string name = qualified(local_name);
  check_shape(name, shape);
  return add_value(graph_, leaf_value(unique_node_name(name), std::move(shape), graph_.dtype,
                                      ValueRole::parameter));
}

ValueId GraphBuilder::buffer(std::string_view local_name, Shape shape) {
  const std::string name = qualified(local_name);
  check_shape(name, shape);
  return add_value(graph_, leaf_value(unique_node_name(name), std::move(shape), graph_.dtype,
                                      ValueRole::buffer));
}

ValueId GraphBuilder::constant_ints(std::string_view local_name, std::vector<std::int64_t> data) {
  Value v = leaf_value(unique_node_name(qualified(local_name)),
                       {static_cast<std::int64_t>(data.size())}, DType::int64, ValueRole::constant);
  v.int_data = std::move(data);
  return add_value(graph_, std::move(v));
}

ValueId GraphBuilder::constant_floats(std::string_view local_name, Shape shape,
                                      std::vector<double> data) {
  std::string name = unique_node_name(qualified(local_name));
  check_shape(name, shape);
  if (static_cast<std::int64_t>(data.size()) != numel(shape)) {
    fail("constant '{}': {} values for shape {}", name, data.size(), shape_str(shape));
  }
  Value v = leaf_value(std::move(name), std::move(shape), graph_.dtype, ValueRole::constant);
  v.float_data = std::move(data);
  return add_value(graph_, std::move(v));
}

std::string GraphBuilder::reserve_node_name(std::string_view local) {
  return unique_node_name(qualified(local));
}

ValueId GraphBuilder::op(OpKind kind, std::vector<ValueId> inputs, Attributes attrs,
                         std::string_view local_name, int num_outputs) {
  std::string name =
      reserve_node_name(local_name.empty() ? lower_op_name(kind) : std::string(local_name));
  return add_node(kind, std::move(inputs), std::move(attrs), std::move(name), num_outputs);
}

ValueId GraphBuilder::add_node(OpKind kind, std::vector<ValueId> inputs, Attributes attrs,
                               std::string name, int num_outputs) {
  Node node;
  node.op = kind;
  node.name = std::move(name);
  node.module = module_;
  node.inputs = std::move(inputs);
  node.attrs = std::move(attrs);
  if (!torch_call_.empty() && !node.attrs.has("torch_call")) {
    node.attrs.set("torch_call", torch_call_);
  }
  std::vector<Shape> shapes =
      infer_node_shapes(graph_, node, static_cast<std::size_t>(std::max(num_outputs, 1)));
  if (num_outputs > 1 && shapes.size() != static_cast<std::size_t>(num_outputs)) {
    fail("node '{}' ({}): asked for {} outputs, the shape rule gives {}", node.name, op_name(kind),
         num_outputs, shapes.size());
  }
  const DType dt = infer_node_dtype(graph_, node);
  const auto node_index = static_cast<std::int32_t>(graph_.nodes.size());
  for (std::size_t o = 0; o < shapes.size(); ++o) {
    check_shape(node.name, shapes[o]);
    Value v;
    // The first output shares the node's (reserved, unique) name.
    v.name = o == 0 ? node.name : unique_node_name(fmt::format("{}:{}", node.name, o));
    v.shape = std::move(shapes[o]);
    v.dtype = dt;
    v.role = ValueRole::activation;
    v.producer = node_index;
    node.outputs.push_back(add_value(graph_, std::move(v)));
  }
  graph_.nodes.push_back(std::move(node));
  return graph_.nodes.back().outputs.front();
}

const std::vector<ValueId>& GraphBuilder::last_outputs() const {
  if (graph_.nodes.empty()) fail("last_outputs(): no node has been added yet");
  return graph_.nodes.back().outputs;
}

namespace {

// While alive, the builder's module path is the node's full name, so the
// parameters it creates are named "<node>.weight", "<node>.bias" like
// torchvision's state_dict keys.
class NodeModule {
 public:
  NodeModule(std::string& module, const std::string& node_name) : module_(module), saved_(module) {
    module_ = node_name;
  }
  ~NodeModule() { module_ = std::move(saved_); }
  NodeModule(const NodeModule&) = delete;
  NodeModule& operator=(const NodeModule&) = delete;

 private:
  std::string& module_;
  std::string saved_;
};

// One tensor a layer node owns: a parameter (a buffer with `buffer`) named
// "<node>.<name>"; left out when not `present` (a layer without bias).
struct Owned {
  std::string_view name;
  Shape shape;
  bool present = true;
  bool buffer = false;
};

// A layer node's inputs: `x`, then the tensors it owns, in order, created
// while the node is the module (NodeModule).
std::vector<ValueId> owned_inputs(GraphBuilder& b, std::string& module, const std::string& node,
                                  ValueId x, std::initializer_list<Owned> owned) {
  std::vector<ValueId> ins{x};
  NodeModule m(module, node);
  for (const Owned& o : owned) {
    if (!o.present) continue;
    ins.push_back(o.buffer ? b.buffer(o.name, o.shape) : b.parameter(o.name, o.shape));
  }
  return ins;
}

std::vector<std::int64_t> or_fill(std::vector<std::int64_t> v, std::size_t n, std::int64_t def) {
  if (v.empty()) v.assign(n, def);
  if (v.size() == 1 && n > 1) v.assign(n, v[0]);
  return v;
}

}  // namespace

// Conv attributes from the options: kernel, stride, pads (begins, ends),
// dilation, group.
namespace {

Attributes conv_attrs(const ConvOptions& o, std::size_t dims) {
  const auto padding = or_fill(o.padding, dims, 0);
  auto pads = padding;
  const auto pad_end = o.padding_end.empty() ? padding : or_fill(o.padding_end, dims, 0);
  pads.insert(pads.end(), pad_end.begin(), pad_end.end());
  Attributes a;
  a.set("kernel", or_fill(o.kernel, dims, 1));
  a.set("stride", or_fill(o.stride, dims, 1));
  a.set("pads", pads);
  a.set("dilation", or_fill(o.dilation, dims, 1));
  a.set("group", o.groups);
  return a;
}

}  // namespace

// Each layer reserves its node name first and creates its parameters under
// it: node "layer1.0.conv1", parameters "layer1.0.conv1.weight" and ".bias".
ValueId GraphBuilder::conv(ValueId x, const ConvOptions& o, std::string_view name) {
  const Shape xs = shape(x);  // a copy: adding parameters may reallocate values
  const std::string node = reserve_node_name(name);
  if (xs.size() < 3) {
    fail("node '{}' (Conv): input {} needs rank >= 3 [N, C, spatial...]", node, shape_str(xs));
  }
  const std::size_t dims = xs.size() - 2;
  if (o.kernel.empty()) fail("node '{}' (Conv): kernel not set", node);
  const auto kernel = or_fill(o.kernel, dims, 1);
  if (kernel.size() != dims) {
    fail("node '{}' (Conv): kernel has {} values for {} spatial dims", node, kernel.size(), dims);
  }
  if (o.groups < 1 || xs[1] % o.groups != 0) {
    fail("node '{}' (Conv): input has {} channels, not divisible by {} groups", node, xs[1],
         o.groups);
  }
  Shape wshape{o.out_channels, xs[1] / o.groups};
  wshape.insert(wshape.end(), kernel.begin(), kernel.end());
  std::vector<ValueId> ins = owned_inputs(*this, module_, node, x,
                                          {{"weight", wshape}, {"bias", {o.out_channels}, o.bias}});
  return add_node(OpKind::Conv, std::move(ins), conv_attrs(o, dims), node, 1);
}

ValueId GraphBuilder::conv_transpose(ValueId x, const ConvOptions& o,
                                     std::vector<std::int64_t> output_padding,
                                     std::string_view name) {
  const Shape xs = shape(x);
  const std::string node = reserve_node_name(name);
  if (xs.size() < 3) {
    fail("node '{}' (ConvTranspose): input {} needs rank >= 3", node, shape_str(xs));
  }
  const std::size_t dims = xs.size() - 2;
  if (o.kernel.empty()) fail("node '{}' (ConvTranspose): kernel not set", node);
  const auto kernel = or_fill(o.kernel, dims, 1);
  if (o.groups < 1 || o.out_channels % o.groups != 0) {
    fail("node '{}' (ConvTranspose): {} output channels not divisible by {} groups", node,
         o.out_channels, o.groups);
  }
  Attributes a = conv_attrs(o, dims);
  a.set("output_padding", or_fill(std::move(output_padding), dims, 0));
  // torch's ConvTranspose weight is [C_in, C_out/groups, kernel...].
  Shape wshape{xs[1], o.out_channels / o.groups};
  wshape.insert(wshape.end(), kernel.begin(), kernel.end());
  std::vector<ValueId> ins = owned_inputs(*this, module_, node, x,
                                          {{"weight", wshape}, {"bias", {o.out_channels}, o.bias}});
  return add_node(OpKind::ConvTranspose, std::move(ins), std::move(a), node, 1);
}

ValueId GraphBuilder::linear(ValueId x, std::int64_t out_features, bool bias,
                             std::string_view name) {
  const Shape xs = shape(x);
  const std::string node = reserve_node_name(name);
  if (xs.empty()) fail("node '{}' (Gemm): input is a scalar", node);
  std::vector<ValueId> ins =
      owned_inputs(*this, module_, node, x,
                   {{"weight", {out_features, xs.back()}}, {"bias", {out_features}, bias}});
  return add_node(OpKind::Gemm, std::move(ins), {}, node, 1);
}

// torch.nn.BatchNorm: weight, bias (parameters) and running_mean,
// running_var (buffers), all [C]. torch's num_batches_tracked (one int64
// scalar) is not represented at all: it is neither a parameter nor counted
// among the buffers' elements.
ValueId GraphBuilder::batch_norm(ValueId x, double eps, std::string_view name) {
  const Shape xs = shape(x);
  const std::string node = reserve_node_name(name);
  if (xs.size() < 2) {
    fail("node '{}' (BatchNorm): input {} needs a channel dim", node, shape_str(xs));
  }
  const std::int64_t c = xs[1];
  std::vector<ValueId> ins = owned_inputs(*this, module_, node, x,
                                          {{"weight", {c}},
                                           {"bias", {c}},
                                           {"running_mean", {c}, true, true},
                                           {"running_var", {c}, true, true}});
  Attributes a;
  a.set("epsilon", eps);
  a.set("momentum", 0.1);
  return add_node(OpKind::BatchNorm, std::move(ins), std::move(a), node, 1);
}

ValueId GraphBuilder::layer_norm(ValueId x, std::vector<std::int64_t> normalized_shape, double eps,
                                 std::string_view name) {
  const Shape xs = shape(x);
  const std::string node = reserve_node_name(name);
  if (normalized_shape.empty() || normalized_shape.size() > xs.size()) {
    fail("node '{}' (LayerNorm): normalized shape {} does not fit input {}", node,
         shape_str(normalized_shape), shape_str(xs));
  }
  std::vector<ValueId> ins = owned_inputs(
      *this, module_, node, x, {{"weight", normalized_shape}, {"bias", normalized_shape}});
  Attributes a;
  a.set("axis", -static_cast<std::int64_t>(normalized_shape.size()));
  a.set("normalized_shape", std::move(normalized_shape));
  a.set("epsilon", eps);
  return add_node(OpKind::LayerNorm, std::move(ins), std::move(a), node, 1);
}

ValueId GraphBuilder::group_norm(ValueId x, std::int64_t groups, double eps,
                                 std::string_view name) {
  const Shape xs = shape(x);
  const std::string node = reserve_node_name(name);
  if (xs.size() < 2) {
    fail("node '{}' (GroupNorm): input {} needs a channel dim", node, shape_str(xs));
  }
  const std::int64_t c = xs[1];
  std::vector<ValueId> ins =
      owned_inputs(*this, module_, node, x, {{"weight", {c}}, {"bias", {c}}});
  Attributes a;
  a.set("num_groups", groups);
  a.set("epsilon", eps);
  return add_node(OpKind::GroupNorm, std::move(ins), std::move(a), node, 1);
}

ValueId GraphBuilder::prelu(ValueId x, std::int64_t num_parameters, std::string_view name) {
  const std::string node = reserve_node_name(name);
  return add_node(OpKind::PRelu,
                  owned_inputs(*this, module_, node, x, {{"weight", {num_parameters}}}), {}, node,
                  1);
}

ValueId GraphBuilder::embedding(ValueId indices, std::int64_t num_embeddings, std::int64_t dim,
                                std::string_view name) {
  const std::string node = reserve_node_name(name);
  return add_node(OpKind::Embedding,
                  owned_inputs(*this, module_, node, indices, {{"weight", {num_embeddings, dim}}}),
                  {}, node, 1);
}

ValueId GraphBuilder::unary(OpKind kind, ValueId x, std::string_view name) {
  return op(kind, {x}, {}, name);
}

ValueId GraphBuilder::leaky_relu(ValueId x, double slope) {
  Attributes a;
  a.set("alpha", slope);
  return op(OpKind::LeakyRelu, {x}, std::move(a));
}

ValueId GraphBuilder::elu(ValueId x, double alpha) {
  Attributes a;
  a.set("alpha", alpha);
  return op(OpKind::Elu, {x}, std::move(a));
}

ValueId GraphBuilder::softmax(ValueId x, std::int64_t axis) {
  Attributes a;
  a.set("axis", axis);
  return op(OpKind::Softmax, {x}, std::move(a));
}

ValueId GraphBuilder::log_softmax(ValueId x, std::int64_t axis) {
  Attributes a;
  a.set("axis", axis);
  return op(OpKind::LogSoftmax, {x}, std::move(a));
}

namespace {

Attributes pool_attrs(const Shape& xs, const PoolOptions& o, std::string_view what) {
  if (xs.size() < 3) fail("{}: input {} needs rank >= 3 [N, C, spatial...]", what, shape_str(xs));
  const std::size_t dims = xs.size() - 2;
  const auto kernel = or_fill(o.kernel, dims, 1);
  const auto padding = or_fill(o.padding, dims, 0);
  auto pads = padding;
  pads.insert(pads.end(), padding.begin(), padding.end());
  Attributes a;
  a.set("kernel", kernel);
  a.set("stride", o.stride.empty() ? kernel : or_fill(o.stride, dims, 1));
  a.set("pads", pads);
  a.set("ceil_mode", std::int64_t{o.ceil_mode ? 1 : 0});
  return a;
}

}  // namespace

ValueId GraphBuilder::max_pool(ValueId x, const PoolOptions& o) {
  Attributes a = pool_attrs(shape(x), o, "MaxPool");
  a.set("dilation", std::vector<std::int64_t>(shape(x).size() - 2, 1));
  return op(OpKind::MaxPool, {x}, std::move(a));
}

ValueId GraphBuilder::avg_pool(ValueId x, const PoolOptions& o) {
  Attributes a = pool_attrs(shape(x), o, "AvgPool");
  a.set("count_include_pad", std::int64_t{o.count_include_pad ? 1 : 0});
  return op(OpKind::AvgPool, {x}, std::move(a));
}

ValueId GraphBuilder::adaptive_avg_pool(ValueId x, std::vector<std::int64_t> output_size) {
  Attributes a;
  a.set("output_size", std::move(output_size));
  return op(OpKind::AdaptiveAvgPool, {x}, std::move(a));
}

ValueId GraphBuilder::adaptive_max_pool(ValueId x, std::vector<std::int64_t> output_size) {
  Attributes a;
  a.set("output_size", std::move(output_size));
  return op(OpKind::AdaptiveMaxPool, {x}, std::move(a));
}

ValueId GraphBuilder::global_avg_pool(ValueId x) { return op(OpKind::GlobalAvgPool, {x}); }

ValueId GraphBuilder::lrn(ValueId x, std::int64_t size, double alpha, double beta, double k) {
  Attributes a;
  a.set("size", size);
  a.set("alpha", alpha);
  a.set("beta", beta);
  a.set("bias", k);
  return op(OpKind::Lrn, {x}, std::move(a));
}

ValueId GraphBuilder::add(ValueId a, ValueId b) { return op(OpKind::Add, {a, b}); }
ValueId GraphBuilder::sub(ValueId a, ValueId b) { return op(OpKind::Sub, {a, b}); }
ValueId GraphBuilder::mul(ValueId a, ValueId b) { return op(OpKind::Mul, {a, b}); }
ValueId GraphBuilder::div(ValueId a, ValueId b) { return op(OpKind::Div, {a, b}); }

ValueId GraphBuilder::concat(std::vector<ValueId> xs, std::int64_t axis) {
  Attributes a;
  a.set("axis", axis);
  return op(OpKind::Concat, std::move(xs), std::move(a));
}

std::vector<ValueId> GraphBuilder::split(ValueId x, std::vector<std::int64_t> sizes,
                                         std::int64_t axis) {
  const int n = static_cast<int>(sizes.size());
  Attributes a;
  a.set("axis", axis);
  a.set("split", std::move(sizes));
  op(OpKind::Split, {x}, std::move(a), "", n);
  return last_outputs();
}

ValueId GraphBuilder::slice(ValueId x, std::int64_t axis, std::int64_t start, std::int64_t end,
                            std::int64_t step) {
  Attributes a;
  a.set("axes", std::vector<std::int64_t>{axis});
  a.set("starts", std::vector<std::int64_t>{start});
  a.set("ends", std::vector<std::int64_t>{end});
  a.set("steps", std::vector<std::int64_t>{step});
  return op(OpKind::Slice, {x}, std::move(a));
}

ValueId GraphBuilder::reshape(ValueId x, Shape shape_) {
  Attributes a;
  a.set("shape", std::move(shape_));
  return op(OpKind::Reshape, {x}, std::move(a));
}

ValueId GraphBuilder::flatten(ValueId x, std::int64_t start_dim, std::int64_t end_dim) {
  Attributes a;
  a.set("start_dim", start_dim);
  a.set("end_dim", end_dim);
  return op(OpKind::Flatten, {x}, std::move(a));
}

ValueId GraphBuilder::transpose(ValueId x, std::vector<std::int64_t> perm) {
  Attributes a;
  a.set("perm", std::move(perm));
  return op(OpKind::Transpose, {x}, std::move(a));
}

ValueId GraphBuilder::pad(ValueId x, std::vector<std::int64_t> pads, double value) {
  Attributes a;
  a.set("pads", std::move(pads));
  a.set("mode", std::string("constant"));
  a.set("value", value);
  return op(OpKind::Pad, {x}, std::move(a));
}

ValueId GraphBuilder::dropout(ValueId x, double p) {
  Attributes a;
  a.set("ratio", p);
  return op(OpKind::Dropout, {x}, std::move(a));
}

ValueId GraphBuilder::reduce_mean(ValueId x, std::vector<std::int64_t> axes, bool keepdims) {
  Attributes a;
  a.set("axes", std::move(axes));
  a.set("keepdims", std::int64_t{keepdims ? 1 : 0});
  return op(OpKind::ReduceMean, {x}, std::move(a));
}

ValueId GraphBuilder::reduce_sum(ValueId x, std::vector<std::int64_t> axes, bool keepdims) {
  Attributes a;
  a.set("axes", std::move(axes));
  a.set("keepdims", std::int64_t{keepdims ? 1 : 0});
  return op(OpKind::ReduceSum, {x}, std::move(a));
}

ValueId GraphBuilder::matmul(ValueId a, ValueId b) { return op(OpKind::MatMul, {a, b}); }

ValueId GraphBuilder::attention(ValueId q, ValueId k, ValueId v, bool causal) {
  Attributes a;
  a.set("causal", std::int64_t{causal ? 1 : 0});
  return op(OpKind::Attention, {q, k, v}, std::move(a));
}

ValueId GraphBuilder::channel_shuffle(ValueId x, std::int64_t groups) {
  Attributes a;
  a.set("groups", groups);
  return op(OpKind::ChannelShuffle, {x}, std::move(a));
}

void GraphBuilder::output(ValueId v) {
  if (v < 0 || static_cast<std::size_t>(v) >= graph_.values.size()) {
    fail("output({}): not a value", v);
  }
  graph_.outputs.push_back(v);
}

Graph GraphBuilder::finish() {
  if (graph_.outputs.empty()) fail("graph '{}': no output was marked", graph_.name);
  validate(graph_);
  Graph g = std::move(graph_);
  graph_ = Graph{};
  graph_.name = g.name;
  graph_.dtype = g.dtype;
  module_.clear();
  used_names_.clear();
  return g;
}

}  // namespace dnnroof
