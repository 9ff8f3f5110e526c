// Family: convnext (to be written; returns no models yet).
#include "zoo/families.h"

namespace dnnroof::zoo {

std::vector<ZooEntry> convnext_family() { return {}; }

}  // namespace dnnroof::zoo
