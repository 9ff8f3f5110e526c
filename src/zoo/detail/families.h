#pragma once
// One function per model family; each returns its ZooEntry rows (zoo.cc joins them).

#include <vector>

#include "zoo/zoo.h"

namespace dnnroof::zoo {

std::vector<ZooEntry> resnet_family();
std::vector<ZooEntry> alexnet_family();
std::vector<ZooEntry> vgg_family();
std::vector<ZooEntry> squeezenet_family();
std::vector<ZooEntry> googlenet_family();
std::vector<ZooEntry> densenet_family();
std::vector<ZooEntry> mobilenet_family();
std::vector<ZooEntry> shufflenet_family();
std::vector<ZooEntry> mnasnet_family();
std::vector<ZooEntry> efficientnet_family();
std::vector<ZooEntry> regnet_family();
std::vector<ZooEntry> convnext_family();
std::vector<ZooEntry> vit_family();
std::vector<ZooEntry> swin_family();
std::vector<ZooEntry> gpt2_family();

}  // namespace dnnroof::zoo
