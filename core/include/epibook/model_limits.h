// How large a model a ModelSpec may build: a ceiling on its parameters and on the
// activations one training batch holds, both counted from the spec and the data's row
// shapes before any layer allocates. A checkpoint bounds the parameters by the values it
// stores (its header is untrusted); `epibook train` and a lab bound both, so an absurd
// config (2^40 channels, a kernel or a window of a billion) is refused with the setting
// at fault instead of ending in std::bad_alloc, the OOM killer or a wasm abort.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "epibook/train.h"

namespace epibook {

struct ModelLimits {
  int64_t max_parameters = std::numeric_limits<int64_t>::max();
  // Bytes of one training batch's activations: every layer's float32 outputs for
  // `batch_size` rows (and the input), twice over for their gradients.
  int64_t max_batch_activation_bytes = std::numeric_limits<int64_t>::max();
  int64_t batch_size = 1;
  // Whose limits, for messages ("a training run", "a page"); empty: no words added.
  std::string holder;
};

// A training run's limits (`epibook train`, train_run), with a wide margin over the
// book: its longest windows (chapter 1's 1,024 bp) under the default preset (two conv
// blocks of 32 channels, kernel 9, pool 2; the chapters' configs mostly use 16 channels)
// make 10,465 parameters and 62 MiB of activations a batch of 64 rows
// (model_limits_test checks both). 2^28 parameters are 4 GiB with their gradients and
// Adam's two moments; 8 GiB of one batch's activations is more than a laptop gives.
inline constexpr int64_t kMaxTrainingParameters = int64_t{1} << 28;
inline constexpr int64_t kMaxTrainingActivationBytes = int64_t{8} << 30;
ModelLimits training_model_limits(uint32_t batch_size);

// build_model within `limits`: a first pass counts each layer of the spec against them
// (nothing is allocated), naming the setting at fault and the size reached, e.g.
// "model.channels = 1099511627776: conv block 1 has 1099511627776 x 4 x 9 weights (...)";
// only a model inside them is built.
Result<nn::LayerPtr> build_model_within(const ModelSpec& spec, const nn::Shape& input_shape,
                                        const nn::Shape& target_shape, uint64_t seed, const ModelLimits& limits);

}  // namespace epibook
