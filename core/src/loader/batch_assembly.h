// Building one batch from its place in an epoch: augmentation draws, windows as read,
// one-hot sequence and binned targets. Private to core/src/loader; the BatchLoader
// (batch_loader.cpp) calls it from its worker threads, so it only reads shared state.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "epibook/loader.h"

namespace epibook::loader {

// What every batch of a loader reads: the checked inputs and, per window, the end of
// the shortest chromosome among the sources (a shift must not pass it).
struct BatchPlan {
  LoaderInputs inputs;
  LoaderOptions options;
  uint32_t length = 0;
  std::vector<uint64_t> chrom_limit;  // per window
  std::vector<float> loss_weights;    // per window; empty without labels
};

// Time spent by one batch, added to the loader's totals.
struct AssemblyTimes {
  double tracks = 0;
  double sequence = 0;
};

// The window with its shift applied and whether it is reverse-complemented, from
// draws keyed by (seed, epoch, position in the epoch): the same on every thread.
struct AugmentedWindow {
  Region region;
  bool reversed = false;
};
AugmentedWindow augment_window(const BatchPlan& plan, uint64_t epoch, uint64_t position, uint64_t example);

// Batch `number` of an epoch whose sample order is `order`, built in `recycled` (a
// batch handed back, whose arrays already have their memory: a fresh 2 MB array costs
// page faults and zeroing on every batch; every element is overwritten).
Result<Batch> assemble_batch(const BatchPlan& plan, uint64_t epoch, uint64_t number,
                             std::span<const uint64_t> order, AssemblyTimes& times, Batch recycled = {});

// One-hot [4, L] of `bases` into `out` (size 4 * L, every element written),
// reverse-complemented when asked.
void one_hot_into(std::string_view bases, UnknownBase unknown, bool reverse_complement, std::span<float> out);

}  // namespace epibook::loader
