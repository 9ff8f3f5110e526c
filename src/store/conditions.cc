#include "store/conditions.h"

#include <unistd.h>

#include <ctime>

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
  return c;
}

}  // namespace dnnroof
