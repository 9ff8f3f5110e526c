#pragma once
// The importer's state, shared by the driver (importer.cc), the folding of
// constant subgraphs (fold.cc) and the per-op converters (convert_ops.cc).
// Internal to src/onnx: it includes the onnx protobuf classes.

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "graph/graph.h"
#include "onnx/onnx_import.h"

namespace dnnroof::onnx_import {

// Largest constant whose data is kept for folding; larger constants (weights)
// keep only their shape.
inline constexpr std::int64_t kMaxFoldElements = 1 << 16;
// Largest result of arithmetic folded on constants (swin_t's first attention
// mask is 64 x 49 x 49 = 153,664 elements).
inline constexpr std::int64_t kMaxComputedElements = 1 << 20;

// Payloads up to this size survive the analysis-only strip, and external
// data this small is read even for analysis: shape tensors, axes, indices
// and scalars are all far smaller.
inline constexpr std::size_t kKeepPayloadBytes = 4096;

// What one ONNX value name stands for while importing.
struct Entry {
  // An IR value already exists (activations, graph inputs, constants that
  // were materialised). kNoValue for a constant not used by an IR node yet.
  ValueId id = kNoValue;
  bool is_constant = false;  // computable at import time (initializer, Constant, folded)
  bool has_data = false;     // constant with its elements known (ints or floats)
  Shape shape;
  DType dtype = DType::fp32;
  std::vector<std::int64_t> ints;  // integer and bool data
  std::vector<double> floats;      // floating-point data
  std::string no_data;             // why a constant's elements are unknown, when not its size
  // The materialised IR leaves of a constant, by shape (a weight reshaped
  // for one use keeps one IR value per element layout).
  std::map<Shape, ValueId> leaves;
  // A constant that is another one under a new name (Identity: torch's
  // exporter gives each user of a shared initializer its own Identity): the
  // name of the constant whose IR leaves it shares, so the tensor is one IR
  // value, counted once and loaded by its initializer's name. Empty: itself.
  std::string alias_of;
  // Read from the file as a tensor (an initializer, a Constant node's value),
  // or a re-layout of one: a float one of more than one element is a weight
  // and folds only through ops that keep its elements.
  bool stored = false;
  // A float tensor whose elements the importer computed from constants that
  // are not weights (torch's swin_t attention mask: ScatterND writes into a
  // ConstantOfShape, then Sub, Equal, Where): a constant, never a parameter.
  bool computed = false;
};

class Importer;

// The node being converted, with typed access to its attributes and inputs.
class NodeView {
 public:
  NodeView(Importer& imp, const onnx::NodeProto& node, int opset, std::string name)
      : imp_(imp), node_(node), opset_(opset), name_(std::move(name)) {}

  const onnx::NodeProto& proto() const { return node_; }
  int opset() const { return opset_; }
  const std::string& name() const { return name_; }  // unique, never empty
  Importer& importer() const { return imp_; }

  // Attributes; the default when absent.
  bool has_attr(std::string_view key) const { return find(key) != nullptr; }
  std::int64_t attr_int(std::string_view key, std::int64_t def) const;
  double attr_float(std::string_view key, double def) const;
  std::string attr_string(std::string_view key, std::string def) const;
  std::vector<std::int64_t> attr_ints(std::string_view key, std::vector<std::int64_t> def) const;
  std::vector<double> attr_floats(std::string_view key) const;
  const onnx::AttributeProto* find(std::string_view key) const;

  // Inputs: an empty name is an absent optional input.
  int num_inputs() const { return node_.input_size(); }
  bool has_input(int i) const { return i < node_.input_size() && !node_.input(i).empty(); }
  const Entry& input(int i) const;
  const Shape& input_shape(int i) const { return input(i).shape; }
  // The integer data of a constant input; Error when it is computed at run time.
  std::vector<std::int64_t> const_ints(int i) const;
  double const_float(int i) const;  // a constant scalar input

  // The IR value of input i as data (an activation, or a constant made a
  // parameter when it is a float tensor of more than one element, else a
  // constant).
  ValueId data(int i) const;
  // The IR value of input i as a weight leaf of `role`, with `shape` when
  // given (same element count; a Reshape node otherwise would be a copy).
  ValueId weight(int i, ValueRole role, std::optional<Shape> shape = std::nullopt) const;

  int num_outputs() const { return node_.output_size(); }
  bool output_used(int i) const;

  // Adds an IR node; returns its output values. `out` is the ONNX output
  // index each IR output is bound to (-1: an intermediate value).
  std::vector<ValueId> emit(OpKind op, std::vector<ValueId> inputs, Attributes attrs,
                            std::vector<int> out = {0}, std::string_view suffix = "") const;
  // Binds ONNX output i to an existing IR value (Identity, aliases).
  void bind(int i, ValueId id) const;
  // Binds ONNX output i to a constant.
  void bind_constant(int i, Entry e) const;

  // Throws Error (the driver adds file, node, op type and opset).
  template <typename... Args>
  [[noreturn]] void reject(fmt::format_string<Args...> f, Args&&... args) const {
    fail(f, std::forward<Args>(args)...);
  }

