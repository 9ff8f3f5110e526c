// Family: squeezenet (to be written; returns no models yet).
#include "zoo/families.h"

namespace dnnroof::zoo {

std::vector<ZooEntry> squeezenet_family() { return {}; }

}  // namespace dnnroof::zoo
