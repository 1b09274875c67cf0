// Sampling schemes and class weights for imbalanced labels (epibook/sampler.h): the
// indices of each epoch come from CounterRng streams keyed by (seed, epoch, purpose),
// so an epoch can be drawn again anywhere, in any order, and give the same indices.
#include "epibook/sampler.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "epibook/random.h"

namespace epibook {
namespace {

// Separate streams per epoch and per use, so drawing the shuffle never shifts the subsets.
enum class DrawPurpose : uint64_t { kShuffle = 0, kDraws = 1, kSubsets = 2 };

CounterRng epoch_rng(uint64_t seed, uint64_t epoch, DrawPurpose purpose) {
  return CounterRng(seed, epoch * 8 + static_cast<uint64_t>(purpose));
}

// Fisher-Yates from the back; identical on every platform because next_below is.
void shuffle_in_place(std::vector<uint64_t>& items, CounterRng& rng) {
  for (size_t i = items.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng.next_below(i));
    std::swap(items[i - 1], items[j]);
  }
}

// `count` distinct members, chosen by a partial Fisher-Yates over a copy.
std::vector<uint64_t> random_subset(std::vector<uint64_t> members, uint64_t count, CounterRng& rng) {
  count = std::min<uint64_t>(count, members.size());
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t j = i + rng.next_below(members.size() - i);
    std::swap(members[i], members[j]);
  }
  members.resize(count);
  return members;
}

// The examples of each class id, in index order; negative labels belong to none.
struct ClassMembers {
  std::vector<std::vector<uint64_t>> of_class;  // indexed by class id
  uint64_t labelled = 0;

  std::vector<int32_t> present_classes() const {
    std::vector<int32_t> present;
    for (size_t c = 0; c < of_class.size(); ++c) {
      if (!of_class[c].empty()) present.push_back(static_cast<int32_t>(c));
    }
    return present;
  }
  uint64_t count(int32_t c) const { return of_class[static_cast<size_t>(c)].size(); }
};

uint64_t example_count(const SamplerInput& input) {
  return input.labels.empty() ? input.example_count : input.labels.size();
}

ClassMembers group_by_class(const SamplerInput& input) {
  ClassMembers members;
  if (input.labels.empty()) {
    members.of_class.resize(1);
    members.of_class[0].resize(input.example_count);
    for (uint64_t i = 0; i < input.example_count; ++i) members.of_class[0][i] = i;
    members.labelled = input.example_count;
    return members;
  }
  for (size_t i = 0; i < input.labels.size(); ++i) {
    const int32_t label = input.labels[i];
    if (label < 0) continue;
    if (static_cast<size_t>(label) >= members.of_class.size()) members.of_class.resize(static_cast<size_t>(label) + 1);
    members.of_class[static_cast<size_t>(label)].push_back(i);
    ++members.labelled;
  }
  return members;
}

bool needs_labels(SamplingScheme scheme) {
  return scheme == SamplingScheme::kClassBalanced || scheme == SamplingScheme::kOverSample ||
         scheme == SamplingScheme::kUnderSample;
}

Status check_input(const SamplerInput& input, const SamplerOptions& options) {
  EPIBOOK_RETURN_IF_ERROR(validate_sampler_options(options));
  if (input.labels.empty() && needs_labels(options.scheme)) {
    return invalid_argument(std::string("sampler: the ") + sampling_scheme_name(options.scheme) +
                            " scheme needs a label per example, and none were given");
  }
  const uint64_t n = example_count(input);
  if (options.scheme == SamplingScheme::kWeighted) {
    if (input.weights.size() != n) {
      return invalid_argument("sampler: " + std::to_string(input.weights.size()) + " weights for " +
                              std::to_string(n) + " examples");
    }
    for (size_t i = 0; i < input.weights.size(); ++i) {
      if (!std::isfinite(input.weights[i]) || input.weights[i] < 0) {
        return invalid_argument("sampler: weight of example " + std::to_string(i) + " is " +
                                std::to_string(input.weights[i]) + "; weights must be finite and >= 0");
      }
    }
  }
  return Status::ok();
}

// Example i's weight for the weighted scheme: its given weight, 0 without a label.
double draw_weight(const SamplerInput& input, size_t i) {
  if (!input.labels.empty() && input.labels[i] < 0) return 0.0;
  return input.weights[i];
}

uint64_t draws_per_epoch(const SamplerOptions& options, const ClassMembers& members) {
  return options.samples_per_epoch != 0 ? options.samples_per_epoch : members.labelled;
}

