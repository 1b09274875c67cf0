// Private to core/src/sim: the random variates the simulator needs (normal, gamma,
// Poisson, negative binomial), drawn from epibook/random.h with sqrt, log and exp
// only, which are correctly rounded or identical in glibc and emscripten's musl,
// so native and wasm draw the same numbers.
#pragma once

#include <cstdint>

#include "epibook/random.h"

namespace epibook::sim {

// Standard normal, by Marsaglia's polar method.
double draw_normal(CounterRng& rng);
// Gamma(shape, scale 1), by Marsaglia and Tsang (shape < 1 boosted by u^(1/shape)).
double draw_gamma(double shape, CounterRng& rng);
// Poisson: multiplication of uniforms below a mean of 30, a rounded normal above.
uint64_t draw_poisson(double mean, CounterRng& rng);
// Negative binomial with this mean and variance mean + mean^2 / dispersion, as a
// gamma-Poisson mixture: the over-dispersed counts sequencing gives.
uint64_t draw_negative_binomial(double mean, double dispersion, CounterRng& rng);

}  // namespace epibook::sim
