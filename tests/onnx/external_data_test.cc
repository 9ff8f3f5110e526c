// Tensors stored as external data (data_location EXTERNAL; location, offset
// and length relative to the model's folder), written by hand with the
// onnx.proto classes into a temporary folder. Analysis reads only small
// external tensors (shape constants) and counts weights from their dims;
// load_weights checks every external tensor's file and length.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "cost/cost.h"
#include "onnx_testing.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;
using onnx_testing::error_of;
using onnx_testing::ModelMaker;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The layout of weights.bin: the Reshape target (2 int64: 16 bytes) at
// offset 0, then 112 bytes of padding, then w [64, 32] fp32 (8192 bytes) at
// offset 128; 8320 bytes in all.
constexpr std::int64_t kWOffset = 128;
constexpr std::int64_t kWBytes = 64 * 32 * 4;

struct Folder {
  fs::path dir;
  Folder() {
    std::string tmpl = (fs::temp_directory_path() / "dnnroof_extdata_XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

void external(onnx::TensorProto* t, const std::string& location, std::int64_t offset,
              std::int64_t length) {
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const std::string& k, const std::string& v) {
    auto* kv = t->add_external_data();
    kv->set_key(k);
    kv->set_value(v);
  };
  add("location", location);
  add("offset", std::to_string(offset));
  if (length >= 0) add("length", std::to_string(length));
}

// x [1, 64] @ w [64, 32] -> [1, 32], reshaped to the external target [4, 8].
ModelMaker model(const std::string& location = "weights.bin", std::int64_t w_length = kWBytes) {
  ModelMaker m(13);
  m.input("x", {1, 64});
  auto* w = m.proto().mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(64);
  w->add_dims(32);
  external(w, location, kWOffset, w_length);
  auto* s = m.proto().mutable_graph()->add_initializer();
  s->set_name("shape");
  s->set_data_type(onnx::TensorProto::INT64);
  s->add_dims(2);
  external(s, location, 0, 16);
  m.node("MatMul", {"x", "w"}, {"h"});
  m.node("Reshape", {"h", "shape"}, {"y"});
  m.output("y");
  return m;
}

void write(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string data_file(std::int64_t w_bytes = kWBytes) {
  std::string bytes(static_cast<std::size_t>(kWOffset + w_bytes), '\0');
  const std::int64_t target[2] = {4, 8};
  std::memcpy(bytes.data(), target, sizeof target);  // little-endian, as ONNX
  return bytes;
}

std::string save(const Folder& f, const ModelMaker& m) {
  const fs::path p = f.dir / "model.onnx";
  write(p, m.bytes());
  return p.string();
}

OnnxImportOptions full() {
  OnnxImportOptions o;
  o.load_weights = true;
  return o;
}

TEST(OnnxExternalData, SmallTensorsAreReadAndWeightsCountedBothWays) {
  Folder f;
  const std::string path = save(f, model());
  write(f.dir / "weights.bin", data_file());
  for (bool load : {false, true}) {
    SCOPED_TRACE(load);
    OnnxImportOptions o;
    o.load_weights = load;
    const Graph g = import_onnx_file(path, o);
    // The target [4, 8] came from the data file.
    EXPECT_EQ(g.value(g.outputs.at(0)).shape, (Shape{4, 8}));
    EXPECT_EQ(estimate_cost(g).params, 64 * 32);
  }
}

TEST(OnnxExternalData, AShortDataFileIsAnErrorWhenLoadingWeights) {
  Folder f;
  const std::string path = save(f, model());
  write(f.dir / "weights.bin", data_file(kWBytes - 192));  // 8128 bytes of w's 8192
  // Analysis reads only the 16-byte target: it imports.
  EXPECT_EQ(import_onnx_file(path).value(0).shape, (Shape{1, 64}));
  const std::string err = error_of([&] { import_onnx_file(path, full()); });
  EXPECT_TRUE(contains(err, path + ": initializer 'w': external data file '")) << err;
  EXPECT_TRUE(contains(err,
                       "weights.bin' has 8128 bytes; the tensor needs 8192 bytes from "
                       "offset 128 (2048 elements of fp32)"))
      << err;
}

TEST(OnnxExternalData, AMissingDataFileNamesTheFileInBothModes) {
  Folder f;
  const std::string path = save(f, model());
  const std::string full_err = error_of([&] { import_onnx_file(path, full()); });
  EXPECT_TRUE(contains(full_err, path + ": initializer '")) << full_err;
  EXPECT_TRUE(contains(full_err, "weights.bin' does not exist")) << full_err;
  // Analysis needs the Reshape target, so it says why it is unknown.
  const std::string err = error_of([&] { import_onnx_file(path); });
  EXPECT_TRUE(contains(err,
                       "(Reshape, opset 13): input 1 ('shape') is a constant whose data is "
                       "unknown: external data file '"))
      << err;
}

TEST(OnnxExternalData, LengthLocationAndOffsetAreChecked) {
  Folder f;
  write(f.dir / "weights.bin", data_file());
  const std::string bad_len = save(f, model("weights.bin", 100));
  std::string err = error_of([&] { import_onnx_file(bad_len, full()); });
  EXPECT_TRUE(contains(err, "has length 100, but 2048 elements of fp32 need 8192 bytes")) << err;

  const std::string outside = save(f, model("../weights.bin"));
  err = error_of([&] { import_onnx_file(outside, full()); });
  EXPECT_TRUE(contains(err,
                       "external data location '../weights.bin' must be a relative path "
                       "inside the model's folder"))
      << err;

  ModelMaker m = model();
  m.proto().mutable_graph()->mutable_initializer(0)->mutable_external_data(1)->set_value("12x");
  const std::string bad_offset = save(f, m);
  err = error_of([&] { import_onnx_file(bad_offset, full()); });
  EXPECT_TRUE(contains(err,
                       "initializer 'w': external data 'offset' is '12x', not a "
                       "non-negative integer"))
      << err;
}

TEST(OnnxExternalData, BytesWithoutAFolderCannotLoadExternalWeights) {
  const std::string err = error_of([&] { import_onnx_bytes(model().bytes(), "mem.onnx", full()); });
  EXPECT_TRUE(contains(err,
                       "mem.onnx: initializer 'w': stored as external data in "
                       "'weights.bin', but the model was read from memory"))
      << err;
}

}  // namespace
}  // namespace dnnroof
