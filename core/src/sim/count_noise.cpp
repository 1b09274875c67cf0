// Random variates for simulated counts and positions (see count_noise.h).
#include "sim/count_noise.h"

#include <cmath>

namespace epibook::sim {

double draw_normal(CounterRng& rng) {
  while (true) {
    const double u = 2.0 * rng.next_double() - 1.0;
    const double v = 2.0 * rng.next_double() - 1.0;
    const double s = u * u + v * v;
    if (s > 0 && s < 1) return u * std::sqrt(-2.0 * std::log(s) / s);
  }
}

double draw_gamma(double shape, CounterRng& rng) {
  if (shape < 1) {
    const double boosted = draw_gamma(shape + 1, rng);
    return boosted * std::exp(std::log(1.0 - rng.next_double()) / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    const double x = draw_normal(rng);
    const double t = 1.0 + c * x;
    if (t <= 0) continue;
    const double v = t * t * t;
    const double u = 1.0 - rng.next_double();  // (0, 1], so its log is finite
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

uint64_t draw_poisson(double mean, CounterRng& rng) {
  if (!(mean > 0)) return 0;
  if (mean < 30) {
    const double limit = std::exp(-mean);
    uint64_t k = 0;
    double product = 1.0 - rng.next_double();
    while (product > limit) {
      ++k;
      product *= 1.0 - rng.next_double();
    }
    return k;
  }
  const double value = std::floor(mean + std::sqrt(mean) * draw_normal(rng) + 0.5);
  return value > 0 ? static_cast<uint64_t>(value) : 0;
}

uint64_t draw_negative_binomial(double mean, double dispersion, CounterRng& rng) {
  if (!(mean > 0)) return 0;
  const double rate = mean * draw_gamma(dispersion, rng) / dispersion;
  return draw_poisson(rate, rng);
}

}  // namespace epibook::sim
