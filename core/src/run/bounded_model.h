// build_model with a ceiling on the parameter count, checked before any layer allocates:
// a checkpoint passes the count of values it stores, so its header (options and data
// shapes, read from an untrusted file) cannot ask for a larger model. Private to the core,
// so the public train.h, which most of the tree includes, stays as it is.
#pragma once

#include <cstdint>

#include "epibook/train.h"

namespace epibook {

Result<nn::LayerPtr> build_model_within(const ModelSpec& spec, const nn::Shape& input_shape,
                                        const nn::Shape& target_shape, uint64_t seed, int64_t max_parameters);

}  // namespace epibook
