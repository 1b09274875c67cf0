// Seeded initial values: each parameter draws from its own counter-based stream, so
// adding a layer never shifts the values of the others.
#include "epibook/nn/init.h"

#include <cmath>

#include "epibook/random.h"

namespace epibook::nn {

void fill_uniform(Tensor& tensor, float bound, uint64_t seed, std::string_view stream_name) {
  CounterRng rng(seed, stable_hash(stream_name));
  const double width = 2.0 * static_cast<double>(bound);
  for (int64_t i = 0; i < tensor.size(); ++i) {
    tensor[i] = static_cast<float>(rng.next_double() * width - static_cast<double>(bound));
  }
}

float default_uniform_bound(int64_t fan_in) {
  return fan_in > 0 ? static_cast<float>(1.0 / std::sqrt(static_cast<double>(fan_in))) : 0.0f;
}

}  // namespace epibook::nn
