// Every metric of metrics.h against scipy / sklearn (metrics_reference.py) on the same
// arrays: random continuous values, values rounded into heavy ties, a single positive
// and tiny inputs. Agreement within 1e-12 (absolute; the sums run in different orders).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "epibook/metrics.h"
#include "epibook/npy.h"
#include "epibook/random.h"
#include "support/test_support.h"

namespace epibook {
namespace {

struct MetricCase {
  std::string name;
  size_t n = 0;
  double tie_step = 0.0;      // > 0: values rounded to multiples of it (many ties)
  double positive_rate = 0.3;
  size_t profiles = 6;
  size_t profile_length = 50;
};

float rounded(double value, double step) {
  return static_cast<float>(step > 0.0 ? std::round(value / step) * step : value);
}

struct MetricArrays {
  std::vector<float> predictions, targets, scores, labels, p, q;
};

// Targets correlate with predictions, labels lean towards high scores, and each
// profile pair shares a peak, so every metric lands away from its trivial value.
MetricArrays make_arrays(const MetricCase& c, uint64_t seed) {
  CounterRng rng(seed);
  MetricArrays a;
  for (size_t i = 0; i < c.n; ++i) {
    const double x = rng.next_double() * 4.0;
    a.predictions.push_back(rounded(x, c.tie_step));
    a.targets.push_back(rounded(x + rng.next_double() * 3.0, c.tie_step));
    const double score = rng.next_double();
    a.scores.push_back(rounded(score, c.tie_step));
    a.labels.push_back(rng.next_double() < c.positive_rate * (0.5 + score) ? 1.0f : 0.0f);
  }
  a.labels[0] = 1.0f;  // both classes present in every case
  a.labels[1] = 0.0f;
  for (size_t r = 0; r < c.profiles; ++r) {
    for (size_t j = 0; j < c.profile_length; ++j) {
      const double bump = std::exp(-std::pow((static_cast<double>(j) - 20.0) / 6.0, 2));
      a.p.push_back(static_cast<float>(bump * 10.0 + rng.next_double()));
      a.q.push_back(j % 7 == 3 ? 0.0f : static_cast<float>(bump * 8.0 + 2.0 * rng.next_double()));
    }
  }
  return a;
}

void save(const std::string& dir, const std::string& name, const std::vector<float>& values, uint64_t rows = 0) {
  std::vector<uint64_t> shape{values.size()};
  if (rows > 0) shape = {rows, values.size() / rows};
  ASSERT_TRUE(write_npy(dir + "/" + name + ".npy", values, shape).is_ok());
}

class MetricsAgainstScipy : public ::testing::TestWithParam<MetricCase> {};

TEST_P(MetricsAgainstScipy, EveryMetricAgrees) {
  const MetricCase& c = GetParam();
  const std::string dir = testing::scratch_dir("metrics-" + c.name);
  const MetricArrays a = make_arrays(c, 17 + c.n);
  save(dir, "predictions", a.predictions);
  save(dir, "targets", a.targets);
  save(dir, "scores", a.scores);
  save(dir, "labels", a.labels);
  save(dir, "p", a.p, c.profiles);
  save(dir, "q", a.q, c.profiles);
  const auto run = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + EPIBOOK_GOLDEN_DIR +
                                        "/metrics_reference.py " + dir + " 2>&1");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const nlohmann::json expected = nlohmann::json::parse(run.output);

  constexpr double kTolerance = 1e-12;
  EXPECT_NEAR(*pearson(a.predictions, a.targets), expected["pearson"].get<double>(), kTolerance);
  EXPECT_NEAR(*spearman(a.predictions, a.targets), expected["spearman"].get<double>(), kTolerance);
  EXPECT_NEAR(*mean_squared_error(a.predictions, a.targets), expected["mse"].get<double>(), kTolerance);
  EXPECT_NEAR(*auroc(a.scores, a.labels), expected["auroc"].get<double>(), kTolerance);
  EXPECT_NEAR(*auprc(a.scores, a.labels), expected["auprc"].get<double>(), kTolerance);
  EXPECT_NEAR(best_f1(a.scores, a.labels)->f1, expected["best_f1"].get<double>(), kTolerance);
  EXPECT_NEAR(*accuracy(a.scores, a.labels, 0.5), expected["accuracy"].get<double>(), kTolerance);
  double mean_jsd = 0.0;
  for (size_t r = 0; r < c.profiles; ++r) {
    const std::span<const float> p(a.p.data() + r * c.profile_length, c.profile_length);
    const std::span<const float> q(a.q.data() + r * c.profile_length, c.profile_length);
    const double reference = expected["jsd"][r].get<double>();
    EXPECT_NEAR(*jensen_shannon_distance(p, q), reference, kTolerance) << "profile " << r;
    mean_jsd += reference / static_cast<double>(c.profiles);
  }
  EXPECT_NEAR(*mean_jensen_shannon_distance(a.p, a.q, c.profile_length), mean_jsd, kTolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MetricsAgainstScipy,
    ::testing::Values(MetricCase{"continuous", 5000, 0.0, 0.3, 6, 50}, MetricCase{"heavy_ties", 3000, 0.1, 0.3, 6, 50},
                      MetricCase{"one_positive", 400, 0.0, 0.0, 4, 20},
                      MetricCase{"three_values", 3, 0.0, 0.5, 1, 3}),
    [](const ::testing::TestParamInfo<MetricCase>& info) { return info.param.name; });

}  // namespace
}  // namespace epibook
