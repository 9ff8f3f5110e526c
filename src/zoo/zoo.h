#pragma once
// The built-in model zoo: torchvision-equivalent networks (same parameter
// count, output shapes and MACs as torchvision, layer for layer) plus GPT-2
// small, written with the GraphBuilder API.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/graph.h"

namespace dnnroof {

struct ZooOptions {
  std::int64_t batch = 1;
  std::int64_t image_size = 0;  // 0: the model's default (224, 299 for inception_v3)
  std::int64_t seq_len = 0;     // sequence models: 0 = default (GPT-2: 1024)
  std::int64_t num_classes = 1000;
  DType dtype = DType::fp32;
};

struct ZooEntry {
  std::string name;                       // "resnet18"
  std::string family;                     // "ResNet"
  std::string task;                       // "image classification", "language model"
  std::int64_t default_image_size = 224;  // 0 for sequence models
  std::function<Graph(const ZooOptions&)> build;
};

// Every model, in a stable order.
const std::vector<ZooEntry>& zoo_models();

// The entry with this name; Error listing the closest names when unknown.
const ZooEntry& zoo_entry(std::string_view name);

Graph build_zoo_model(std::string_view name, const ZooOptions& options);

}  // namespace dnnroof
