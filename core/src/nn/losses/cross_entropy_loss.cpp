// Cross-entropy over class logits: the loss for one-of-C labels (a chromatin state, a
// cell type). Log-softmax is taken after subtracting the row's maximum, so large
// logits do not overflow.
#include <algorithm>
#include <cmath>
#include <vector>

#include "epibook/nn/loss.h"
#include "loss_checks.h"

namespace epibook::nn {
namespace {

Status check_class_targets(const Tensor& output, const Tensor& target, size_t class_weights) {
  if (output.rank() != 2 || output.dim(0) == 0 || output.dim(1) == 0) {
    return invalid_argument("cross_entropy: output " + output.shape().text() + " is not [rows, classes]");
  }
  if (target.size() != output.dim(0)) {
    return invalid_argument("cross_entropy: target " + target.shape().text() + " does not hold one class per row of " +
                            output.shape().text());
  }
  const int64_t classes = output.dim(1);
  if (class_weights != 0 && static_cast<int64_t>(class_weights) != classes) {
    return invalid_argument("cross_entropy: " + std::to_string(class_weights) + " class weights for " +
                            std::to_string(classes) + " classes");
  }
  for (int64_t row = 0; row < target.size(); ++row) {
    const float t = target[row];
    if (!(t >= 0.0f && t < static_cast<float>(classes) && std::floor(t) == t)) {
      return invalid_argument("cross_entropy: target[" + std::to_string(row) + "] is " + std::to_string(t) +
                              ", not a class in 0.." + std::to_string(classes - 1));
    }
  }
  return Status::ok();
}

}  // namespace

Result<double> CrossEntropyLoss::evaluate(const Tensor& output, const Tensor& target, Tensor* grad) const {
  EPIBOOK_RETURN_IF_ERROR(check_class_targets(output, target, class_weights_.size()));
  prepare_grad(output, grad);
  const int64_t rows = output.dim(0);
  const int64_t classes = output.dim(1);
  std::vector<double> weights(static_cast<size_t>(rows), 1.0);
  double weight_sum = 0.0;
  for (int64_t row = 0; row < rows; ++row) {
    const auto cls = static_cast<size_t>(target[row]);
    if (!class_weights_.empty()) weights[static_cast<size_t>(row)] = class_weights_[cls];
    weight_sum += weights[static_cast<size_t>(row)];
  }
  if (!(weight_sum > 0.0)) return invalid_argument("cross_entropy: the class weights of this batch sum to 0");
  double sum = 0.0;
  for (int64_t row = 0; row < rows; ++row) {
    const float* x = output.data() + row * classes;
    const double top = *std::max_element(x, x + classes);
    double exp_sum = 0.0;
    for (int64_t c = 0; c < classes; ++c) exp_sum += std::exp(static_cast<double>(x[c]) - top);
    const double log_normaliser = top + std::log(exp_sum);
    const auto cls = static_cast<int64_t>(target[row]);
    const double w = weights[static_cast<size_t>(row)];
    sum += w * (log_normaliser - static_cast<double>(x[cls]));
    if (grad == nullptr) continue;
    float* g = grad->data() + row * classes;
    for (int64_t c = 0; c < classes; ++c) {
      const double probability = std::exp(static_cast<double>(x[c]) - log_normaliser);
      g[c] = static_cast<float>(w * (probability - (c == cls ? 1.0 : 0.0)) / weight_sum);
    }
  }
  return sum / weight_sum;
}

}  // namespace epibook::nn
