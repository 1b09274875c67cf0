// BPNet's two-part loss for profile models: the multinomial NLL of the read counts'
// shape along each window plus a weighted MSE of the log total count.
#include <cmath>
#include <limits>
#include <vector>

#include "epibook/nn/loss.h"
#include "loss_checks.h"

namespace epibook::nn {
namespace {

Status check_profile_shapes(const Tensor& logits, const Tensor& log_counts, const Tensor& counts) {
  if (logits.rank() != 3 || logits.empty()) {
    return invalid_argument("profile: logits " + logits.shape().text() + " are not [batch, tracks, length]");
  }
  if (counts.shape() != logits.shape()) {
    return invalid_argument("profile: counts " + counts.shape().text() + " and logits " + logits.shape().text() +
                            " differ in shape");
  }
  if (log_counts.size() != logits.dim(0) * logits.dim(1)) {
    return invalid_argument("profile: log counts " + log_counts.shape().text() + " do not hold one value per " +
                            "[batch, tracks] of " + logits.shape().text());
  }
  return Status::ok();
}

}  // namespace

Result<ProfileLossValue> ProfileLoss::evaluate(const Tensor& profile_logits, const Tensor& log_counts,
                                               const Tensor& counts, Tensor* grad_profile_logits,
                                               Tensor* grad_log_counts) const {
  EPIBOOK_RETURN_IF_ERROR(check_profile_shapes(profile_logits, log_counts, counts));
  EPIBOOK_RETURN_IF_ERROR(check_targets_in("profile", counts, 0.0, std::numeric_limits<double>::infinity()));
  prepare_grad(profile_logits, grad_profile_logits);
  prepare_grad(log_counts, grad_log_counts);
  const int64_t profiles = log_counts.size();
  const int64_t length = profile_logits.dim(2);
  const double n = static_cast<double>(profiles);
  ProfileLossValue value;
  for (int64_t p = 0; p < profiles; ++p) {
    const float* x = profile_logits.data() + p * length;
    const float* k = counts.data() + p * length;
    double top = x[0];
    for (int64_t i = 1; i < length; ++i) top = std::max(top, static_cast<double>(x[i]));
    double exp_sum = 0.0, total = 0.0, log_factorials = 0.0, weighted_logits = 0.0;
    for (int64_t i = 0; i < length; ++i) {
      exp_sum += std::exp(static_cast<double>(x[i]) - top);
      total += k[i];
      log_factorials += std::lgamma(static_cast<double>(k[i]) + 1.0);
      weighted_logits += static_cast<double>(k[i]) * static_cast<double>(x[i]);
    }
    const double log_normaliser = top + std::log(exp_sum);
    // sum_i k_i log p_i = sum_i k_i x_i - K log_normaliser.
    value.profile += -std::lgamma(total + 1.0) + log_factorials - (weighted_logits - total * log_normaliser);
    const double count_error = static_cast<double>(log_counts[p]) - std::log1p(total);
    value.count += count_error * count_error;
    if (grad_profile_logits != nullptr) {
      float* g = grad_profile_logits->data() + p * length;
      for (int64_t i = 0; i < length; ++i) {
        const double probability = std::exp(static_cast<double>(x[i]) - log_normaliser);
        g[i] = static_cast<float>((total * probability - static_cast<double>(k[i])) / n);
      }
    }
    if (grad_log_counts != nullptr) (*grad_log_counts)[p] = static_cast<float>(count_weight_ * 2.0 * count_error / n);
  }
  value.profile /= n;
  value.count /= n;
  value.total = value.profile + count_weight_ * value.count;
  return value;
}

}  // namespace epibook::nn
