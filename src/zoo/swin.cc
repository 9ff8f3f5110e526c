// Family: swin (to be written; returns no models yet).
#include "zoo/families.h"

namespace dnnroof::zoo {

std::vector<ZooEntry> swin_family() { return {}; }

}  // namespace dnnroof::zoo
