#pragma once
// Sections 3-6 of the report and its methods and caveats, built from result
// records (measured now, or loaded from results files of any machine), the
// cost model's figures for each measured (model, batch), and the roofline
// ceilings of each device. One builder per section, each with the
// commentary function that writes its findings from the numbers:
//   section_benchmarks.cc   3. benchmarks (latency, correlations, throughput)
//   section_utilisation.cc  4. hardware utilisation (measured rooflines)
//   section_training.cc     5. inference vs training (fwd:bwd, op types)
//   section_prediction.cc   6. predicted vs measured
//   section_methods.cc      methods, caveats

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "analysis/analysis.h"
#include "hw/host.h"
#include "ncu/results.h"
#include "report/document.h"
#include "report/section_models.h"
#include "store/record.h"

namespace dnnroof {

struct StudyRunInfo;

// One device the records ran on, as the report names it.
struct MeasuredDevice {
  std::string key;        // "cpu@hostname", "cuda:0@hostname": records group by it
  std::string device;     // "cpu", "cuda:0"
  std::string chip_id;    // the catalog chip whose ceilings apply ("host-measured", "t4")
  std::string name;       // "Intel Xeon ... (cpu)", for titles
  std::string short_name;  // "cpu", "cuda:0", or with the host when several hosts
  bool gpu = false;
  // CPU: the thread count of its records (threads_in_force); every ceiling
  // holds for it. 0 on a GPU. Records on one CPU with other thread counts
  // are other devices ("cpu, 1 thread", "cpu, 2 threads").
  int threads = 0;
  std::string figure_id;              // appended to figure ids: "" or "1t" (several thread counts)
  std::vector<RoofCeiling> ceilings;  // empty: no roofline for it (see note)
  std::string note;                   // why there are no ceilings, or where they come from
};

struct MeasuredData {
  std::vector<ResultRecord> records;  // every record, failed ones included
  // The cost of each measured model at each measured batch, by model name.
  std::map<std::string, ModelCosts> costs;
  std::vector<MeasuredDevice> devices;  // in order of first record
  DType precision = DType::fp32;
  std::vector<std::string> notes;  // models without costs, devices without ceilings
  // Nsight Compute results (`dnnroof import-ncu --out`, read by --ncu):
  // section 4's measured FLOPs and bytes.
  std::vector<NcuResults> ncu;

  // The device of a record (by key); nullptr when unknown.
  const MeasuredDevice* device_of(const ResultRecord& r) const;
  // The cost of a record's model at its batch (inference or training);
  // nullptr when not computed.
  const ModelCost* cost_of(const ResultRecord& r, bool training) const;
  // Records that are not failed, on `device`, of `mode`.
  std::vector<const ResultRecord*> usable(const MeasuredDevice& device, RunMode mode) const;
  // Batch sizes present (ascending) among usable inference records of a device.
  std::vector<int> batches(const MeasuredDevice& device, RunMode mode) const;
};

// "cpu@host/2t" (the thread count in force: each count is judged against its
// own ceilings), "cuda:0@host" for the device of a record.
std::string device_key(const ResultRecord& r);

// What every section returns.
struct MeasuredSection {
  Section section;
  std::vector<DataFile> data;
  std::vector<std::string> flags;  // flagged points, anomalies: for the caveats
};

MeasuredSection build_benchmark_section(const MeasuredData& data, const std::string& number);
MeasuredSection build_utilisation_section(const MeasuredData& data, const std::string& number);
// Section 4's Nsight Compute subsection (heading "<number> Measured FLOPs and
// bytes (Nsight Compute)"): the measured roofline points and the comparison
// with the cost model of every file in data.ncu (computed here from
// data.costs when the file has none); empty section when data.ncu is.
MeasuredSection build_ncu_subsection(const MeasuredData& data, const std::string& number);
MeasuredSection build_training_section(const MeasuredData& data,
                                       const std::vector<ModelCosts>& static_models,
                                       const std::string& number);
MeasuredSection build_prediction_section(const MeasuredData& data, const std::string& number);

// The commentary of each section (paragraphs computed from the numbers).
std::vector<std::string> benchmark_commentary(const MeasuredData& data);
std::vector<std::string> utilisation_commentary(const MeasuredData& data,
                                                const std::vector<Placement>& placements,
                                                const MeasuredDevice& device);
// One model's per-layer roofline: which op types sit lowest under the roof
// (median % of attainable per op type), how many layers lie above their
// roof and the causes the analysis gives.
std::vector<std::string> layer_roofline_commentary(const std::string& model, int batch,
                                                   const std::vector<Placement>& layers,
                                                   const std::vector<std::string>& skipped,
                                                   const std::string& device);
std::vector<std::string> training_commentary(const std::vector<ForwardBackward>& ratios);
// One model's measured per-layer time by op type against FLOPs and traffic.
std::string op_time_commentary(const ResultRecord& record, const std::vector<OpTypeShare>& shares,
                               Pass pass, const std::string& device);
std::vector<std::string> prediction_commentary(const std::vector<Prediction>& predictions,
                                               const MeasuredDevice& device);

// Methods (conventions, tools and versions, conditions, statistics) and
// caveats (noisy and failed results, flags, what did not run, the machine).
Section build_methods_section(const MeasuredData& data, const StudyRunInfo& run,
                              const HostInfo* host, const std::string& number);
Section build_caveats_section(const MeasuredData& data, const StudyRunInfo& run,
                              const HostInfo* host, const std::vector<std::string>& flags,
                              const std::vector<std::string>& notes, const std::string& number);

// Small shared helpers.
double median_of(std::vector<double> v);  // NaN when empty
std::string list_text(const std::vector<std::string>& items);  // "a, b and c"
std::string time_text(double seconds);                          // "12.3 ms"

}  // namespace dnnroof
