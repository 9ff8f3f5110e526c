// Family: GoogLeNet (Inception v1) and Inception v3, mirroring torchvision's
// torchvision/models/googlenet.py (GoogLeNet, Inception, BasicConv2d) and
// torchvision/models/inception.py (Inception3, InceptionA ... InceptionE,
// InceptionAux, BasicConv2d). Both are built as in eval mode, aux
// classifiers not run, and with transform_input off (the constructors'
// default; torchvision turns it on when loading pretrained weights, which
// adds a per-channel scale and shift of the input: no parameters, no MACs).
//
// Parameters: torchvision's pretrained googlenet drops aux1/aux2, so its
// published 6,624,904 parameters have no aux branch, and neither has this
// graph. Its pretrained inception_v3 keeps the AuxLogits module, so the
// published 27,161,264 includes AuxLogits (conv0 1x1 768->128 + BN, conv1
// 5x5 128->768 + BN, fc 768->1000: 98,560 + 2,459,136 + 769,000 = 3,326,696
// parameters) although eval mode never runs it. This graph is the eval
// network, so AuxLogits runs no node, but its parameters are declared (with
// torchvision's names and shapes) so the model's parameter count equals the
// published one; the cost model counts them as parameters that move no bytes
// (ModelCost::unused_params). The training-mode aux loss is not modelled.
//
// Note the torchvision quirk kept on purpose: GoogLeNet's "5x5" branch
// (branch3) uses a 3x3 convolution.
#include <cstdint>
#include <string>
#include <string_view>

#include "zoo/detail/cnn_common.h"
#include "zoo/detail/families.h"

