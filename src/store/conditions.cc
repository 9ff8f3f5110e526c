#include "store/conditions.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "core/text_file.h"
#include "core/version.h"

namespace dnnroof {

std::string format_iso8601_utc(std::chrono::system_clock::time_point t) {
  const std::time_t seconds =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(text, n);
}

Conditions current_conditions() {
  Conditions c;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) c.host_name = host;
  c.dnnroof_version = kVersion;
  c.git_revision = kGitRevision;
  c.date_utc = format_iso8601_utc(std::chrono::system_clock::now());
  add_environment_conditions(
      c, [](const char* name) { return std::getenv(name); }, "/proc/driver/nvidia/version");
  return c;
}

std::string nvidia_driver_version(const std::string& proc_text) {
  // The version is the first word after "Kernel Module" (open and
  // proprietary modules alike) that looks like digits and dots.
  const std::size_t at = proc_text.find("Kernel Module");
  if (at == std::string::npos) return {};
  std::istringstream words(proc_text.substr(at + 13));
  std::string word;
  while (words >> word) {
    if (word == "for" || word == "x86_64" || word == "aarch64") continue;
    const bool version = std::isdigit(static_cast<unsigned char>(word[0])) != 0 &&
                         word.find_first_not_of("0123456789.") == std::string::npos;
    return version ? word : std::string();
  }
  return {};
}

void add_environment_conditions(Conditions& c, const EnvLookup& getenv,
                                const std::string& nvidia_version_file) {
  auto set = [&getenv](std::string& field, const char* name) {
    const char* value = getenv(name);
    if (value != nullptr && *value != '\0') field = value;
  };
  if (c.partition.empty()) set(c.partition, "SLURM_JOB_PARTITION");
  set(c.slurm_node, "SLURMD_NODENAME");
  set(c.slurm_job_id, "SLURM_JOB_ID");
  set(c.slurm_array_job_id, "SLURM_ARRAY_JOB_ID");
  set(c.slurm_array_task_id, "SLURM_ARRAY_TASK_ID");
  if (const auto text = read_text_file(nvidia_version_file)) {
    const std::string version = nvidia_driver_version(*text);
    if (!version.empty()) c.gpu_driver = version;
  }
}

}  // namespace dnnroof
