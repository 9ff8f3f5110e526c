// Family: gpt2 (to be written; returns no models yet).
#include "zoo/families.h"

namespace dnnroof::zoo {

std::vector<ZooEntry> gpt2_family() { return {}; }

}  // namespace dnnroof::zoo