namespace dnnroof::zoo {
namespace {

// BasicConv2d of both files: Conv2d(bias=False), BatchNorm2d(eps=0.001),
// ReLU, in the scope `name` ("conv1", "Mixed_5b.branch1x1", ...).
ValueId basic_conv(GraphBuilder& b, ValueId x, Conv2d c, std::string_view name) {
  auto scope = b.scope(name);
  c.bias = false;
  x = conv2d(b, x, c, "conv");
  x = b.batch_norm(x, 1e-3, "bn");
  return relu(b, x, "relu");
}

ValueId basic_conv(GraphBuilder& b, ValueId x, std::int64_t out, std::int64_t kernel,
                   std::int64_t stride, std::int64_t padding, std::string_view name) {
  return basic_conv(b, x, square_conv(out, kernel, stride, padding), name);
}

// A kernel of kh x kw with padding (ph, pw), stride 1 (InceptionC/D/E).
Conv2d rect_conv(std::int64_t out, std::int64_t kh, std::int64_t kw, std::int64_t ph,
                 std::int64_t pw) {
  Conv2d c;
  c.out_channels = out;
  c.kernel_h = kh;
  c.kernel_w = kw;
  c.pad_h = ph;
  c.pad_w = pw;
  return c;
}

// ---------------------------------------------------------------------------
// GoogLeNet (googlenet.py)

// Inception.forward (googlenet.py) in the scope "inception3a" etc.
ValueId googlenet_inception(GraphBuilder& b, ValueId x, std::string_view name, std::int64_t ch1x1,
                            std::int64_t ch3x3red, std::int64_t ch3x3, std::int64_t ch5x5red,
                            std::int64_t ch5x5, std::int64_t pool_proj) {
  auto scope = b.scope(name);
  const ValueId branch1 = basic_conv(b, x, ch1x1, 1, 1, 0, "branch1");
  ValueId branch2 = kNoValue;
  {
    auto s = b.scope("branch2");
    branch2 = basic_conv(b, x, ch3x3red, 1, 1, 0, "0");
    branch2 = basic_conv(b, branch2, ch3x3, 3, 1, 1, "1");
  }
  ValueId branch3 = kNoValue;
  {
    auto s = b.scope("branch3");
    branch3 = basic_conv(b, x, ch5x5red, 1, 1, 0, "0");
    branch3 = basic_conv(b, branch3, ch5x5, 3, 1, 1, "1");  // 3x3, as torchvision
  }
  ValueId branch4 = kNoValue;
  {
    auto s = b.scope("branch4");
    branch4 = max_pool2d(b, x, Pool2d{3, 1, 1, true}, "0");
    branch4 = basic_conv(b, branch4, pool_proj, 1, 1, 0, "1");
  }
  return concat_channels(b, {branch1, branch2, branch3, branch4});
}

Graph build_googlenet(const ZooOptions& options) {
  GraphBuilder b("googlenet", options.dtype);
  ValueId x = image_input(b, options, 224);
  const Pool2d pool3s2{3, 2, 0, /*ceil_mode=*/true};

  x = basic_conv(b, x, 64, 7, 2, 3, "conv1");
  x = max_pool2d(b, x, pool3s2, "maxpool1");
  x = basic_conv(b, x, 64, 1, 1, 0, "conv2");
  x = basic_conv(b, x, 192, 3, 1, 1, "conv3");
  x = max_pool2d(b, x, pool3s2, "maxpool2");

  x = googlenet_inception(b, x, "inception3a", 64, 96, 128, 16, 32, 32);
  x = googlenet_inception(b, x, "inception3b", 128, 128, 192, 32, 96, 64);
  x = max_pool2d(b, x, pool3s2, "maxpool3");

  x = googlenet_inception(b, x, "inception4a", 192, 96, 208, 16, 48, 64);
  x = googlenet_inception(b, x, "inception4b", 160, 112, 224, 24, 64, 64);
  x = googlenet_inception(b, x, "inception4c", 128, 128, 256, 24, 64, 64);
  x = googlenet_inception(b, x, "inception4d", 112, 144, 288, 32, 64, 64);
  x = googlenet_inception(b, x, "inception4e", 256, 160, 320, 32, 128, 128);
  x = max_pool2d(b, x, Pool2d{2, 2, 0, true}, "maxpool4");

  x = googlenet_inception(b, x, "inception5a", 256, 160, 320, 32, 128, 128);
  x = googlenet_inception(b, x, "inception5b", 384, 192, 384, 48, 128, 128);

  x = adaptive_avg_pool2d(b, x, 1, 1, "avgpool");
  x = flatten1(b, x);
  x = dropout(b, x, 0.2, "dropout");
  x = b.linear(x, options.num_classes, true, "fc");
  b.output(x);
  return b.finish();
}

// ---------------------------------------------------------------------------
// Inception v3 (inception.py)

ValueId avg_pool_3x3_s1(GraphBuilder& b, ValueId x) {
  // F.avg_pool2d(x, kernel_size=3, stride=1, padding=1): count_include_pad.
  return avg_pool2d(b, x, Pool2d{3, 1, 1, false}, "avg_pool");
}

ValueId inception_a(GraphBuilder& b, ValueId x, std::string_view name, std::int64_t pool_features) {
  auto scope = b.scope(name);
  const ValueId branch1x1 = basic_conv(b, x, 64, 1, 1, 0, "branch1x1");
  ValueId branch5x5 = basic_conv(b, x, 48, 1, 1, 0, "branch5x5_1");
  branch5x5 = basic_conv(b, branch5x5, 64, 5, 1, 2, "branch5x5_2");
  ValueId dbl = basic_conv(b, x, 64, 1, 1, 0, "branch3x3dbl_1");
  dbl = basic_conv(b, dbl, 96, 3, 1, 1, "branch3x3dbl_2");
  dbl = basic_conv(b, dbl, 96, 3, 1, 1, "branch3x3dbl_3");
  ValueId pool = avg_pool_3x3_s1(b, x);
  pool = basic_conv(b, pool, pool_features, 1, 1, 0, "branch_pool");
  return concat_channels(b, {branch1x1, branch5x5, dbl, pool});
}

ValueId inception_b(GraphBuilder& b, ValueId x, std::string_view name) {
  auto scope = b.scope(name);
  const ValueId branch3x3 = basic_conv(b, x, 384, 3, 2, 0, "branch3x3");
  ValueId dbl = basic_conv(b, x, 64, 1, 1, 0, "branch3x3dbl_1");
  dbl = basic_conv(b, dbl, 96, 3, 1, 1, "branch3x3dbl_2");
  dbl = basic_conv(b, dbl, 96, 3, 2, 0, "branch3x3dbl_3");
  const ValueId pool = max_pool2d(b, x, Pool2d{3, 2, 0, false}, "max_pool");
  return concat_channels(b, {branch3x3, dbl, pool});
}

ValueId inception_c(GraphBuilder& b, ValueId x, std::string_view name, std::int64_t c7) {
  auto scope = b.scope(name);
  const ValueId branch1x1 = basic_conv(b, x, 192, 1, 1, 0, "branch1x1");
  ValueId b7 = basic_conv(b, x, c7, 1, 1, 0, "branch7x7_1");
  b7 = basic_conv(b, b7, rect_conv(c7, 1, 7, 0, 3), "branch7x7_2");
  b7 = basic_conv(b, b7, rect_conv(192, 7, 1, 3, 0), "branch7x7_3");
  ValueId dbl = basic_conv(b, x, c7, 1, 1, 0, "branch7x7dbl_1");
  dbl = basic_conv(b, dbl, rect_conv(c7, 7, 1, 3, 0), "branch7x7dbl_2");
  dbl = basic_conv(b, dbl, rect_conv(c7, 1, 7, 0, 3), "branch7x7dbl_3");
  dbl = basic_conv(b, dbl, rect_conv(c7, 7, 1, 3, 0), "branch7x7dbl_4");
  dbl = basic_conv(b, dbl, rect_conv(192, 1, 7, 0, 3), "branch7x7dbl_5");
  ValueId pool = avg_pool_3x3_s1(b, x);
  pool = basic_conv(b, pool, 192, 1, 1, 0, "branch_pool");
  return concat_channels(b, {branch1x1, b7, dbl, pool});
}

ValueId inception_d(GraphBuilder& b, ValueId x, std::string_view name) {
  auto scope = b.scope(name);
  ValueId b3 = basic_conv(b, x, 192, 1, 1, 0, "branch3x3_1");
  b3 = basic_conv(b, b3, 320, 3, 2, 0, "branch3x3_2");
  ValueId b7 = basic_conv(b, x, 192, 1, 1, 0, "branch7x7x3_1");
  b7 = basic_conv(b, b7, rect_conv(192, 1, 7, 0, 3), "branch7x7x3_2");
  b7 = basic_conv(b, b7, rect_conv(192, 7, 1, 3, 0), "branch7x7x3_3");
  b7 = basic_conv(b, b7, 192, 3, 2, 0, "branch7x7x3_4");
  const ValueId pool = max_pool2d(b, x, Pool2d{3, 2, 0, false}, "max_pool");
  return concat_channels(b, {b3, b7, pool});
}

ValueId inception_e(GraphBuilder& b, ValueId x, std::string_view name) {
  auto scope = b.scope(name);
  const ValueId branch1x1 = basic_conv(b, x, 320, 1, 1, 0, "branch1x1");
  const ValueId b3 = basic_conv(b, x, 384, 1, 1, 0, "branch3x3_1");
  const ValueId b3a = basic_conv(b, b3, rect_conv(384, 1, 3, 0, 1), "branch3x3_2a");
  const ValueId b3b = basic_conv(b, b3, rect_conv(384, 3, 1, 1, 0), "branch3x3_2b");
  const ValueId branch3x3 = concat_channels(b, {b3a, b3b}, "cat_3x3");
  ValueId dbl = basic_conv(b, x, 448, 1, 1, 0, "branch3x3dbl_1");
  dbl = basic_conv(b, dbl, 384, 3, 1, 1, "branch3x3dbl_2");
  const ValueId d3a = basic_conv(b, dbl, rect_conv(384, 1, 3, 0, 1), "branch3x3dbl_3a");
  const ValueId d3b = basic_conv(b, dbl, rect_conv(384, 3, 1, 1, 0), "branch3x3dbl_3b");
  const ValueId branch3x3dbl = concat_channels(b, {d3a, d3b}, "cat_3x3dbl");
  ValueId pool = avg_pool_3x3_s1(b, x);
  pool = basic_conv(b, pool, 192, 1, 1, 0, "branch_pool");
  return concat_channels(b, {branch1x1, branch3x3, branch3x3dbl, pool});
}

// InceptionAux(768, num_classes) of torchvision's inception.py, declared
// but not run (eval mode): conv0 = BasicConv2d(768, 128, 1x1), conv1 =
// BasicConv2d(128, 768, 5x5), fc = Linear(768, num_classes).
void declare_inception_aux_parameters(GraphBuilder& b, std::int64_t num_classes) {
  auto aux = b.scope("AuxLogits");
  {
    auto s = b.scope("conv0");
    b.parameter("conv.weight", {128, 768, 1, 1});
    b.parameter("bn.weight", {128});
    b.parameter("bn.bias", {128});
  }
  {
    auto s = b.scope("conv1");
    b.parameter("conv.weight", {768, 128, 5, 5});
    b.parameter("bn.weight", {768});
    b.parameter("bn.bias", {768});
  }
  auto s = b.scope("fc");
  b.parameter("weight", {num_classes, 768});
  b.parameter("bias", {num_classes});
}

Graph build_inception_v3(const ZooOptions& options) {
  GraphBuilder b("inception_v3", options.dtype);
  ValueId x = image_input(b, options, 299);

  x = basic_conv(b, x, 32, 3, 2, 0, "Conv2d_1a_3x3");
  x = basic_conv(b, x, 32, 3, 1, 0, "Conv2d_2a_3x3");
  x = basic_conv(b, x, 64, 3, 1, 1, "Conv2d_2b_3x3");
  x = max_pool2d(b, x, Pool2d{3, 2, 0, false}, "maxpool1");
  x = basic_conv(b, x, 80, 1, 1, 0, "Conv2d_3b_1x1");
  x = basic_conv(b, x, 192, 3, 1, 0, "Conv2d_4a_3x3");
  x = max_pool2d(b, x, Pool2d{3, 2, 0, false}, "maxpool2");
  x = inception_a(b, x, "Mixed_5b", 32);
  x = inception_a(b, x, "Mixed_5c", 64);
  x = inception_a(b, x, "Mixed_5d", 64);
  x = inception_b(b, x, "Mixed_6a");
  x = inception_c(b, x, "Mixed_6b", 128);
  x = inception_c(b, x, "Mixed_6c", 160);
  x = inception_c(b, x, "Mixed_6d", 160);
  x = inception_c(b, x, "Mixed_6e", 192);
  x = inception_d(b, x, "Mixed_7a");
  declare_inception_aux_parameters(b, options.num_classes);
  x = inception_e(b, x, "Mixed_7b");
  x = inception_e(b, x, "Mixed_7c");
  x = adaptive_avg_pool2d(b, x, 1, 1, "avgpool");
  x = dropout(b, x, 0.5, "dropout");
  x = flatten1(b, x);
  x = b.linear(x, options.num_classes, true, "fc");
  b.output(x);
  return b.finish();
}

}  // namespace

std::vector<ZooEntry> googlenet_family() {
  return {
      image_classifier("googlenet", "GoogLeNet", 224, build_googlenet),
      image_classifier("inception_v3", "Inception", 299, build_inception_v3),
  };
}

}  // namespace dnnroof::zoo
