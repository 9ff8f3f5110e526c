// onnx/tensor_io: TensorProto files in every payload layout, external data,
// and errors that name the files. Expected values are written into the
// protos here, by hand.
#include "onnx/tensor_io.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>

#include "core/error.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;
using onnx::TensorProto;

fs::path temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "dnnroof_tio_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw Error("mkdtemp failed");
  return pattern;
}

void save(const google::protobuf::Message& m, const fs::path& p) {
  std::ofstream out(p, std::ios::binary);
  ASSERT_TRUE(m.SerializeToOstream(&out));
}

template <typename T>
std::vector<T> values(const HostTensor& t) {
  std::vector<T> v(t.data.size() / sizeof(T));
  std::memcpy(v.data(), t.data.data(), t.data.size());
  return v;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

class TensorIo : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = temp_dir(); }
  void TearDown() override { fs::remove_all(dir_); }
  // `t` saved as dir_/FILE and read back.
  HostTensor read_back(const TensorProto& t, const std::string& file) const {
    save(t, dir_ / file);
    return read_tensor_pb((dir_ / file).string());
  }
  fs::path dir_;
};

// A 1-D tensor of `type` holding `data` in int32_data, where ONNX stores
// UINT8, BOOL and FLOAT16 values.
TensorProto in_int32_data(TensorProto::DataType type, std::initializer_list<std::int32_t> data) {
  TensorProto t;
  t.set_data_type(type);
  t.add_dims(static_cast<std::int64_t>(data.size()));
  for (std::int32_t v : data) t.add_int32_data(v);
  return t;
}

