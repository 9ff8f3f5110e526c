// The shared pieces of the measured sections 3-6 (section_measured.h): the
// measured data's lookups, device keys and figure ids, small text helpers.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/figures_measured.h"
#include "report/gnuplot.h"
#include "report/section_measured.h"
#include "store/timing_text.h"

namespace dnnroof {
double median_of(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string list_text(const std::vector<std::string>& items) {
  if (items.empty()) return "none";
  if (items.size() == 1) return items[0];
  std::vector<std::string> head(items.begin(), items.end() - 1);
  return join(head, ", ") + " and " + items.back();
}

std::string time_text(double seconds) { return format_si(seconds, "s"); }

std::string device_key(const ResultRecord& r) {
  // A campaign's partition is the machine: its nodes may be many hosts, and
  // two partitions may share one. A CPU result's thread count is part of it.
  const std::string machine = r.conditions.partition.empty()
                                  ? r.conditions.host_name
                                  : "partition:" + r.conditions.partition;
  if (r.device.starts_with("cuda")) return fmt::format("{}@{}", r.device, machine);
  return fmt::format("{}@{}/{}t", r.device, machine, threads_in_force(r));
}

std::string device_figure_id(const MeasuredData& data, const MeasuredDevice& device) {
  std::size_t same_chip = 0;
  for (const MeasuredDevice& other : data.devices) same_chip += other.chip_id == device.chip_id;
  return (same_chip > 1 ? device.chip_id + "-" + device.short_name : device.chip_id) +
         device.figure_id;
}

const ResultRecord* MeasuredData::find(const MeasuredDevice& device, const std::string& model,
                                       std::int64_t batch, RunMode mode) const {
  for (const ResultRecord* r : usable(device, mode)) {
    if (r->model == model && r->batch == batch) return r;
  }
  return nullptr;
}

const TimingStats* MeasuredData::stats_of(const MeasuredDevice& device, const std::string& model,
                                          std::int64_t batch, RunMode mode, Phase phase) const {
  const ResultRecord* r = find(device, model, batch, mode);
  if (r == nullptr) return nullptr;
  const auto it = r->timings.find(phase);
  return it == r->timings.end() ? nullptr : &it->second;
}

const MeasuredDevice* MeasuredData::device_of(const ResultRecord& r) const {
  const std::string key = device_key(r);
  for (const MeasuredDevice& d : devices) {
    if (d.key == key) return &d;
  }
  return nullptr;
}

const ModelCost* MeasuredData::cost_of(const ResultRecord& r, bool training) const {
  auto it = costs.find(r.model);
  if (it == costs.end()) return nullptr;
  const auto& by_batch = training ? it->second.train : it->second.infer;
  auto c = by_batch.find(r.batch);
  return c == by_batch.end() ? nullptr : &c->second;
}

std::vector<const ResultRecord*> MeasuredData::usable(const MeasuredDevice& device,
                                                      RunMode mode) const {
  std::vector<const ResultRecord*> out;
  for (const ResultRecord& r : records) {
    if (r.status == RecordStatus::failed || r.mode != mode || device_key(r) != device.key) {
      continue;
    }
    if (!headline_phase(r)) continue;
    out.push_back(&r);
  }
  return out;
}

std::vector<std::int64_t> MeasuredData::batches(const MeasuredDevice& device, RunMode mode) const {
  std::set<std::int64_t> b;
  for (const ResultRecord* r : usable(device, mode)) b.insert(r->batch);
  return {b.begin(), b.end()};
}

}  // namespace dnnroof
