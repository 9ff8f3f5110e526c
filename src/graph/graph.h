#pragma once
// The graph IR: the spine of dnnroof. Every model, built in (src/zoo) or
// imported (src/onnx), becomes a Graph of typed nodes with static shapes; the
// cost model, the executor and the report all read this one structure.
//
// A Graph holds Values (tensors: shape, dtype, role) and Nodes (an op kind,
// attributes, input and output values, a module path such as
// "layer1.0.conv1") in topological order.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/dtype.h"
#include "graph/ops.h"

namespace dnnroof {

using Shape = std::vector<std::int64_t>;
using ValueId = std::int32_t;
inline constexpr ValueId kNoValue = -1;

// Product of the dimensions (1 for a scalar).
std::int64_t numel(const Shape& shape);
// "[1, 3, 224, 224]"
std::string shape_str(const Shape& shape);

enum class ValueRole : std::uint8_t {
  input,       // fed by the user (model input, labels)
  parameter,   // trainable: weights, biases, norm scale/shift
  buffer,      // not trainable but part of the model: BatchNorm running stats
  activation,  // produced by a node
  constant,    // folded constants: shapes, indices, fixed tensors
};
std::string_view value_role_name(ValueRole r);

struct Value {
  std::string name;
  Shape shape;
  DType dtype = DType::fp32;
  ValueRole role = ValueRole::activation;
  std::int32_t producer = -1;  // index of the producing node, -1 if none
  // Constant data when the value is a small folded constant (shapes, axes,
  // indices); empty otherwise. Weights never live here.
  std::vector<std::int64_t> int_data;
  std::vector<double> float_data;
};

// An attribute: int, float, string, or lists of ints or floats.
using AttrValue =
    std::variant<std::int64_t, double, std::string, std::vector<std::int64_t>, std::vector<double>>;

class Attributes {
 public:
  void set(std::string key, AttrValue value) { map_[std::move(key)] = std::move(value); }
  bool has(std::string_view key) const { return map_.find(key) != map_.end(); }
  // Typed getters: the default when absent; Error when present with another type.
  std::int64_t get_int(std::string_view key, std::int64_t def) const;
  double get_float(std::string_view key, double def) const;
  std::string get_string(std::string_view key, std::string def) const;
  std::vector<std::int64_t> get_ints(std::string_view key, std::vector<std::int64_t> def) const;
  std::vector<double> get_floats(std::string_view key, std::vector<double> def) const;
  const std::map<std::string, AttrValue, std::less<>>& items() const { return map_; }

 private:
  std::map<std::string, AttrValue, std::less<>> map_;
};

struct Node {
  OpKind op = OpKind::Identity;
  std::string name;             // unique within the graph ("layer1.0.conv1")
  std::string module;           // module path for grouping ("layer1.0"); "" at top level
  std::vector<ValueId> inputs;  // activations first, then parameters, as the op table says
  std::vector<ValueId> outputs;
  Attributes attrs;
};

struct Graph {
  std::string name;
  DType dtype = DType::fp32;  // the compute dtype the graph was built for
  std::vector<Value> values;
  std::vector<Node> nodes;  // topological order
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;

