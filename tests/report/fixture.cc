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
  std::string name = fmt::format("Chip {}", id);
  Chip c = test::chip_with(std::move(id), std::move(name), kind, 0,
                           {test::memory_level("DRAM", bandwidth, true)});
  c.peak[precision].value = peak_flops;
  return c;
}

LoadedModel zoo_model(const std::string& source, std::int64_t batch, DType dtype) {
  ZooOptions o;
  o.batch = batch;
  o.dtype = dtype;
  return {build_zoo_model(source, o), zoo_entry(source).family};
}

StudyOptions study_options() {
  StudyOptions o;
  o.load_graph = zoo_model;
  o.include_host = false;
  o.generated_at = "2026-01-01 00:00 UTC";
  return o;
}

}  // namespace dnnroof::testing
