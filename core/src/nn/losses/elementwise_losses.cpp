// The losses that compare each output with its own target: MSE, Poisson NLL on
// log-rates, and BCE with logits. Each is a sum of per-element terms over the mean.
#include <cmath>
#include <limits>

#include "epibook/nn/backend.h"
#include "epibook/nn/loss.h"
#include "loss_checks.h"

namespace epibook::nn {
namespace {

constexpr double kNoLimit = std::numeric_limits<double>::infinity();

}  // namespace

Result<double> MseLoss::evaluate(const Tensor& output, const Tensor& target, Tensor* grad) const {
  EPIBOOK_RETURN_IF_ERROR(check_same_shape(name(), output, target));
  EPIBOOK_RETURN_IF_ERROR(check_targets_in(name(), target, -kNoLimit, kNoLimit));
  prepare_grad(output, grad);
  const double n = static_cast<double>(output.size());
  double sum = 0.0;
  for (int64_t i = 0; i < output.size(); ++i) {
    const double d = static_cast<double>(output[i]) - static_cast<double>(target[i]);
    sum += d * d;
    if (grad != nullptr) (*grad)[i] = static_cast<float>(2.0 * d / n);
  }
  return sum / n;
}

Result<double> PoissonNllLoss::evaluate(const Tensor& output, const Tensor& target, Tensor* grad) const {
  EPIBOOK_RETURN_IF_ERROR(check_same_shape(name(), output, target));
  EPIBOOK_RETURN_IF_ERROR(check_targets_in(name(), target, 0.0, kNoLimit));
  prepare_grad(output, grad);
  const double n = static_cast<double>(output.size());
  double sum = 0.0;
  for (int64_t i = 0; i < output.size(); ++i) {
    const double log_rate = output[i];
    const double rate = std::exp(log_rate);
    sum += rate - static_cast<double>(target[i]) * log_rate;
    if (grad != nullptr) (*grad)[i] = static_cast<float>((rate - static_cast<double>(target[i])) / n);
  }
  return sum / n;
}

Result<double> BceWithLogitsLoss::evaluate(const Tensor& output, const Tensor& target, Tensor* grad) const {
  EPIBOOK_RETURN_IF_ERROR(check_same_shape(name(), output, target));
  EPIBOOK_RETURN_IF_ERROR(check_targets_in(name(), target, 0.0, 1.0));
  const int64_t last_axis = output.dim(output.rank() - 1);
  if (pos_weight_.size() > 1 && static_cast<int64_t>(pos_weight_.size()) != last_axis) {
    return invalid_argument("bce: " + std::to_string(pos_weight_.size()) + " pos_weight values for an output " +
                            output.shape().text() + " whose last axis has " + std::to_string(last_axis));
  }
  prepare_grad(output, grad);
  const double n = static_cast<double>(output.size());
  double sum = 0.0;
  for (int64_t i = 0; i < output.size(); ++i) {
    const double x = output[i];
    const double y = target[i];
    double w = 1.0;
    if (pos_weight_.size() == 1) w = pos_weight_[0];
    if (pos_weight_.size() > 1) w = pos_weight_[static_cast<size_t>(i % last_axis)];
    // -log s(x) = softplus(-x); -log(1 - s(x)) = softplus(x).
    sum += w * y * softplus(-x) + (1.0 - y) * softplus(x);
    if (grad != nullptr) {
      const double s = 1.0 / (1.0 + std::exp(-x));
      (*grad)[i] = static_cast<float>((-w * y * (1.0 - s) + (1.0 - y) * s) / n);
    }
  }
  return sum / n;
}

// The CPU backend's elementwise_loss: the classes above, the mean rounded to float.
void Backend::elementwise_loss(ElementwiseLoss loss, const std::vector<float>& pos_weight, const Tensor& output,
                               const Tensor& target, Tensor& value, Tensor& grad) {
  Result<double> mean = 0.0;
  switch (loss) {
    case ElementwiseLoss::kMse:
      mean = MseLoss().evaluate(output, target, &grad);
      break;
    case ElementwiseLoss::kPoisson:
      mean = PoissonNllLoss().evaluate(output, target, &grad);
      break;
    case ElementwiseLoss::kBce:
      mean = BceWithLogitsLoss(pos_weight).evaluate(output, target, &grad);
      break;
  }
  value.resize({1});
  value[0] = mean.is_ok() ? static_cast<float>(*mean) : std::numeric_limits<float>::quiet_NaN();
}

}  // namespace epibook::nn