  const Value& value(ValueId id) const { return values.at(static_cast<std::size_t>(id)); }
  Value& value(ValueId id) { return values.at(static_cast<std::size_t>(id)); }
};

// Checks the graph is well formed: every input of a node is a graph input, a
// parameter/buffer/constant or produced by an earlier node; names are unique;
// every shape is positive; every node's output shapes agree with its op's
// shape rule. Throws Error naming the node (and op) on the first problem.
void validate(const Graph& graph);

// Re-runs shape inference over the whole graph (after an input shape
// changed, e.g. a new batch size). Throws Error naming the node.
void infer_shapes(Graph& graph);

// ---------------------------------------------------------------------------
// Builder: a torch.nn-like API that creates parameters, names them after the
// current module path, runs each op's shape rule at once (so a wrong shape is
// an error at the line that built it) and computes nothing.

// Vector members have `{}` initialisers so designated initialisers that leave
// them out compile warning-free under -Wextra (-Wmissing-field-initializers).
struct ConvOptions {
  std::int64_t out_channels = 0;
  std::vector<std::int64_t> kernel{};       // one per spatial dim
  std::vector<std::int64_t> stride{};       // default 1s
  std::vector<std::int64_t> padding{};      // symmetric, one per dim; default 0s
  std::vector<std::int64_t> padding_end{};  // asymmetric end padding; empty = same as padding
  std::vector<std::int64_t> dilation{};     // default 1s
  std::int64_t groups = 1;
  bool bias = true;
};

struct PoolOptions {
  std::vector<std::int64_t> kernel{};
  std::vector<std::int64_t> stride{};   // default = kernel
  std::vector<std::int64_t> padding{};  // default 0s
  bool ceil_mode = false;
  bool count_include_pad = true;  // AvgPool only (torch default true)
};

class GraphBuilder {
 public:
  GraphBuilder(std::string graph_name, DType dtype);

  // RAII module scope: names created inside get the prefix "a.b.".
  class Scope {
   public:
    Scope(GraphBuilder& b, std::string_view name);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    GraphBuilder& builder_;
    std::size_t previous_size_;
  };
  Scope scope(std::string_view name) { return Scope(*this, name); }
  Scope scope(std::int64_t index) { return Scope(*this, std::to_string(index)); }
  const std::string& module_path() const { return module_; }

  // RAII: nodes added while it lives get the string attribute
  // "torch_call" = `call`, saying how PyTorch computes them when that is not
  // the usual nn module of their op: "F.linear" (a Linear's weights applied
  // functionally), "F.softmax", "Tensor.matmul", "F.adaptive_avg_pool2d",
  // "nn.MultiheadAttention" (its projections and attention), or a module
  // class that subclasses the usual one ("LayerNorm2d"). The Python counters
  // that hook modules or patch functions see those nodes differently
  // (src/cost/convention.cc); no other rule reads it.
  class CallScope {
   public:
    CallScope(GraphBuilder& b, std::string_view call);
    ~CallScope();
    CallScope(const CallScope&) = delete;
    CallScope& operator=(const CallScope&) = delete;

   private:
    GraphBuilder& builder_;
    std::string previous_;
  };
  CallScope torch_call(std::string_view call) { return CallScope(*this, call); }

  // Leaves.
  ValueId input(std::string name, Shape shape, std::optional<DType> dtype = std::nullopt);
  ValueId parameter(std::string_view local_name, Shape shape);  // named "<module>.<local>"
  ValueId buffer(std::string_view local_name, Shape shape);
  ValueId constant_ints(std::string_view local_name, std::vector<std::int64_t> data);
  // A folded floating-point constant (a scalar factor, an attention mask) of
  // `shape` at the graph's dtype; data holds numel(shape) values, row-major.
  ValueId constant_floats(std::string_view local_name, Shape shape, std::vector<double> data);

  // The generic form every helper below uses: adds a node of `op` named
  // "<module>.<local_name>" (made unique), infers its output shapes and
  // returns the first output.
  ValueId op(OpKind op, std::vector<ValueId> inputs, Attributes attrs = {},
             std::string_view local_name = "", int num_outputs = 1);
  // All outputs of the last node added (for Split).
  const std::vector<ValueId>& last_outputs() const;

  // Layers (torch.nn equivalents; they create their parameters).
  ValueId conv(ValueId x, const ConvOptions& o, std::string_view name = "conv");
  ValueId conv_transpose(ValueId x, const ConvOptions& o,
                         std::vector<std::int64_t> output_padding = {},
                         std::string_view name = "conv_transpose");
  ValueId linear(ValueId x, std::int64_t out_features, bool bias = true,
                 std::string_view name = "linear");
  ValueId batch_norm(ValueId x, double eps = 1e-5, std::string_view name = "bn");
  ValueId layer_norm(ValueId x, std::vector<std::int64_t> normalized_shape, double eps = 1e-5,
                     std::string_view name = "ln");
  ValueId group_norm(ValueId x, std::int64_t groups, double eps = 1e-5,
                     std::string_view name = "gn");
  ValueId prelu(ValueId x, std::int64_t num_parameters = 1, std::string_view name = "prelu");
  ValueId embedding(ValueId indices, std::int64_t num_embeddings, std::int64_t dim,
                    std::string_view name = "embedding");

