// The checks shared by the losses (see loss_checks.h).
#include "loss_checks.h"

#include <cmath>

namespace epibook::nn {

Status check_same_shape(const std::string& loss, const Tensor& output, const Tensor& target) {
  if (output.shape() != target.shape()) {
    return invalid_argument(loss + ": output " + output.shape().text() + " and target " + target.shape().text() +
                            " differ in shape");
  }
  if (output.empty()) return invalid_argument(loss + ": output " + output.shape().text() + " has no elements");
  return Status::ok();
}

Status check_targets_in(const std::string& loss, const Tensor& target, double low, double high) {
  for (int64_t i = 0; i < target.size(); ++i) {
    const double t = target[i];
    if (!std::isfinite(t) || t < low || t > high) {
      return invalid_argument(loss + ": target[" + std::to_string(i) + "] is " + std::to_string(target[i]) +
                              ", outside [" + std::to_string(low) + ", " + std::to_string(high) + "]");
    }
  }
  return Status::ok();
}

void prepare_grad(const Tensor& output, Tensor* grad) {
  if (grad != nullptr) grad->resize(output.shape());
}

double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }

}  // namespace epibook::nn
