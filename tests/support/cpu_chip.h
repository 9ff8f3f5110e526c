#pragma once
// A probed CPU as the catalog's TOML: 2 cores at 3 GHz, 32 fp32 FLOP per
// cycle, with the memory levels and per-thread-count ceilings a test gives.
// Header-only: tests include "support/cpu_chip.h" (on the include path of
// dnnroof_test_support).

#include <string>
#include <vector>

namespace dnnroof::test {

// `{ value = VALUE, derivation = "DERIVATION" }`: a measured figure.
inline std::string measured(const std::string& value, const std::string& derivation) {
  return "{ value = " + value + ", derivation = \"" + derivation + "\" }";
}

// One [[chip.threads]] block: fp32 peak `peak` (a TOML value) and the
// bandwidth lines (`LEVEL = VALUE`, one each) measured on `threads` threads.
struct ThreadsToml {
  int threads = 0;
  std::string peak;
  std::vector<std::string> bandwidth;
};

// The chip `id`: its all-core fp32 peak `peak` (a TOML value), the
// [[chip.memory]] blocks `memory` (TOML text) and one [[chip.threads]] block
// per entry of `threads`, in that order.
inline std::string probed_cpu_toml(const std::string& id, const std::string& name,
                                   const std::string& peak, const std::string& memory,
                                   const std::vector<ThreadsToml>& threads) {
  std::string t = "\n[[chip]]\nid = \"" + id + "\"\nname = \"" + name +
                  "\"\nkind = \"cpu\"\nsource = \"test\"\n[chip.peak]\nfp32 = " + peak +
                  "\n[chip.cpu]\ncores = 2\nallcore_clock = \"3 GHz\"\n"
                  "[chip.cpu.flops_per_cycle]\nfp32 = 32\n" +
                  memory;
  for (const ThreadsToml& b : threads) {
    t += "[[chip.threads]]\nthreads = " + std::to_string(b.threads) +
         "\n[chip.threads.peak]\nfp32 = " + b.peak + "\n[chip.threads.bandwidth]\n";
    for (const std::string& line : b.bandwidth) t += line + "\n";
  }
  return t;
}

}  // namespace dnnroof::test
