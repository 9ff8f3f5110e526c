#pragma once
// Helpers for the ONNX tests: build small models with the onnx.proto classes
// (so each test states its model in a few lines), read files, and compute
// expected values without the importer.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "cost/cost.h"
#include "graph/graph.h"
#include "onnx/onnx_import.h"
#include "support/files.h"
// The zoo where the build has it (then DNNROOF_TEST_HAVE_ZOO is defined), for
// the tests that compare an import with the zoo's model.
#if __has_include("zoo/zoo.h")
#include "zoo/zoo.h"
#define DNNROOF_TEST_HAVE_ZOO 1
#endif

namespace dnnroof::onnx_testing {

using test::error_of;
using test::read_file;

class ModelMaker {
 public:
  explicit ModelMaker(int opset) {
    model_.set_ir_version(7);
    auto* o = model_.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }

  // A float (or `elem`) graph input; a dim < 0 is left unknown, a name in
  // `params` (same index) makes that dim symbolic.
  void input(const std::string& name, const std::vector<std::int64_t>& dims,
             const std::vector<std::string>& params = {}, int elem = onnx::TensorProto::FLOAT) {
    auto* in = model_.mutable_graph()->add_input();
    in->set_name(name);
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    auto* shape = tt->mutable_shape();
    for (std::size_t i = 0; i < dims.size(); ++i) {
      auto* d = shape->add_dim();
      if (i < params.size() && !params[i].empty()) {
        d->set_dim_param(params[i]);
      } else if (dims[i] >= 0) {
        d->set_dim_value(dims[i]);
      }
    }
  }

  void output(const std::string& name) { model_.mutable_graph()->add_output()->set_name(name); }

  // A float initializer with `dims` and no data stored as raw bytes of the
  // right length (zeros).
  onnx::TensorProto& weight(const std::string& name, const std::vector<std::int64_t>& dims) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    std::int64_t n = 1;
    for (auto d : dims) {
      t->add_dims(d);
      n *= d;
    }
    t->set_raw_data(std::string(static_cast<std::size_t>(n) * 4, '\0'));
    return *t;
  }

  void ints(const std::string& name, const std::vector<std::int64_t>& data, bool scalar = false) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    if (!scalar) t->add_dims(static_cast<std::int64_t>(data.size()));
    for (auto v : data) t->add_int64_data(v);
  }

  void floats(const std::string& name, const std::vector<float>& data, bool scalar = false) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    if (!scalar) t->add_dims(static_cast<std::int64_t>(data.size()));
    for (auto v : data) t->add_float_data(v);
  }

  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "") {
    auto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? outputs.at(0) + "_node" : name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return *n;
  }

  static void attr(onnx::NodeProto& n, const std::string& key, std::int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(onnx::NodeProto& n, const std::string& key, float v) {
    auto* a = n.add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr(onnx::NodeProto& n, const std::string& key, const std::string& v) {
    auto* a = n.add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }
  static void attr(onnx::NodeProto& n, const std::string& key, const std::vector<std::int64_t>& v) {
    auto* a = n.add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
  }

  onnx::ModelProto& proto() { return model_; }
  std::string bytes() const { return model_.SerializeAsString(); }
  Graph import(const OnnxImportOptions& o = {}) const {
    return import_onnx_bytes(bytes(), "test.onnx", o);
  }

 private:
  onnx::ModelProto model_;
};

// The IR value named `name`; throws when absent.
inline const Value& value_named(const Graph& g, const std::string& name) {
  for (const Value& v : g.values) {
    if (v.name == name) return v;
  }
  throw Error("no value named " + name);
}

inline int count_ops(const Graph& g, OpKind op) {
  int n = 0;
  for (const Node& node : g.nodes) n += node.op == op ? 1 : 0;
  return n;
}

// The MACs of the matrix products that read a weight, node by node: Conv,
// Gemm, and MatMul with parameters (a Linear over a 3-D or 4-D tensor, as
// vit_b_16's MLP or convnext's channels-last MLP, exports as a MatMul that
// reads a weight; attention's MatMuls read none).
inline std::vector<double> matrix_macs(const ModelCost& c) {
  std::vector<double> v;
  for (const NodeCost& n : c.nodes) {
    const bool linear = n.op == OpKind::Gemm || (n.op == OpKind::MatMul && n.params > 0);
    if (n.op == OpKind::Conv || linear) v.push_back(n.forward.macs);
  }
  return v;
}

// An imported graph and the zoo's model it exports: the same forward MACs,
// node by node for the weight-reading matrix products, the same output shape
// and every op of the import covered. Returns both costs (import, zoo).
inline std::pair<ModelCost, ModelCost> expect_same_work(const Graph& onnx, const Graph& zoo) {
  ModelCost a = estimate_cost(onnx);
  ModelCost b = estimate_cost(zoo);
  EXPECT_TRUE(a.uncovered.empty());
  EXPECT_EQ(a.forward.macs, b.forward.macs);
  EXPECT_EQ(matrix_macs(a), matrix_macs(b));
  EXPECT_EQ(onnx.value(onnx.outputs.at(0)).shape, zoo.value(zoo.outputs.at(0)).shape);
  return {std::move(a), std::move(b)};
}

}  // namespace dnnroof::onnx_testing
