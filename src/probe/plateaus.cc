#include "probe/plateaus.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace dnnroof {
namespace {

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  if (n == 0) return 0;
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

std::vector<Plateau> find_flat_regions(const std::vector<CurvePoint>& curve,
                                       const PlateauOptions& options) {
  for (std::size_t i = 1; i < curve.size(); ++i) {
    if (!(curve[i].working_set_bytes > curve[i - 1].working_set_bytes)) {
      fail("bandwidth curve: working sets must increase (point {} has {} B after {} B)", i,
           curve[i].working_set_bytes, curve[i - 1].working_set_bytes);
    }
  }
  const std::size_t n = curve.size();
  // The 3-point median filter: one outlier inside a plateau does not split it.
  std::vector<double> smooth(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (i == 0 || i + 1 == n) {
      smooth[i] = curve[i].bytes_per_s;
    } else {
      smooth[i] =
          median_of({curve[i - 1].bytes_per_s, curve[i].bytes_per_s, curve[i + 1].bytes_per_s});
    }
  }
  std::vector<Plateau> out;
  std::size_t start = 0;
  while (start < n) {
    double lo = smooth[start];
    double hi = smooth[start];
    std::size_t end = start;  // inclusive
    while (end + 1 < n) {
      const double v = smooth[end + 1];
      const double new_lo = std::min(lo, v);
      const double new_hi = std::max(hi, v);
      if (!(new_lo > 0) || new_hi / new_lo > 1 + options.tolerance) break;
      lo = new_lo;
      hi = new_hi;
      ++end;
    }
    if (end - start + 1 >= options.min_points) {
      Plateau p;
      p.first = start;
      p.last = end;
      p.min_bytes = curve[start].working_set_bytes;
      p.max_bytes = curve[end].working_set_bytes;
      std::vector<double> values;
      for (std::size_t i = start; i <= end; ++i) values.push_back(curve[i].bytes_per_s);
      p.bytes_per_s = median_of(std::move(values));
      out.push_back(p);
    }
    start = end + 1;
  }
  return out;
}

// A level's plateau below this fraction of a slower level's is not that level.
constexpr double kSlowerThanBehind = 0.9;

std::vector<Plateau> name_plateaus(std::vector<Plateau> regions,
                                   const std::vector<LevelCapacity>& levels) {
  std::vector<LevelCapacity> known;
  for (const auto& l : levels) {
    if (l.bytes > 0) known.push_back(l);
  }
  auto level_of = [&](double bytes) -> std::size_t {
    for (std::size_t k = 0; k < known.size(); ++k) {
      if (bytes <= known[k].bytes) return k;
    }
    return known.size();  // DRAM
  };
  auto level_name = [&](std::size_t k) {
    return k < known.size() ? known[k].name : std::string("DRAM");
  };
  std::vector<int> owner(known.size() + 1, -1);
  // The last region, when it reaches past the last cache, is DRAM whatever
  // its middle: working sets past the LLC can only come from DRAM, and a
  // large shared LLC of a virtual machine often stops helping well before
  // its nominal size.
  std::size_t window_regions = regions.size();
  if (!regions.empty() && !known.empty() && regions.back().max_bytes > known.back().bytes) {
    owner[known.size()] = static_cast<int>(regions.size() - 1);
    window_regions = regions.size() - 1;
  }
  for (std::size_t r = 0; r < window_regions; ++r) {
    const double middle = std::sqrt(regions[r].min_bytes * regions[r].max_bytes);
    const std::size_t k = level_of(middle);
    const int current = owner[k];
    if (current < 0) {
      owner[k] = static_cast<int>(r);
      continue;
    }
    const Plateau& a = regions[static_cast<std::size_t>(current)];
    const Plateau& b = regions[r];
    const std::size_t len_a = a.last - a.first;
    const std::size_t len_b = b.last - b.first;
    if (k == known.size()) continue;  // DRAM is taken by the last region
    if (len_b > len_a || (len_b == len_a && b.bytes_per_s > a.bytes_per_s)) {
      owner[k] = static_cast<int>(r);
    }
  }
  // A cache is faster than the levels behind it. A region named for a level
  // but clearly slower (below 90%) than a slower level's plateau is not that
  // level: a disturbed measurement (e.g. an all-core run whose other core was
  // busy at the small sizes) or a mix of levels. It stays unnamed.
  double floor = 0;
  for (std::size_t k = owner.size(); k-- > 0;) {
    if (owner[k] < 0) continue;
    const double bw = regions[static_cast<std::size_t>(owner[k])].bytes_per_s;
    if (bw < kSlowerThanBehind * floor) {
      owner[k] = -1;
      continue;
    }
    floor = std::max(floor, bw);
  }
  for (std::size_t k = 0; k < owner.size(); ++k) {
    if (owner[k] >= 0) regions[static_cast<std::size_t>(owner[k])].level = level_name(k);
  }
  return regions;
}

std::vector<Plateau> detect_plateaus(const std::vector<CurvePoint>& curve,
                                     const std::vector<LevelCapacity>& levels,
                                     const PlateauOptions& options) {
  std::vector<Plateau> named = name_plateaus(find_flat_regions(curve, options), levels);
  std::erase_if(named, [](const Plateau& p) { return p.level.empty(); });
  return named;
}

}  // namespace dnnroof
