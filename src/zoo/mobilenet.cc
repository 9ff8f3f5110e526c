// Family: mobilenet (to be written; returns no models yet).
#include "zoo/families.h"

namespace dnnroof::zoo {

std::vector<ZooEntry> mobilenet_family() { return {}; }

}  // namespace dnnroof::zoo
