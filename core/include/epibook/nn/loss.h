// Losses: how far a model's output is from the targets, and the gradient that starts
// back-propagation. Sits between a model's forward pass and its backward pass in the
// training loop (train.h). Each matches the PyTorch loss named beside it, with
// reduction "mean" (the mean over every element), so a loss curve can be laid over
// PyTorch's; each is held to finite differences in tests/unit/nn_loss_*_test.cpp.
//
// Sums run in double, in index order (the same value on any thread count and in
// wasm); gradients are stored as float32 like every tensor.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/nn/tensor.h"
#include "epibook/status.h"

namespace epibook::nn {

// One output tensor against one target tensor of the same shape (class-index targets
// for cross-entropy excepted, see there).
class Loss {
 public:
  virtual ~Loss() = default;
  // The name used in configs and metrics.jsonl ("mse", "poisson", ...).
  virtual std::string name() const = 0;
  // The mean loss; when `grad` is not null it receives d loss / d output (resized to
  // the output's shape). Fails naming both shapes when they do not fit, and on targets
  // the loss cannot take (a NaN, a negative count, a class out of range).
  virtual Result<double> evaluate(const Tensor& output, const Tensor& target, Tensor* grad) const = 0;
};

// (output - target)^2 (torch.nn.MSELoss).
class MseLoss final : public Loss {
 public:
  std::string name() const override { return "mse"; }
  Result<double> evaluate(const Tensor& output, const Tensor& target, Tensor* grad) const override;
};

// Counts modelled as Poisson with log-rate `output`: exp(output) - target * output
// (torch.nn.PoissonNLLLoss(log_input=True, full=False)). Targets must be >= 0.
class PoissonNllLoss final : public Loss {
 public:
  std::string name() const override { return "poisson"; }
  Result<double> evaluate(const Tensor& output, const Tensor& target, Tensor* grad) const override;
};

// Binary labels from logits: -(w y log s(x) + (1 - y) log(1 - s(x))), s the sigmoid,
// computed through softplus so large logits neither overflow nor lose the gradient
// (torch.nn.BCEWithLogitsLoss). `pos_weight` (> 1 counts positives more, the usual
// answer to rare peaks) is one value for all outputs, or one per entry of the last axis,
// as PyTorch broadcasts it. Targets lie in [0, 1].
class BceWithLogitsLoss final : public Loss {
 public:
  BceWithLogitsLoss() = default;
  explicit BceWithLogitsLoss(std::vector<float> pos_weight) : pos_weight_(std::move(pos_weight)) {}
  std::string name() const override { return "bce"; }
  Result<double> evaluate(const Tensor& output, const Tensor& target, Tensor* grad) const override;

 private:
  std::vector<float> pos_weight_;  // empty: 1 for every output
};

// Counts along a window from one output of log-rates per position, [..., L] (L the last
// axis, every other axis a row: a window and a track), read two ways as BPNet reads its
// two heads: the shape p = softmax(output) and the total K' = sum exp(output). Per row,
//   -log Gamma(K + 1) + sum_i log Gamma(k_i + 1) - sum_i k_i log p_i   (multinomial NLL)
//   + count_weight x (log(1 + K') - log(1 + K))^2                      (total, in log space)
// with k the observed counts and K their sum; the mean over rows. Poisson NLL over the
// positions is the same multinomial plus a Poisson term for the total: this loss swaps
// that term for a weighted squared log error, so a window's depth and its shape are
// weighed apart. Targets must be >= 0.
class MultinomialCountsLoss final : public Loss {
 public:
  explicit MultinomialCountsLoss(double count_weight = 1.0) : count_weight_(count_weight) {}
  std::string name() const override { return "multinomial"; }
  double count_weight() const { return count_weight_; }
  Result<double> evaluate(const Tensor& output, const Tensor& target, Tensor* grad) const override;

 private:
  double count_weight_;
};

// Classes from logits [N, C]: logsumexp(x) - x[class] (torch.nn.CrossEntropyLoss).
// `target` holds N class indices as floats (whole numbers in [0, C)). With class
// weights the mean is weighted, sum(w[y] l) / sum(w[y]), as PyTorch's.
class CrossEntropyLoss final : public Loss {
 public:
  CrossEntropyLoss() = default;
  explicit CrossEntropyLoss(std::vector<float> class_weights) : class_weights_(std::move(class_weights)) {}
  std::string name() const override { return "cross_entropy"; }
  Result<double> evaluate(const Tensor& output, const Tensor& target, Tensor* grad) const override;

 private:
  std::vector<float> class_weights_;  // empty: 1 for every class
};

// Profile models (BPNet): one head predicts the shape of the read profile along each
// window as logits [N, T, L], another the log of the total count [N, T]. The loss is
//   mean over (n, t) of the multinomial negative log-likelihood of the observed counts
//     k[n, t, :] under p = softmax(logits[n, t, :]):
//       -log Gamma(K + 1) + sum_i log Gamma(k_i + 1) - sum_i k_i log p_i,  K = sum_i k_i
//   + count_weight x mean over (n, t) of (log_count[n, t] - log(1 + K))^2.
// The shape term ignores depth and the count term ignores shape, so a model learns
// both without one drowning the other; count_weight balances them (BPNet uses about
// half the mean total count).
struct ProfileLossValue {
  double total = 0.0;
  double profile = 0.0;  // multinomial NLL term
  double count = 0.0;    // log-count MSE term, before the weight
};
class ProfileLoss {
 public:
  explicit ProfileLoss(double count_weight = 1.0) : count_weight_(count_weight) {}
  double count_weight() const { return count_weight_; }
  // Counts must be finite and >= 0. Gradients are written when the pointers are set.
  Result<ProfileLossValue> evaluate(const Tensor& profile_logits, const Tensor& log_counts, const Tensor& counts,
                                    Tensor* grad_profile_logits, Tensor* grad_log_counts) const;

 private:
  double count_weight_;
};

// The names a config may give ("mse", "poisson", "multinomial", "bce", "cross_entropy").
std::vector<std::string> loss_names();
// A loss by name; `weights` is pos_weight for "bce", class weights for
// "cross_entropy", one count weight for "multinomial" (1 when empty), and must be empty
// for the others.
Result<std::unique_ptr<Loss>> make_loss(std::string_view name, std::vector<float> weights = {});

}  // namespace epibook::nn
