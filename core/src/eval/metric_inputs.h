// Private to core/src/eval: the argument checks every metric starts with, so each
// metric's message names its own arrays the same way.
#pragma once

#include <cstddef>
#include <span>

#include "epibook/status.h"

namespace epibook {

// Equal, non-zero lengths.
Status check_same_length(size_t a, size_t b, const char* a_name, const char* b_name);
// predictions / targets: equal lengths, all finite.
Status check_scored_pairs(std::span<const float> predictions, std::span<const float> targets);
// scores / labels: equal lengths, finite scores, 0/1 labels.
Status check_scored_labels(std::span<const float> scores, std::span<const float> labels);

}  // namespace epibook
