// Which examples a model sees in an epoch, and how much each one counts: the remedies
// for class imbalance (a genome is mostly "no peak"). Sits between the prepared
// dataset (labels per window) and the loader, which batches the indices chosen here.
//
// Sections: schemes and options | epoch indices | class weights | effective balance
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/status.h"

namespace epibook {

// ---------------------------------------------------------------------------------
// Schemes. Every scheme is a pure function of (labels, weights, options, epoch): the
// same seed and epoch give the same indices natively, on any thread count and in wasm.
//   random        every example once, in a new order each epoch (a shuffle).
//   balanced      each draw picks a class uniformly, then an example of it uniformly,
//                 with replacement: every class gets the same share of draws.
//   weighted      draws with replacement, example i with probability w_i / sum(w), as
//                 PyTorch's WeightedRandomSampler does.
//   oversample    every example once, plus copies of each smaller class until it has
//                 `target_ratio` times as many samples as the largest class (whole copies
//                 first, then a random subset, chosen afresh each epoch), shuffled.
//   undersample   every example of the smallest class, and of each larger class a random
//                 subset (new each epoch) of at most count(smallest) / `target_ratio`.
enum class SamplingScheme { kRandom, kClassBalanced, kWeighted, kOverSample, kUnderSample };

// "random", "balanced", "weighted", "oversample", "undersample".
Result<SamplingScheme> parse_sampling_scheme(std::string_view name);
const char* sampling_scheme_name(SamplingScheme scheme);

// Loss weights per class: what `class weights` means in scikit-learn and PyTorch.
//   none               every example counts 1.
//   inverse-frequency  class c counts N / (K * n_c) (scikit-learn's "balanced"): every
//                      class then carries the same total weight.
//   pos-weight         binary labels only: positives count n_negative / n_positive and
//                      negatives 1, as BCEWithLogitsLoss(pos_weight=) does.
enum class ClassWeighting { kNone, kInverseFrequency, kPosWeight };

// "none", "inverse-frequency", "pos-weight".
Result<ClassWeighting> parse_class_weighting(std::string_view name);
const char* class_weighting_name(ClassWeighting weighting);

struct SamplerOptions {
  SamplingScheme scheme = SamplingScheme::kRandom;
  ClassWeighting class_weighting = ClassWeighting::kNone;
  uint64_t seed = 1;
  // oversample / undersample: samples of each smaller class per sample of the largest,
  // in (0, 1]; 1 makes the classes equal.
  double target_ratio = 1.0;
  // balanced / weighted: draws per epoch; 0 means one per example with a label.
  uint64_t samples_per_epoch = 0;
};

Status validate_sampler_options(const SamplerOptions& options);

// What the sampler reads. A label is a class id (0 = background, 1 = peak, or any
// id >= 0); a negative label (prep's -1, "no data") marks an example that is never
// sampled: a window without data is not evidence of "no peak". Empty `labels` means
// every example is of class 0 (regression data, where only random and weighted make
// sense); then `example_count` says how many there are. `weights` (weighted scheme) has
// one finite, non-negative value per example.
struct SamplerInput {
  std::span<const int32_t> labels;
  std::span<const double> weights;
  uint64_t example_count = 0;  // used only when labels is empty
};

// prep's int8 labels (1, 0, -1) as the sampler's class ids.
std::vector<int32_t> class_ids_from_labels(std::span<const int8_t> labels);

// ---------------------------------------------------------------------------------
// The example indices of one epoch, in the order they should be batched. Fails naming
// the problem: weights of the wrong length, a negative or NaN weight, all weights zero,
// no example with a label, a scheme that needs labels without them.
Result<std::vector<uint64_t>> sample_epoch(const SamplerInput& input, const SamplerOptions& options,
                                           uint64_t epoch);

// ---------------------------------------------------------------------------------
// Class weights. Counts of each class id (negative labels are not counted); the
// vector's length is the largest id + 1.
std::vector<uint64_t> class_counts(std::span<const int32_t> labels);

// The loss weight of each class under `weighting` (1 for a class with no examples).
// pos-weight fails unless the labels are binary with both classes present.
Result<std::vector<double>> class_weights(std::span<const int32_t> labels, ClassWeighting weighting);

// BCEWithLogitsLoss's pos_weight: n_negative / n_positive. Fails without positives.
Result<double> positive_weight(std::span<const int32_t> labels);

// The loss weight of every example (0 for an example without a label).
Result<std::vector<float>> example_loss_weights(std::span<const int32_t> labels, ClassWeighting weighting);

// ---------------------------------------------------------------------------------
// Effective class balance: what a scheme makes the model see in one epoch, per class.
// sample_share is the expected share of draws of the class; weighted_share multiplies
// each draw by its class weight (the share of the gradient the class carries). For
// oversample, undersample and random the counts are exact; for balanced and weighted
// they are expectations.
struct ClassShare {
  int32_t class_id = 0;
  uint64_t examples = 0;          // examples of the class in the data
  double samples_per_epoch = 0;   // expected draws of the class per epoch
  double sample_share = 0;        // samples_per_epoch / all draws
  double weighted_share = 0;      // share after loss weights
  double loss_weight = 1;         // the class's loss weight
};

struct ClassBalance {
  std::vector<ClassShare> classes;  // one per class id with examples, ascending ids
  double samples_per_epoch = 0;
  // The share of class 1 (the positives): weighted_share, or sample_share; 0 without it.
  double positive_share() const;
  double positive_sample_share() const;
};

Result<ClassBalance> effective_class_balance(const SamplerInput& input, const SamplerOptions& options);

// The balance actually drawn in one epoch's indices (each weighted by its class's loss
// weight under `weighting`): the check that the expectation above holds.
Result<ClassBalance> observed_class_balance(std::span<const int32_t> labels, std::span<const uint64_t> indices,
                                            ClassWeighting weighting);

}  // namespace epibook