// oversample: samples of class c per epoch; undersample: likewise. Exact integers.
uint64_t oversampled_count(uint64_t class_count, uint64_t largest, double ratio) {
  const auto target = static_cast<uint64_t>(std::llround(ratio * static_cast<double>(largest)));
  return std::max(class_count, target);
}

uint64_t undersampled_count(uint64_t class_count, uint64_t smallest, double ratio) {
  const auto cap = static_cast<uint64_t>(std::llround(static_cast<double>(smallest) / ratio));
  return std::min(class_count, std::max<uint64_t>(cap, 1));
}

uint64_t largest_class(const ClassMembers& members) {
  uint64_t largest = 0;
  for (const auto& m : members.of_class) largest = std::max<uint64_t>(largest, m.size());
  return largest;
}

uint64_t smallest_class(const ClassMembers& members) {
  uint64_t smallest = UINT64_MAX;
  for (const auto& m : members.of_class) {
    if (!m.empty()) smallest = std::min<uint64_t>(smallest, m.size());
  }
  return smallest;
}

// The per-epoch sample count of class c under the exact-count schemes.
uint64_t exact_class_samples(const SamplerOptions& options, const ClassMembers& members, int32_t c) {
  const uint64_t n = members.count(c);
  switch (options.scheme) {
    case SamplingScheme::kOverSample: return oversampled_count(n, largest_class(members), options.target_ratio);
    case SamplingScheme::kUnderSample:
      return undersampled_count(n, smallest_class(members), options.target_ratio);
    default: return n;
  }
}

std::vector<uint64_t> shuffled_all(const ClassMembers& members, CounterRng& rng) {
  std::vector<uint64_t> order;
  order.reserve(members.labelled);
  for (const auto& m : members.of_class) order.insert(order.end(), m.begin(), m.end());
  std::sort(order.begin(), order.end());
  shuffle_in_place(order, rng);
  return order;
}

std::vector<uint64_t> balanced_draws(const ClassMembers& members, uint64_t draws, CounterRng& rng) {
  const std::vector<int32_t> present = members.present_classes();
  std::vector<uint64_t> order(draws);
  for (uint64_t k = 0; k < draws; ++k) {
    const auto& m = members.of_class[static_cast<size_t>(present[rng.next_below(present.size())])];
    order[k] = m[rng.next_below(m.size())];
  }
  return order;
}

Result<std::vector<uint64_t>> weighted_draws(const SamplerInput& input, uint64_t draws, CounterRng& rng) {
  const uint64_t n = example_count(input);
  std::vector<double> cumulative(n);
  double total = 0;
  uint64_t last_positive = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const double w = draw_weight(input, i);
    total += w;
    cumulative[i] = total;
    if (w > 0) last_positive = i;
  }
  if (!(total > 0)) return invalid_argument("sampler: every example has weight 0, so none can be drawn");
  std::vector<uint64_t> order(draws);
  for (uint64_t k = 0; k < draws; ++k) {
    const double u = rng.next_double() * total;
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
    // u can round up to `total`; the last example with weight then takes the draw.
    order[k] = it == cumulative.end() ? last_positive : static_cast<uint64_t>(it - cumulative.begin());
  }
  return order;
}

std::vector<uint64_t> resampled_classes(const SamplerOptions& options, const ClassMembers& members,
                                        uint64_t epoch) {
  CounterRng subset_rng = epoch_rng(options.seed, epoch, DrawPurpose::kSubsets);
  std::vector<uint64_t> order;
  for (int32_t c : members.present_classes()) {
    const auto& m = members.of_class[static_cast<size_t>(c)];
    const uint64_t target = exact_class_samples(options, members, c);
    for (uint64_t copy = 0; copy < target / m.size(); ++copy) order.insert(order.end(), m.begin(), m.end());
    const std::vector<uint64_t> rest = random_subset(m, target % m.size(), subset_rng);
    order.insert(order.end(), rest.begin(), rest.end());
  }
  CounterRng shuffle_rng = epoch_rng(options.seed, epoch, DrawPurpose::kShuffle);
  shuffle_in_place(order, shuffle_rng);
  return order;
}

std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace

Result<SamplingScheme> parse_sampling_scheme(std::string_view name) {
  if (name == "random") return SamplingScheme::kRandom;
  if (name == "balanced") return SamplingScheme::kClassBalanced;
  if (name == "weighted") return SamplingScheme::kWeighted;
  if (name == "oversample") return SamplingScheme::kOverSample;
  if (name == "undersample") return SamplingScheme::kUnderSample;
  return invalid_argument("unknown sampling scheme '" + std::string(name) +
                          "' (random, balanced, weighted, oversample, undersample)");
}

