// The loader's stages talk through the one bounded queue type (base/bounded_queue.h).
#pragma once

#include "base/bounded_queue.h"

namespace dsfill::loader {

using dsfill::BoundedQueue;

}  // namespace dsfill::loader
