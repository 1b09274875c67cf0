// Pooling window checks (see pool_window.h).
#include "nn/layers/pool_window.h"

#include "nn/layers/shape_checks.h"

namespace epibook::nn {

Result<Pool1dGeometry> pool_geometry(const std::string& layer, int64_t kernel_size, int64_t stride) {
  if (kernel_size <= 0 || stride < 0) {
    return invalid_argument(layer + ": kernel size must be positive and stride non-negative (got kernel " +
                            std::to_string(kernel_size) + ", stride " + std::to_string(stride) + ")");
  }
  return Pool1dGeometry{kernel_size, stride == 0 ? kernel_size : stride};
}

Result<Shape> pooled_shape(const std::string& layer, const Pool1dGeometry& geometry, const Shape& input) {
  EPIBOOK_RETURN_IF_ERROR(expect_sequence(layer, input));
  const int64_t length = geometry.output_length(input[2]);
  if (length <= 0) {
    return invalid_argument(layer + ": input length " + std::to_string(input[2]) + " is shorter than the window of " +
                            std::to_string(geometry.kernel_size));
  }
  return Shape{input[0], input[1], length};
}

}  // namespace epibook::nn