const char* sampling_scheme_name(SamplingScheme scheme) {
  switch (scheme) {
    case SamplingScheme::kRandom: return "random";
    case SamplingScheme::kClassBalanced: return "balanced";
    case SamplingScheme::kWeighted: return "weighted";
    case SamplingScheme::kOverSample: return "oversample";
    case SamplingScheme::kUnderSample: return "undersample";
  }
  return "random";
}

Result<ClassWeighting> parse_class_weighting(std::string_view name) {
  if (name == "none") return ClassWeighting::kNone;
  if (name == "inverse-frequency") return ClassWeighting::kInverseFrequency;
  if (name == "pos-weight") return ClassWeighting::kPosWeight;
  return invalid_argument("unknown class weighting '" + std::string(name) + "' (none, inverse-frequency, pos-weight)");
}

const char* class_weighting_name(ClassWeighting weighting) {
  switch (weighting) {
    case ClassWeighting::kNone: return "none";
    case ClassWeighting::kInverseFrequency: return "inverse-frequency";
    case ClassWeighting::kPosWeight: return "pos-weight";
  }
  return "none";
}

Status validate_sampler_options(const SamplerOptions& options) {
  if (!(options.target_ratio > 0 && options.target_ratio <= 1)) {
    return invalid_argument("sampler: target ratio " + number_text(options.target_ratio) +
                            " is outside (0, 1] (samples of a smaller class per sample of the largest)");
  }
  return Status::ok();
}

std::vector<int32_t> class_ids_from_labels(std::span<const int8_t> labels) {
  return std::vector<int32_t>(labels.begin(), labels.end());
}

Result<std::vector<uint64_t>> sample_epoch(const SamplerInput& input, const SamplerOptions& options,
                                           uint64_t epoch) {
  EPIBOOK_RETURN_IF_ERROR(check_input(input, options));
  const ClassMembers members = group_by_class(input);
  if (members.labelled == 0) return invalid_argument("sampler: no example has a label, so there is nothing to sample");
  switch (options.scheme) {
    case SamplingScheme::kRandom: {
      CounterRng rng = epoch_rng(options.seed, epoch, DrawPurpose::kShuffle);
      return shuffled_all(members, rng);
    }
    case SamplingScheme::kClassBalanced: {
      CounterRng rng = epoch_rng(options.seed, epoch, DrawPurpose::kDraws);
      return balanced_draws(members, draws_per_epoch(options, members), rng);
    }
    case SamplingScheme::kWeighted: {
      CounterRng rng = epoch_rng(options.seed, epoch, DrawPurpose::kDraws);
      return weighted_draws(input, draws_per_epoch(options, members), rng);
    }
    case SamplingScheme::kOverSample:
    case SamplingScheme::kUnderSample: return resampled_classes(options, members, epoch);
  }
  return invalid_argument("sampler: unknown scheme");
}

std::vector<uint64_t> class_counts(std::span<const int32_t> labels) {
  std::vector<uint64_t> counts;
  for (int32_t label : labels) {
    if (label < 0) continue;
    if (static_cast<size_t>(label) >= counts.size()) counts.resize(static_cast<size_t>(label) + 1, 0);
    ++counts[static_cast<size_t>(label)];
  }
  return counts;
}

Result<double> positive_weight(std::span<const int32_t> labels) {
  const std::vector<uint64_t> counts = class_counts(labels);
  if (counts.size() > 2) {
    return invalid_argument("pos_weight needs binary labels (0 and 1); found class id " +
                            std::to_string(counts.size() - 1));
  }
  const uint64_t positives = counts.size() > 1 ? counts[1] : 0;
  const uint64_t negatives = counts.empty() ? 0 : counts[0];
  if (positives == 0) return invalid_argument("pos_weight: no positive example (label 1), so n_neg / n_pos is undefined");
  return static_cast<double>(negatives) / static_cast<double>(positives);
}

Result<std::vector<double>> class_weights(std::span<const int32_t> labels, ClassWeighting weighting) {
  const std::vector<uint64_t> counts = class_counts(labels);
  std::vector<double> weights(std::max<size_t>(counts.size(), 1), 1.0);
  if (weighting == ClassWeighting::kPosWeight) {
    EPIBOOK_ASSIGN_OR_RETURN(const double pos, positive_weight(labels));
    if (weights.size() < 2) weights.resize(2, 1.0);
    weights[1] = pos;
  } else if (weighting == ClassWeighting::kInverseFrequency) {
    uint64_t total = 0, present = 0;
    for (uint64_t n : counts) {
      total += n;
      present += n > 0 ? 1 : 0;
    }
    for (size_t c = 0; c < counts.size(); ++c) {
      if (counts[c] > 0) {
        weights[c] = static_cast<double>(total) / (static_cast<double>(present) * static_cast<double>(counts[c]));
      }
    }
  }
  return weights;
}

