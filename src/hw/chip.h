#pragma once
// A chip: what it could do at best. Peaks per precision and memory levels,
// each figure with where it came from (a datasheet address) or how it was
// derived (the formula with its numbers), so `dnnroof chips show` can justify
// every number it prints.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace dnnroof {

enum class ChipKind { cpu, gpu, asic, soc };
std::string_view chip_kind_name(ChipKind k);
std::optional<ChipKind> parse_chip_kind(std::string_view name);

// A number with its provenance. Exactly one of `source` and `derivation` is
// usually set; a derived figure may also cite the sources of its inputs.
struct Figure {
  double value = 0;        // in base SI units: FLOP/s, B/s, B
  std::string source;      // datasheet address (URL) or document name
  std::string derivation;  // "2 sockets x 40 cores x 2.3 GHz x 32 FLOP/cycle = 5.89 TFLOP/s"
};

// One level of the memory hierarchy, fastest first in Chip::memory.
struct MemoryLevel {
  std::string name;      // "L1d", "L2", "L3", "DRAM", "HBM3", "SRAM"
  bool is_main = false;  // true for the main-memory level (DRAM/HBM/...)
  Figure bandwidth;      // [B/s] aggregate for the whole chip; value 0 when unknown
  Figure capacity;       // [B] whole chip; value 0 when unknown
};

// CPU micro-architecture: the inputs of the peak formulas
//   peak(p)   = sockets x cores_per_socket x clock x flops_per_cycle(p)
//   bandwidth = sockets x channels x MT/s x 8 B
struct CpuMicroarch {
  int sockets = 1;
  int cores_per_socket = 0;  // physical cores
  int threads_per_core = 1;
  double base_clock_hz = 0;
  double allcore_clock_hz = 0;  // all-core boost: the clock used for peaks
  int simd_bits = 0;            // widest vector ISA: 128 (SSE/NEON), 256 (AVX2), 512 (AVX-512)
  int fma_units = 0;            // FMA pipes per core at that width
  bool amx = false;             // Intel AMX tiles (bf16/int8)
  // Dense FLOP (OP for int8) per cycle per core for each precision it has.
  std::map<DType, double> flops_per_cycle;
  int memory_channels = 0;       // per socket
  double memory_mts = 0;         // [MT/s]
  std::vector<std::string> isa;  // "sse4.2", "avx", "avx2", "fma", "avx512f", "amx-bf16", ...
  std::string clock_source;      // where the clocks come from (optional)
  std::string memory_source;     // where channels and MT/s come from (optional)
};

// Ceilings that hold for a run on a given number of CPU threads, as
// `dnnroof probe` measures them (one entry per thread count it measured;
// [[chip.threads]] in the catalog). A run is judged against the entry of its
// own thread count, never another's.
struct ThreadCeilings {
  int threads = 0;                          // >= 1
  std::map<DType, Figure> peak;             // [FLOP/s] (int8: OP/s)
  std::map<DType, Figure> practical;        // [FLOP/s] large GEMMs
  std::map<std::string, Figure> bandwidth;  // [B/s] by memory level name (Chip::memory)
};

struct Chip {
  std::string id;  // catalog id: lower-case, dashes ("a100-sxm4-80gb")
  std::string name;
  ChipKind kind = ChipKind::cpu;
  std::string vendor;
  int year = 0;
  std::map<DType, Figure> peak;  // dense peak per precision [FLOP/s] (int8: OP/s)
  // Practical compute ceilings per precision [FLOP/s]: what a large GEMM
  // reaches through a library (e.g. `dnnroof probe`'s LibTorch GEMM), a
  // lower roof than `peak`. Optional; [chip.practical] in the catalog.
  std::map<DType, Figure> practical;
  std::vector<MemoryLevel> memory;  // fastest first; at least the main level
  std::optional<CpuMicroarch> cpu;
  // Per thread count, ascending (measured chips). Empty: the figures above
  // are the whole chip's, all its cores (chip_threads).
  std::vector<ThreadCeilings> thread_ceilings;
  std::string notes;
  std::string origin;  // where the entry came from: "catalog", a file path, "host"
  std::string source;  // the chip's main datasheet (each Figure carries its own too)

  // The main-memory level; throws Error when the chip has none.
  const MemoryLevel& main_memory() const;
  // The main-memory level, or nullptr when the chip has none.
  const MemoryLevel* find_main_memory() const;
  // The level with that name (case-insensitive); nullptr when absent.
  const MemoryLevel* find_level(std::string_view name) const;
  // Peak for `p`, or nullopt when the chip does not support it.
  std::optional<double> peak_flops(DType p) const;
};

// The thread count a CPU chip's own figures (peak, practical, memory) hold
// for: every physical core (sockets x cores per socket); 0 for other kinds
// and for a CPU without [chip.cpu].
int chip_threads(const Chip& chip);

// `chip` with the figures that hold for a run on `threads` CPU threads: its
// thread_ceilings entry for `threads` (peaks and practical ceilings from it;
// a memory level it gives no bandwidth for has bandwidth 0, unknown), or,
// when the chip has no entries, the chip itself if `threads` is
// chip_threads(chip). nullopt otherwise: no figure measured or derived for
// that count.
std::optional<Chip> chip_for_threads(const Chip& chip, int threads);

// Ridge point [FLOP/B] = peak / bandwidth: the operational intensity where
// the memory roof meets the compute roof. NaN when either is not positive
// (unknown).
double ridge_point(double peak_flops, double bandwidth);

// The roofline: min(peak, bandwidth x intensity) [FLOP/s]. Throws Error for a
// negative or non-finite intensity [FLOP/B].
double attainable_flops(double peak_flops, double bandwidth, double intensity);

// Same, for a chip's precision against its main memory (or `level`); throws
// Error naming chip and precision when the chip has no such peak, and naming
// the level when it does not exist or its bandwidth is unknown.
double attainable_flops(const Chip& chip, DType precision, double intensity,
                        std::string_view level = "");
double ridge_point(const Chip& chip, DType precision, std::string_view level = "");

// Fills `chip.peak` (for each precision in cpu.flops_per_cycle, unless the
// catalog gave a published figure) and the main-memory bandwidth (unless
// given) from the micro-architecture, storing the derivation text.
void derive_cpu_figures(Chip& chip);

}  // namespace dnnroof
