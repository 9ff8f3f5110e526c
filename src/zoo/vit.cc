// Family: vit (to be written; returns no models yet).
#include "zoo/families.h"

namespace dnnroof::zoo {

std::vector<ZooEntry> vit_family() { return {}; }

}  // namespace dnnroof::zoo