Result<std::vector<float>> example_loss_weights(std::span<const int32_t> labels, ClassWeighting weighting) {
  EPIBOOK_ASSIGN_OR_RETURN(const std::vector<double> per_class, class_weights(labels, weighting));
  std::vector<float> weights(labels.size(), 0.0f);
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= 0) weights[i] = static_cast<float>(per_class[static_cast<size_t>(labels[i])]);
  }
  return weights;
}

double ClassBalance::positive_share() const {
  for (const ClassShare& share : classes) {
    if (share.class_id == 1) return share.weighted_share;
  }
  return 0.0;
}

double ClassBalance::positive_sample_share() const {
  for (const ClassShare& share : classes) {
    if (share.class_id == 1) return share.sample_share;
  }
  return 0.0;
}

namespace {

// Fills the shares from each class's samples per epoch and loss weight.
ClassBalance balance_from_samples(std::vector<ClassShare> classes) {
  ClassBalance balance;
  double weighted_total = 0;
  for (const ClassShare& share : classes) {
    balance.samples_per_epoch += share.samples_per_epoch;
    weighted_total += share.samples_per_epoch * share.loss_weight;
  }
  for (ClassShare& share : classes) {
    share.sample_share = balance.samples_per_epoch > 0 ? share.samples_per_epoch / balance.samples_per_epoch : 0;
    share.weighted_share = weighted_total > 0 ? share.samples_per_epoch * share.loss_weight / weighted_total : 0;
  }
  balance.classes = std::move(classes);
  return balance;
}

double expected_class_samples(const SamplerInput& input, const SamplerOptions& options, const ClassMembers& members,
                              int32_t c, double weight_total) {
  switch (options.scheme) {
    case SamplingScheme::kClassBalanced:
      return static_cast<double>(draws_per_epoch(options, members)) /
             static_cast<double>(members.present_classes().size());
    case SamplingScheme::kWeighted: {
      double class_weight = 0;
      for (uint64_t i : members.of_class[static_cast<size_t>(c)]) class_weight += draw_weight(input, i);
      return weight_total > 0 ? static_cast<double>(draws_per_epoch(options, members)) * class_weight / weight_total
                              : 0.0;
    }
    default: return static_cast<double>(exact_class_samples(options, members, c));
  }
}

}  // namespace

Result<ClassBalance> effective_class_balance(const SamplerInput& input, const SamplerOptions& options) {
  EPIBOOK_RETURN_IF_ERROR(check_input(input, options));
  const ClassMembers members = group_by_class(input);
  if (members.labelled == 0) return invalid_argument("sampler: no example has a label, so there is no balance");
  EPIBOOK_ASSIGN_OR_RETURN(const std::vector<double> loss_weights, class_weights(input.labels, options.class_weighting));
  double weight_total = 0;
  if (options.scheme == SamplingScheme::kWeighted) {
    for (uint64_t i = 0; i < example_count(input); ++i) weight_total += draw_weight(input, i);
  }
  std::vector<ClassShare> classes;
  for (int32_t c : members.present_classes()) {
    ClassShare share;
    share.class_id = c;
    share.examples = members.count(c);
    share.samples_per_epoch = expected_class_samples(input, options, members, c, weight_total);
    share.loss_weight = static_cast<size_t>(c) < loss_weights.size() ? loss_weights[static_cast<size_t>(c)] : 1.0;
    classes.push_back(share);
  }
  return balance_from_samples(std::move(classes));
}

Result<ClassBalance> observed_class_balance(std::span<const int32_t> labels, std::span<const uint64_t> indices,
                                            ClassWeighting weighting) {
  EPIBOOK_ASSIGN_OR_RETURN(const std::vector<double> loss_weights, class_weights(labels, weighting));
  const std::vector<uint64_t> counts = class_counts(labels);
  std::vector<double> drawn(counts.size(), 0.0);
  for (uint64_t index : indices) {
    if (index >= labels.size()) {
      return invalid_argument("sampler: index " + std::to_string(index) + " is past the " +
                              std::to_string(labels.size()) + " labels");
    }
    if (labels[index] >= 0) drawn[static_cast<size_t>(labels[index])] += 1;
  }
  std::vector<ClassShare> classes;
  for (size_t c = 0; c < counts.size(); ++c) {
    if (counts[c] == 0) continue;
    ClassShare share;
    share.class_id = static_cast<int32_t>(c);
    share.examples = counts[c];
    share.samples_per_epoch = drawn[c];
    share.loss_weight = loss_weights[c];
    classes.push_back(share);
  }
  return balance_from_samples(std::move(classes));
}

}  // namespace epibook
