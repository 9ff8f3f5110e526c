#pragma once
// Plateaus of a bandwidth-versus-working-set curve: the flat regions where
// the working set fits one memory level, named after the level by the cache
// sizes the host reports. Pure functions, tested on synthetic curves.

#include <cstddef>
#include <string>
#include <vector>

namespace dnnroof {

struct CurvePoint {
  double working_set_bytes = 0;  // [B]
  double bytes_per_s = 0;        // [B/s]
};

// A cache level's capacity as the working set sees it [B]: for a
// single-threaded curve a core's share of a private cache, for an all-core
// curve the whole machine's. Levels with capacity <= 0 are ignored.
struct LevelCapacity {
  std::string name;  // "L1", "L2", "L3"
  double bytes = 0;
};

struct Plateau {
  std::string level;       // "L1", "L2", "L3", "DRAM"; "" when no level claimed it
  std::size_t first = 0;   // index of its first point in the curve
  std::size_t last = 0;    // index of its last point (inclusive)
  double min_bytes = 0;    // working set of the first point [B]
  double max_bytes = 0;    // working set of the last point [B]
  double bytes_per_s = 0;  // median bandwidth of its points [B/s]
};

struct PlateauOptions {
  // A region is flat while max / min of its (3-point median filtered)
  // bandwidths stays within 1 + tolerance.
  double tolerance = 0.25;
  std::size_t min_points = 2;  // fewer points: a transition, not a plateau
};

// The flat regions of `curve` (sorted by working set, else Error), each at
// least min_points long, left to right. Greedy: a region grows while the
// ratio of its largest to smallest filtered bandwidth stays within the
// tolerance; a 3-point median filter first removes single outliers (the ends
// keep their values). Bandwidths are the medians of the raw values.
std::vector<Plateau> find_flat_regions(const std::vector<CurvePoint>& curve,
                                       const PlateauOptions& options = {});

// Names the flat regions: level k owns working sets in (capacity[k-1],
// capacity[k]] (L1 from 0; DRAM above the last capacity); a region belongs to
// the level holding the geometric middle of its size range; except that the
// last region is DRAM whenever it reaches past the last cache (past the LLC
// only DRAM serves), even if its middle lies below it. When two regions land
// in one cache level the longer one keeps the name (on a tie the faster
// one); in DRAM the last one does. Then, from the slowest level up, a named
// region whose bandwidth is below 90% of a slower level's named plateau loses
// its name (a cache is faster than what lies behind it: such a region is a
// disturbed measurement or a mix of levels, not the level). The others stay
// unnamed. `levels` fastest first.
std::vector<Plateau> name_plateaus(std::vector<Plateau> regions,
                                   const std::vector<LevelCapacity>& levels);

// Both steps: the named plateaus only, in curve order.
std::vector<Plateau> detect_plateaus(const std::vector<CurvePoint>& curve,
                                     const std::vector<LevelCapacity>& levels,
                                     const PlateauOptions& options = {});

}  // namespace dnnroof