  // Functional ops (no parameters).
  ValueId unary(OpKind op, ValueId x, std::string_view name = "");  // ReLU, Sigmoid, GELU, ...
  ValueId relu(ValueId x) { return unary(OpKind::Relu, x); }
  ValueId leaky_relu(ValueId x, double slope = 0.01);
  ValueId elu(ValueId x, double alpha = 1.0);
  ValueId softmax(ValueId x, std::int64_t axis = -1);
  ValueId log_softmax(ValueId x, std::int64_t axis = -1);
  ValueId max_pool(ValueId x, const PoolOptions& o);
  ValueId avg_pool(ValueId x, const PoolOptions& o);
  ValueId adaptive_avg_pool(ValueId x, std::vector<std::int64_t> output_size);
  ValueId adaptive_max_pool(ValueId x, std::vector<std::int64_t> output_size);
  ValueId global_avg_pool(ValueId x);  // keeps dims: [N, C, 1, 1]
  ValueId lrn(ValueId x, std::int64_t size, double alpha = 1e-4, double beta = 0.75,
              double k = 1.0);
  ValueId add(ValueId a, ValueId b);
  ValueId sub(ValueId a, ValueId b);
  ValueId mul(ValueId a, ValueId b);
  ValueId div(ValueId a, ValueId b);
  ValueId concat(std::vector<ValueId> xs, std::int64_t axis);
  std::vector<ValueId> split(ValueId x, std::vector<std::int64_t> sizes, std::int64_t axis);
  ValueId slice(ValueId x, std::int64_t axis, std::int64_t start, std::int64_t end,
                std::int64_t step = 1);
  ValueId reshape(ValueId x, Shape shape);  // one -1 allowed
  ValueId flatten(ValueId x, std::int64_t start_dim = 1, std::int64_t end_dim = -1);
  ValueId transpose(ValueId x, std::vector<std::int64_t> perm);
  ValueId pad(ValueId x, std::vector<std::int64_t> pads,
              double value = 0.0);  // ONNX order: begins then ends
  ValueId dropout(ValueId x, double p);
  ValueId reduce_mean(ValueId x, std::vector<std::int64_t> axes, bool keepdims);
  ValueId reduce_sum(ValueId x, std::vector<std::int64_t> axes, bool keepdims);
  ValueId matmul(ValueId a, ValueId b);
  // Scaled-dot-product attention on [N, heads, L, d] q, k, v.
  ValueId attention(ValueId q, ValueId k, ValueId v, bool causal = false);
  ValueId channel_shuffle(ValueId x, std::int64_t groups);

  // References into the graph under construction: valid only until the next
  // value is added (any builder call may reallocate). Copy what you keep.
  const Value& value(ValueId id) const { return graph_.value(id); }
  const Shape& shape(ValueId id) const { return graph_.value(id).shape; }

  void output(ValueId v);
  // Validates and returns the graph; the builder is empty afterwards.
  Graph finish();

 private:
  std::string qualified(std::string_view local) const;
  std::string unique_node_name(std::string_view base);
  // "<module>.<local>" made unique and reserved: the name of the next node.
  std::string reserve_node_name(std::string_view local);
  // Adds a node under an already reserved `name` (see op()).
  ValueId add_node(OpKind op, std::vector<ValueId> inputs, Attributes attrs, std::string name,
                   int num_outputs);

  Graph graph_;
  std::string module_;
  std::string torch_call_;  // see CallScope
  std::map<std::string, int, std::less<>> used_names_;
};

}  // namespace dnnroof
