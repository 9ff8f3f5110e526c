#include "fixture.h"

#include <fmt/format.h>

#include "zoo/zoo.h"

namespace dnnroof::testing {

const Catalog& fixture_catalog() {
  static const Catalog catalog = [] {
    Catalog c;
    c.load_file(std::string(DNNROOF_SOURCE_DIR) + "/tests/report/data/fixture.toml");
    return c;
  }();
  return catalog;
}

std::vector<const Chip*> fixture_chips() {
  std::vector<const Chip*> out;
  for (const Chip& c : fixture_catalog().chips()) out.push_back(&c);
  return out;
}

Chip simple_chip(std::string id, ChipKind kind, DType precision, double peak_flops,
                 double bandwidth) {
  Chip c;
  c.name = fmt::format("Chip {}", id);
  c.id = std::move(id);
  c.kind = kind;
  c.peak[precision].value = peak_flops;
  MemoryLevel main;
  main.name = "DRAM";
  main.is_main = true;
  main.bandwidth.value = bandwidth;
  c.memory.push_back(main);
  return c;
}

LoadedModel zoo_model(const std::string& source, std::int64_t batch, DType dtype) {
  ZooOptions o;
  o.batch = batch;
  o.dtype = dtype;
  return {build_zoo_model(source, o), zoo_entry(source).family};
}

}  // namespace dnnroof::testing
