#include "zoo/zoo.h"

#include "core/error.h"
#include "core/strings.h"
#include "zoo/detail/families.h"

namespace dnnroof {

const std::vector<ZooEntry>& zoo_models() {
  static const std::vector<ZooEntry> models = [] {
    std::vector<ZooEntry> all;
    for (auto family :
         {zoo::resnet_family, zoo::alexnet_family, zoo::vgg_family, zoo::squeezenet_family,
          zoo::googlenet_family, zoo::densenet_family, zoo::shufflenet_family,
          zoo::mobilenet_family, zoo::mnasnet_family, zoo::efficientnet_family, zoo::regnet_family,
          zoo::convnext_family, zoo::vit_family, zoo::swin_family, zoo::gpt2_family}) {
      for (auto& e : family()) all.push_back(std::move(e));
    }
    return all;
  }();
  return models;
}

const ZooEntry& zoo_entry(std::string_view name) {
  const std::string wanted = to_lower(name);
  std::vector<std::string> names;
  for (const auto& e : zoo_models()) {
    if (e.name == wanted) return e;
    names.push_back(e.name);
  }
  fail("unknown model '{}' (not a zoo name nor an .onnx file); closest: {}", name,
       join(closest_matches(name, names), ", "));
}

Graph build_zoo_model(std::string_view name, const ZooOptions& options) {
  return zoo_entry(name).build(options);
}

}  // namespace dnnroof
