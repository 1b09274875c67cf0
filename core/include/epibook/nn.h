// The neural-network engine in one include: tensors, the backend, every layer, the
// models and checkpoints. Losses, optimisers and the training loop have their own
// headers next to these (loss.h and those that follow it).
#pragma once

#include "epibook/nn/backend.h"
#include "epibook/nn/init.h"
#include "epibook/nn/layer.h"
#include "epibook/nn/layers/activations.h"
#include "epibook/nn/layers/batch_norm.h"
#include "epibook/nn/layers/conv1d.h"
#include "epibook/nn/layers/dense.h"
#include "epibook/nn/layers/dropout.h"
#include "epibook/nn/layers/pooling.h"
#include "epibook/nn/model.h"
#include "epibook/nn/tensor.h"
