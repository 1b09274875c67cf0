// Private to core/src/nn/losses: the shape and value checks each loss starts with, so
// every loss words its refusals the same way ("mse: output [4, 1] vs target [4]").
#pragma once

#include <string>

#include "epibook/nn/tensor.h"
#include "epibook/status.h"

namespace epibook::nn {

// Same element count and same shape, and at least one element.
Status check_same_shape(const std::string& loss, const Tensor& output, const Tensor& target);
// Every target finite; also >= low when `low` is given (counts), <= high likewise.
Status check_targets_in(const std::string& loss, const Tensor& target, double low, double high);
// Resizes `grad` like `output` when it is set.
void prepare_grad(const Tensor& output, Tensor* grad);
// log(1 + e^x) without overflow for large x or loss of precision for very negative x.
double softplus(double x);

}  // namespace epibook::nn
