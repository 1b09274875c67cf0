// The multinomial + counts loss (loss.h): a window's shape and its total read from one
// output of log-rates per position. Sums per row in double, in index order.
#include <algorithm>
#include <cmath>
#include <limits>

#include "epibook/nn/loss.h"
#include "loss_checks.h"

namespace epibook::nn {

Result<double> MultinomialCountsLoss::evaluate(const Tensor& output, const Tensor& target, Tensor* grad) const {
  EPIBOOK_RETURN_IF_ERROR(check_same_shape(name(), output, target));
  EPIBOOK_RETURN_IF_ERROR(check_targets_in(name(), target, 0.0, std::numeric_limits<double>::infinity()));
  prepare_grad(output, grad);
  const int64_t length = output.dim(output.rank() - 1);
  const int64_t rows = output.size() / length;
  double sum = 0.0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = output.data() + r * length;
    const float* k = target.data() + r * length;
    double top = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < length; ++i) top = std::max(top, static_cast<double>(x[i]));
    double exp_sum = 0.0, total = 0.0, log_factorials = 0.0;
    for (int64_t i = 0; i < length; ++i) {
      exp_sum += std::exp(static_cast<double>(x[i]) - top);
      total += k[i];
      log_factorials += std::lgamma(static_cast<double>(k[i]) + 1.0);
    }
    const double log_partition = top + std::log(exp_sum);  // log sum exp(x) = log K'
    double profile = -std::lgamma(total + 1.0) + log_factorials;
    for (int64_t i = 0; i < length; ++i) profile -= k[i] * (static_cast<double>(x[i]) - log_partition);
    const double predicted_total = std::exp(log_partition);
    const double log_error = std::log1p(predicted_total) - std::log1p(total);
    sum += profile + count_weight_ * log_error * log_error;
    if (grad != nullptr) {
      // d/dx_i: profile K p_i - k_i; count 2 w e K' / (1 + K') p_i.
      const double count_slope = 2.0 * count_weight_ * log_error * predicted_total / (1.0 + predicted_total);
      for (int64_t i = 0; i < length; ++i) {
        const double p = std::exp(static_cast<double>(x[i]) - log_partition);
        (*grad)[r * length + i] =
            static_cast<float>(((total + count_slope) * p - static_cast<double>(k[i])) / static_cast<double>(rows));
      }
    }
  }
  return sum / static_cast<double>(rows);
}

}  // namespace epibook::nn
