#pragma once
// Internal: the data/chips/*.toml files compiled into the library (the .cc is
// generated at build time by dnnroof_embed_files, cmake/embed_files.cmake).

#include <span>
#include <string_view>

namespace dnnroof::detail {

struct EmbeddedCatalogFile {
  std::string_view name;  // file stem: "gpu"
  std::string_view path;  // "data/chips/gpu.toml"
  std::string_view text;  // the file's contents
};

// Every data/chips/*.toml present at build time, in alphabetical order; empty
// when there is none.
std::span<const EmbeddedCatalogFile> embedded_catalog_files();

}  // namespace dnnroof::detail