TEST_F(TensorIo, TypedFields) {
  TensorProto f;
  f.set_name("f");
  f.set_data_type(TensorProto::FLOAT);
  f.add_dims(2);
  f.add_float_data(1.5F);
  f.add_float_data(-2.0F);
  const HostTensor hf = read_back(f, "f.pb");
  EXPECT_EQ(hf.name, "f");
  EXPECT_EQ(hf.dtype, DType::fp32);
  EXPECT_EQ(values<float>(hf), (std::vector<float>{1.5F, -2.0F}));

  TensorProto i;
  i.set_data_type(TensorProto::INT64);
  i.add_dims(1);
  i.add_dims(3);
  for (std::int64_t v : std::vector<std::int64_t>{7, -1, std::int64_t{1} << 40})
    i.add_int64_data(v);
  const HostTensor hi = read_back(i, "i.pb");
  EXPECT_EQ(hi.dims, (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(values<std::int64_t>(hi), (std::vector<std::int64_t>{7, -1, std::int64_t{1} << 40}));

  TensorProto d;
  d.set_data_type(TensorProto::DOUBLE);
  d.add_dims(1);
  d.add_double_data(0.25);
  EXPECT_EQ(values<double>(read_back(d, "d.pb")), (std::vector<double>{0.25}));

  // UINT8 in int32_data is widened to int32; BOOL to bytes; FLOAT16 keeps its bits.
  const HostTensor hu = read_back(in_int32_data(TensorProto::UINT8, {255, 3}), "u.pb");
  EXPECT_EQ(hu.dtype, DType::int32);
  EXPECT_EQ(values<std::int32_t>(hu), (std::vector<std::int32_t>{255, 3}));

  EXPECT_EQ(values<std::uint8_t>(read_back(in_int32_data(TensorProto::BOOL, {1, 0}), "b.pb")),
            (std::vector<std::uint8_t>{1, 0}));

  // 0x3C00: 1.0 in IEEE half.
  const HostTensor hh = read_back(in_int32_data(TensorProto::FLOAT16, {0x3C00}), "h.pb");
  EXPECT_EQ(hh.dtype, DType::fp16);
  EXPECT_EQ(values<std::uint16_t>(hh), (std::vector<std::uint16_t>{0x3C00}));

  TensorProto raw8;  // INT8 raw bytes
  raw8.set_data_type(TensorProto::INT8);
  raw8.add_dims(2);
  raw8.set_raw_data(std::string("\xff\x05", 2));
  EXPECT_EQ(values<std::int8_t>(read_back(raw8, "r8.pb")), (std::vector<std::int8_t>{-1, 5}));
}

TEST_F(TensorIo, WriteReadRoundTrip) {
  HostTensor t;
  t.name = "out";
  t.dtype = DType::fp32;
  t.dims = {2, 2};
  const std::vector<float> v{1, 2, 3, 4.5F};
  t.data.resize(16);
  std::memcpy(t.data.data(), v.data(), 16);
  write_tensor_pb(t, (dir_ / "o.pb").string());
  const HostTensor r = read_tensor_pb((dir_ / "o.pb").string());
  EXPECT_EQ(r.name, "out");
  EXPECT_EQ(r.dims, t.dims);
  EXPECT_EQ(values<float>(r), v);
}

TEST_F(TensorIo, ErrorsNameTheFile) {
  {
    std::ofstream out(dir_ / "junk.pb", std::ios::binary);
    out << "\xff\xff\xff\xff not a proto";
  }
  const std::string junk = (dir_ / "junk.pb").string();
  EXPECT_NE(error_of([&] { read_tensor_pb(junk); }).find(junk), std::string::npos);
  TensorProto bad;
  bad.set_data_type(TensorProto::FLOAT);
  bad.add_dims(3);
  bad.set_raw_data(std::string(8, '\0'));  // 2 floats for 3 elements
  save(bad, dir_ / "short.pb");
  const std::string msg = error_of([&] { read_tensor_pb((dir_ / "short.pb").string()); });
  EXPECT_NE(msg.find("short.pb"), std::string::npos) << msg;
  EXPECT_NE(msg.find("12"), std::string::npos) << msg;
  const std::string missing = error_of([&] { read_tensor_pb((dir_ / "nope.pb").string()); });
  EXPECT_NE(missing.find("nope.pb"), std::string::npos) << missing;
}

// Initializers stored as external data, at an offset in a file beside the
// model; a missing or short data file names both files.
TEST_F(TensorIo, ExternalData) {
  const std::vector<float> w{0.5F, -1.0F, 2.0F, 8.0F};
  {
    std::ofstream out(dir_ / "weights.bin", std::ios::binary);
    out << "HDR!";  // 4 bytes before the tensor
    out.write(reinterpret_cast<const char*>(w.data()), 16);
  }
  onnx::ModelProto m;
  m.set_ir_version(8);
  auto* t = m.mutable_graph()->add_initializer();
  t->set_name("fc.weight");
  t->set_data_type(TensorProto::FLOAT);
  t->add_dims(2);
  t->add_dims(2);
  t->set_data_location(TensorProto::EXTERNAL);
  auto add = [&](const char* k, const char* v) {
    auto* kv = t->add_external_data();
    kv->set_key(k);
    kv->set_value(v);
  };
  add("location", "weights.bin");
  add("offset", "4");
  add("length", "16");
  save(m, dir_ / "model.onnx");
  const auto inits = read_onnx_initializers((dir_ / "model.onnx").string());
  ASSERT_EQ(inits.count("fc.weight"), 1U);
  EXPECT_EQ(inits.at("fc.weight").dims, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(values<float>(inits.at("fc.weight")), w);

  // Short: the data file ends 8 bytes into the tensor.
  fs::resize_file(dir_ / "weights.bin", 12);
  std::string msg = error_of([&] { read_onnx_initializers((dir_ / "model.onnx").string()); });
  EXPECT_NE(msg.find("model.onnx"), std::string::npos) << msg;
  EXPECT_NE(msg.find("weights.bin"), std::string::npos) << msg;
  fs::remove(dir_ / "weights.bin");
  msg = error_of([&] { read_onnx_initializers((dir_ / "model.onnx").string()); });
  EXPECT_NE(msg.find("model.onnx"), std::string::npos) << msg;
  EXPECT_NE(msg.find("weights.bin"), std::string::npos) << msg;
}

}  // namespace
}  // namespace dnnroof
