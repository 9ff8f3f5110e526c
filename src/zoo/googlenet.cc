// Family: googlenet (to be written; returns no models yet).
#include "zoo/families.h"

namespace dnnroof::zoo {

std::vector<ZooEntry> googlenet_family() { return {}; }

}  // namespace dnnroof::zoo