 private:
  // The IR leaf of constant input i with `shape`: a new leaf, or a Reshape
  // view of the leaf the constant already has in another layout.
  ValueId constant_leaf(int i, ValueRole role, const Shape& shape) const;

  Importer& imp_;
  const onnx::NodeProto& node_;
  int opset_;
  std::string name_;
};

using ConvertFn = void (*)(const NodeView&);
using FoldFn = bool (*)(const NodeView&);  // false: the inputs are not all constant

// The converter for an op type of the default domain; nullptr when unsupported.
ConvertFn find_converter(std::string_view op_type);
// The folder for an op type (folding-only ops and data ops on constants).
FoldFn find_folder(std::string_view op_type);
// True for ops that exist only to compute constants (Shape, ConstantOfShape,
// Range, ...): they must fold.
bool is_fold_only(std::string_view op_type);

// Where a model's external data lives and how strictly it is read.
struct ExternalData {
  std::optional<std::string> dir;  // the model's folder; absent for a model read from memory
  bool verify = false;             // load_weights: every external tensor's file is checked
};

// Reads a TensorProto into an Entry (shape, dtype, data when small and
// present). External data: checked when `external->verify` (the file exists
// and holds offset + numel * element size bytes), and read when at most
// kKeepPayloadBytes; otherwise only the dims count (src/onnx/tensor_entry.cc).
Entry tensor_entry(const onnx::TensorProto& t, std::string_view what,
                   const std::map<std::string, std::uint64_t, std::less<>>* raw_lengths,
                   const ExternalData* external = nullptr);
// ONNX TensorProto element type -> DType; Error for unsupported types.
DType dtype_of(std::int32_t elem_type, std::string_view what);
// Element count with an overflow check; Error naming `what`.
std::int64_t checked_numel(const Shape& shape, std::string_view what);

// Output shapes of Unsqueeze / Squeeze (ONNX semantics; Squeeze with no
// axes drops every dim of size 1); Error for a bad axis.
Shape unsqueezed(const NodeView& v, const Shape& in, const std::vector<std::int64_t>& axes);
Shape squeezed(const NodeView& v, const Shape& in, const std::vector<std::int64_t>& axes);
// The axes of a reduction/squeeze: an attribute before `since_opset_as_input`,
// the constant input 1 from then on.
std::vector<std::int64_t> axes_of(const NodeView& v, int since_opset_as_input);

// Slice's starts, ends, axes and steps: attributes before opset 10, constant
// inputs 1..4 from opset 10 on (steps only then). Empty axes/steps: absent.
struct SliceArgs {
  std::vector<std::int64_t> starts, ends, axes, steps;
};
SliceArgs slice_args(const NodeView& v);

class Importer {
 public:
  Importer(const onnx::ModelProto& model, std::string source, const OnnxImportOptions& options,
           const std::map<std::string, std::uint64_t, std::less<>>* raw_lengths,
           std::optional<std::string> model_dir);
  Graph run();

  // Used by NodeView.
  const Entry& entry(const std::string& onnx_name, std::string_view node) const;
  Entry& mutable_entry(const std::string& onnx_name);
  void define(const std::string& onnx_name, Entry e);
  ValueId leaf(const std::string& onnx_name, ValueRole role, const Shape& shape);
  std::vector<ValueId> add_ir_node(OpKind op, const std::string& name, std::vector<ValueId> inputs,
                                   Attributes attrs, const std::vector<std::string>& out_names);
  std::string unique_value_name(std::string_view base);
  bool used(const std::string& onnx_name) const { return used_.count(onnx_name) != 0; }
  const OnnxImportOptions& options() const { return options_; }
  std::optional<std::int64_t> file_batch() const { return file_batch_; }
  Graph& graph() { return graph_; }
  const ExternalData& external_data() const { return external_; }

 private:
  void read_opsets();
  void read_initializers();
  void read_inputs();
  std::vector<int> topological_order();
  void find_gelu_patterns();
  void convert_gelu_pattern(int index);
  void check_supported(const std::vector<int>& order);
  void convert(int index);
  void read_outputs();

  const onnx::ModelProto& model_;
  const onnx::GraphProto& g_;
  std::string source_;
  OnnxImportOptions options_;
  const std::map<std::string, std::uint64_t, std::less<>>* raw_lengths_;
  ExternalData external_;
  int opset_ = 0;
  std::optional<std::int64_t> file_batch_;  // dim 0 of the first input in the file
  std::map<std::string, Entry, std::less<>> entries_;
  std::set<std::string, std::less<>> used_;  // ONNX names some node or output reads
  std::set<std::string, std::less<>> value_names_;
  std::set<std::string, std::less<>> node_names_;
  std::vector<std::string> display_names_;  // per ONNX node
  // GELU exported as x * 0.5 * (1 + erf(x / sqrt 2)): the nodes folded into
  // one IR Gelu, and per final Mul the Div that starts the pattern.
  std::set<int> gelu_inner_;
  std::map<int, int> gelu_final_;
  Graph graph_;
};

}  // namespace dnnroof::onnx_import
