// Window checks shared by MaxPool1D and AvgPool1D: the geometry from the constructor
// arguments, and the output shape of an input.
#pragma once

#include <string>

#include "epibook/nn/backend.h"
#include "epibook/status.h"

namespace epibook::nn {

Result<Pool1dGeometry> pool_geometry(const std::string& layer, int64_t kernel_size, int64_t stride);
Result<Shape> pooled_shape(const std::string& layer, const Pool1dGeometry& geometry, const Shape& input);

}  // namespace epibook::nn
