// Family: densenet (to be written; returns no models yet).
#include "zoo/families.h"

namespace dnnroof::zoo {

std::vector<ZooEntry> densenet_family() { return {}; }

}  // namespace dnnroof::zoo
