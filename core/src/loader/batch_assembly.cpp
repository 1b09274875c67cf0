// One batch from its place in the epoch (batch_assembly.h). Tracks are read with one
// values_batch call per track for the whole batch, so a compressed bigWig block that
// several windows share is inflated once per batch, not once per window.
#include "loader/batch_assembly.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>

#include "epibook/fasta.h"
#include "epibook/random.h"

namespace epibook::loader {
namespace {

// Augmentation draws get their own stream, apart from the sampler's (sampler.cpp uses
// streams epoch * 8 + 0..2).
constexpr uint64_t kAugmentStream = 5;
constexpr uint8_t kUnknownChannel = 4;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

constexpr std::array<uint8_t, 256> base_channels() {
  std::array<uint8_t, 256> channels{};
  for (auto& c : channels) c = kUnknownChannel;
  channels['A'] = 0, channels['C'] = 1, channels['G'] = 2, channels['T'] = 3;
  channels['a'] = 0, channels['c'] = 1, channels['g'] = 2, channels['t'] = 3;
  return channels;
}
constexpr std::array<uint8_t, 256> kBaseChannel = base_channels();

// Uniform in [0, n) from one 64-bit draw (Lemire's multiply-shift, as CounterRng).
uint64_t below(uint64_t draw, uint64_t n) {
  __extension__ using u128 = unsigned __int128;
  return static_cast<uint64_t>((static_cast<u128>(draw) * n) >> 64);
}

// Per-base values of one track for the batch -> targets[b, track, :].
void bin_track_into(const BatchPlan& plan, std::span<float> per_base, bool reversed, std::span<float> out) {
  const LoaderOptions& o = plan.options;
  apply_transform(o.transform, per_base);
  if (o.bin == 1) {
    std::copy(per_base.begin(), per_base.end(), out.begin());
  } else {
    // bin divides the window length (checked at creation), so bin_mean cannot fail.
    const Result<std::vector<float>> binned = bin_mean(per_base, o.bin, BinTail::kDrop);
    std::copy(binned->begin(), binned->end(), out.begin());
  }
  if (reversed) std::reverse(out.begin(), out.end());
  if (o.missing_as_zero) {
    for (float& v : out) v = std::isnan(v) ? 0.0f : v;
  }
}

Status read_targets(const BatchPlan& plan, Batch& batch, AssemblyTimes& times) {
  const uint64_t per_window = plan.length;
  // One scratch array per thread, reused from batch to batch.
  thread_local std::vector<float> per_base;
  per_base.resize(static_cast<size_t>(batch.size) * per_window);
  batch.targets.resize(static_cast<size_t>(batch.size) * batch.tracks * batch.bins);
  for (uint32_t t = 0; t < batch.tracks; ++t) {
    const SignalSource& track = plan.inputs.tracks[t];
    const Clock::time_point start = Clock::now();
    EPIBOOK_RETURN_IF_ERROR(track.values_batch(batch.regions, per_base));
    times.tracks += seconds_since(start);
    for (uint32_t b = 0; b < batch.size; ++b) {
      std::span<float> window(per_base.data() + b * per_window, per_window);
      std::span<float> out(batch.targets.data() + (static_cast<size_t>(b) * batch.tracks + t) * batch.bins,
                           batch.bins);
      bin_track_into(plan, window, batch.reversed[b] != 0, out);
    }
  }
  return Status::ok();
}

Status read_sequence(const BatchPlan& plan, Batch& batch, AssemblyTimes& times) {
  const Clock::time_point start = Clock::now();
  const size_t per_window = size_t{4} * plan.length;
  batch.sequence.resize(batch.size * per_window);
  for (uint32_t b = 0; b < batch.size; ++b) {
    EPIBOOK_ASSIGN_OR_RETURN(const std::string bases, plan.inputs.sequence->fetch(batch.regions[b]));
    one_hot_into(bases, plan.options.unknown_base, batch.reversed[b] != 0,
                 std::span<float>(batch.sequence.data() + b * per_window, per_window));
  }
  times.sequence += seconds_since(start);
  return Status::ok();
}

}  // namespace

void one_hot_into(std::string_view bases, UnknownBase unknown, bool reverse_complement, std::span<float> out) {
  const size_t length = bases.size();
  const float unknown_value = unknown == UnknownBase::kQuarter ? 0.25f : 0.0f;
  std::fill(out.begin(), out.end(), 0.0f);
  for (size_t j = 0; j < length; ++j) {
    const uint8_t channel = kBaseChannel[static_cast<uint8_t>(bases[j])];
    // The complement of channel c is 3 - c (A<->T, C<->G), read from the other end.
    const size_t at = reverse_complement ? length - 1 - j : j;
    if (channel == kUnknownChannel) {
      for (size_t c = 0; c < 4; ++c) out[c * length + at] = unknown_value;
    } else {
      const size_t c = reverse_complement ? 3u - channel : channel;
      out[c * length + at] = 1.0f;
    }
  }
}

AugmentedWindow augment_window(const BatchPlan& plan, uint64_t epoch, uint64_t position, uint64_t example) {
  const LoaderOptions& o = plan.options;
  const CounterRng draws(o.sampler.seed, epoch * 8 + kAugmentStream);
  AugmentedWindow window{plan.inputs.windows[example], false};
  if (o.max_shift > 0) {
    const auto shift = static_cast<int64_t>(below(draws.at(2 * position), 2 * uint64_t{o.max_shift} + 1)) -
                       static_cast<int64_t>(o.max_shift);
    const auto highest_start = static_cast<int64_t>(plan.chrom_limit[example] - plan.length);
    const int64_t start = std::clamp(static_cast<int64_t>(window.region.start) + shift, int64_t{0}, highest_start);
    window.region.start = static_cast<uint64_t>(start);
    window.region.end = window.region.start + plan.length;
  }
  if (o.reverse_complement) window.reversed = (draws.at(2 * position + 1) >> 63) != 0;
  return window;
}

Result<Batch> assemble_batch(const BatchPlan& plan, uint64_t epoch, uint64_t number, std::span<const uint64_t> order,
                             AssemblyTimes& times, Batch recycled) {
  const uint64_t first = number * plan.options.batch_size;
  if (first >= order.size()) {
    return invalid_argument("loader: batch " + std::to_string(number) + " is past the end of epoch " +
                            std::to_string(epoch) + " (" + std::to_string(order.size()) + " samples)");
  }
  Batch batch = std::move(recycled);
  batch.labels.clear();
  batch.loss_weights.clear();
  batch.examples.clear();
  batch.regions.clear();
  batch.reversed.clear();
  if (plan.inputs.sequence == nullptr) batch.sequence.clear();
  if (plan.inputs.tracks.empty()) batch.targets.clear();
  batch.epoch = epoch;
  batch.number = number;
  batch.size = static_cast<uint32_t>(std::min<uint64_t>(plan.options.batch_size, order.size() - first));
  batch.length = plan.length;
  batch.tracks = static_cast<uint32_t>(plan.inputs.tracks.size());
  batch.bins = plan.length / plan.options.bin;
  for (uint32_t b = 0; b < batch.size; ++b) {
    const uint64_t example = order[first + b];
    const AugmentedWindow window = augment_window(plan, epoch, first + b, example);
    batch.examples.push_back(example);
    batch.regions.push_back(window.region);
    batch.reversed.push_back(window.reversed ? 1 : 0);
    if (!plan.inputs.labels.empty()) {
      batch.labels.push_back(plan.inputs.labels[example]);
      batch.loss_weights.push_back(plan.loss_weights[example]);
    }
  }
  if (plan.inputs.sequence != nullptr) EPIBOOK_RETURN_IF_ERROR(read_sequence(plan, batch, times));
  if (batch.tracks > 0) EPIBOOK_RETURN_IF_ERROR(read_targets(plan, batch, times));
  return batch;
}

}  // namespace epibook::loader
