// The floor beside every score: the metric on randomly permuted labels. Permutations
// come from the counter-based generator, so the floor reproduces on any platform.
#include <cmath>
#include <vector>

#include "epibook/metrics.h"
#include "epibook/random.h"

namespace epibook {
namespace {

void shuffle_in_place(std::vector<float>& values, CounterRng& rng) {
  for (size_t i = values.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng.next_below(i));
    std::swap(values[i - 1], values[j]);
  }
}

}  // namespace

Result<MetricFloor> shuffled_label_floor(const PairedMetric& metric, std::span<const float> predictions,
                                         std::span<const float> labels, uint64_t seed, uint32_t rounds) {
  if (rounds == 0) return invalid_argument("the shuffled-label floor needs at least one round");
  std::vector<double> scores;
  scores.reserve(rounds);
  std::vector<float> shuffled(labels.begin(), labels.end());
  for (uint32_t round = 0; round < rounds; ++round) {
    CounterRng rng(seed, round);
    shuffled.assign(labels.begin(), labels.end());
    shuffle_in_place(shuffled, rng);
    EPIBOOK_ASSIGN_OR_RETURN(const double score, metric(predictions, shuffled));
    scores.push_back(score);
  }
  MetricFloor floor;
  floor.rounds = rounds;
  for (double s : scores) floor.mean += s;
  floor.mean /= rounds;
  if (rounds > 1) {
    double squares = 0.0;
    for (double s : scores) squares += (s - floor.mean) * (s - floor.mean);
    floor.sd = std::sqrt(squares / (rounds - 1));
  }
  return floor;
}

}  // namespace epibook
