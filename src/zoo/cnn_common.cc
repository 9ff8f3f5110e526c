#include "zoo/detail/cnn_common.h"

#include <utility>

#include "core/error.h"

namespace dnnroof::zoo {

std::int64_t checked_image_size(const ZooOptions& options, std::int64_t default_size) {
  if (options.batch < 1) fail("batch must be at least 1 (got {})", options.batch);
  if (options.num_classes < 1) fail("num_classes must be at least 1 (got {})", options.num_classes);
  if (options.image_size < 0) fail("image_size must be positive (got {})", options.image_size);
  return options.image_size == 0 ? default_size : options.image_size;
}

ValueId image_input(GraphBuilder& b, const ZooOptions& options, std::int64_t default_size) {
  const std::int64_t size = checked_image_size(options, default_size);
  return b.input("input", {options.batch, 3, size, size}, options.dtype);
}

Conv2d square_conv(std::int64_t out_channels, std::int64_t kernel, std::int64_t stride,
                   std::int64_t padding, bool bias) {
  Conv2d c;
  c.out_channels = out_channels;
  c.kernel_h = c.kernel_w = kernel;
  c.stride = stride;
  c.pad_h = c.pad_w = padding;
  c.bias = bias;
  return c;
}

ValueId conv2d(GraphBuilder& b, ValueId x, const Conv2d& c, std::string_view name) {
  ConvOptions o;
  o.out_channels = c.out_channels;
  o.kernel = {c.kernel_h, c.kernel_w};
  o.stride = {c.stride, c.stride};
  o.padding = {c.pad_h, c.pad_w};
  o.dilation = {1, 1};
  o.groups = c.groups;
  o.bias = c.bias;
  return b.conv(x, o, name);
}

namespace {

Attributes pool_attrs(const Pool2d& p) {
  Attributes a;
  a.set("kernel", std::vector<std::int64_t>{p.kernel, p.kernel});
  a.set("stride", std::vector<std::int64_t>{p.stride, p.stride});
  a.set("pads", std::vector<std::int64_t>{p.padding, p.padding, p.padding, p.padding});
  a.set("ceil_mode", std::int64_t{p.ceil_mode ? 1 : 0});
  return a;
}

}  // namespace

ValueId max_pool2d(GraphBuilder& b, ValueId x, const Pool2d& p, std::string_view name) {
  Attributes a = pool_attrs(p);
  a.set("dilation", std::vector<std::int64_t>{1, 1});
  return b.op(OpKind::MaxPool, {x}, std::move(a), name);
}

ValueId avg_pool2d(GraphBuilder& b, ValueId x, const Pool2d& p, std::string_view name) {
  Attributes a = pool_attrs(p);
  a.set("count_include_pad", std::int64_t{1});  // torch's default
  return b.op(OpKind::AvgPool, {x}, std::move(a), name);
}

ValueId adaptive_avg_pool2d(GraphBuilder& b, ValueId x, std::int64_t h, std::int64_t w,
                            std::string_view name) {
  Attributes a;
  a.set("output_size", std::vector<std::int64_t>{h, w});
  return b.op(OpKind::AdaptiveAvgPool, {x}, std::move(a), name);
}

ValueId relu(GraphBuilder& b, ValueId x, std::string_view name) {
  return b.unary(OpKind::Relu, x, name);
}

ValueId dropout(GraphBuilder& b, ValueId x, double p, std::string_view name) {
  Attributes a;
  a.set("ratio", p);
  return b.op(OpKind::Dropout, {x}, std::move(a), name);
}

ValueId flatten1(GraphBuilder& b, ValueId x, std::string_view name) {
  Attributes a;
  a.set("start_dim", std::int64_t{1});
  a.set("end_dim", std::int64_t{-1});
  return b.op(OpKind::Flatten, {x}, std::move(a), name);
}

ValueId concat_channels(GraphBuilder& b, std::vector<ValueId> xs, std::string_view name) {
  Attributes a;
  a.set("axis", std::int64_t{1});
  return b.op(OpKind::Concat, std::move(xs), std::move(a), name);
}

ZooEntry image_classifier(std::string name, std::string family, std::int64_t default_image_size,
                          std::function<Graph(const ZooOptions&)> build) {
  ZooEntry e;
  e.name = std::move(name);
  e.family = std::move(family);
  e.task = "image classification";
  e.default_image_size = default_image_size;
  e.build = std::move(build);
  return e;
}

}  // namespace dnnroof::zoo
