// The batched loader: windows -> dense arrays a model trains on. One-hot sequence
// [B, 4, L] from a FASTA, targets [B, T, L/bin] from T signal tracks, labels and loss
// weights, in the order a sampler (sampler.h) chose, with augmentation, prefetched on
// worker threads natively. Sits between regions/split and nn.
//
// Sections: options and presets | inputs | batches | BatchLoader
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/prep.h"     // SignalSource, SignalTransform
#include "epibook/region.h"
#include "epibook/sampler.h"
#include "epibook/status.h"

namespace epibook {

class FastaReader;

// ---------------------------------------------------------------------------------
// Options. Every batch is a pure function of (inputs, options, epoch, batch number):
// the same seed gives the same batches bit for bit on any number of threads and in
// WebAssembly, because each window's augmentation draws come from a counter keyed by
// its position in the epoch, and each batch is assembled by one thread in a fixed order.

// What a base other than A, C, G, T (N, or an IUPAC code) becomes in the one-hot array.
//   zeros    all four channels 0: "no base" (Basenji, BPNet).
//   quarter  all four channels 0.25: "any base, equally likely" (DeepSEA, Enformer).
// Both are their own reverse complement, so augmentation leaves them as they are.
enum class UnknownBase { kZeros, kQuarter };
Result<UnknownBase> parse_unknown_base(std::string_view name);  // "zeros", "quarter"
const char* unknown_base_name(UnknownBase unknown);

struct LoaderOptions {
  uint32_t batch_size = 64;
  // bp per target bin: each target is the mean of the non-NaN bases of its bin (prep.h's
  // bin_mean); must divide the window length. 1 keeps per-base values.
  uint32_t bin = 1;
  // Applied per base, before binning, as `epibook prep` does.
  SignalTransform transform = SignalTransform::kNone;
  // Bases without data are NaN in the targets unless this is set, which makes them 0.
  bool missing_as_zero = false;
  UnknownBase unknown_base = UnknownBase::kZeros;
  // Augmentation. Reverse complement: each window, with probability 1/2, has its
  // sequence complemented and reversed and its targets reversed (the same locus seen
  // from the other strand). Shift: each window moves by a whole number of bases drawn
  // uniformly from [-max_shift, max_shift], clamped so it stays on its chromosome.
  bool reverse_complement = false;
  uint32_t max_shift = 0;
  // The last, short batch of an epoch is kept unless this is set.
  bool drop_last = false;
  // Which windows and in what order (sampler.h); its seed also seeds augmentation.
  SamplerOptions sampler;
  // Worker threads assembling batches ahead of the consumer (0: each batch is built in
  // next(), on the calling thread), and how many batches may be claimed ahead of the
  // consumer (the memory bound). In WebAssembly batches are always built in next(), by
  // the same code.
  uint32_t threads = 1;
  uint32_t prefetch_batches = 4;
};

// "default" (the struct above), "bpnet" (per-base targets, reverse complement, jitter
// of up to 100 bp, class-balanced sampling), "tutorial1" (32 bp bins of arcsinh signal,
// N as zeros, no augmentation, as `epibook prep --preset tutorial1`), "benchmark" (64
// windows per batch, per-base targets, no augmentation, 2 threads natively).
std::vector<std::string> loader_preset_names();
Result<LoaderOptions> loader_preset(std::string_view name);
Status validate_loader_options(const LoaderOptions& options);

// ---------------------------------------------------------------------------------
// Inputs. Windows all have the same length L; each must lie on a chromosome of the
// FASTA and of every track. `labels` (class ids per window, negative = missing) feed the
// sampler and the batches; `sampling_weights` the weighted scheme. The sources must
// outlive the loader (BigWigReader and FastaReader are safe to read from many threads).
struct LoaderInputs {
  std::vector<Region> windows;
  const FastaReader* sequence = nullptr;  // nullptr: batches carry no sequence
  std::vector<SignalSource> tracks;       // may be empty: sequence-only batches
  std::vector<int32_t> labels;            // empty or one per window
  std::vector<double> sampling_weights;   // empty or one per window
};

// ---------------------------------------------------------------------------------
// One batch, every array row-major. B is the batch size (the last batch of an epoch
// may be smaller), L the window length, T the number of tracks, bins = L / bin.
struct Batch {
  uint64_t epoch = 0;
  uint64_t number = 0;       // position of the batch within its epoch
  uint32_t size = 0;         // B
  uint32_t length = 0;       // L
  uint32_t tracks = 0;       // T
  uint32_t bins = 0;         // L / bin
  std::vector<float> sequence;      // [B, 4, L], channels A, C, G, T; empty without FASTA
  std::vector<float> targets;       // [B, T, bins]
  std::vector<int32_t> labels;      // [B]; empty without labels
  std::vector<float> loss_weights;  // [B] from the sampler's class weighting; empty without labels
  std::vector<uint64_t> examples;   // [B] the window indices drawn
  std::vector<Region> regions;      // [B] the windows as read, shift applied
  std::vector<uint8_t> reversed;    // [B] 1 where reverse-complemented
};

// A stable hash of everything a batch holds (arrays as bytes, regions as text): the
// fingerprint that tests compare across thread counts and against wasm.
uint64_t batch_fingerprint(const Batch& batch);

// ---------------------------------------------------------------------------------
// Counters of what the loader did, summed over its threads.
struct LoaderStats {
  uint64_t batches = 0;
  uint64_t samples = 0;
  double seconds_reading_tracks = 0;    // inside SignalSource::values_batch
  double seconds_reading_sequence = 0;  // FASTA fetches and one-hot encoding
};

class BatchLoader {
 public:
  // Checks the options and every window against the sources (the message names the
  // window and the file), and prepares the loss weights.
  static Result<BatchLoader> create(LoaderInputs inputs, const LoaderOptions& options);

  BatchLoader(BatchLoader&&) noexcept;
  BatchLoader& operator=(BatchLoader&&) noexcept;
  ~BatchLoader();

  const LoaderOptions& options() const;
  uint32_t window_length() const;
  uint64_t window_count() const;

  // The sample indices of an epoch (the sampler's output) and the batches they make.
  Result<std::vector<uint64_t>> epoch_order(uint64_t epoch) const;
  Result<uint64_t> batches_in_epoch(uint64_t epoch) const;

  // Streaming: start_epoch begins prefetching (worker threads natively); next() hands
  // out the epoch's batches in order and nullopt after the last one. A read error ends
  // the epoch: next() returns it, and the workers stop.
  Status start_epoch(uint64_t epoch);
  Result<std::optional<Batch>> next();

  // Any one batch, built on the calling thread: what the workers run, and what a lab
  // calls to step through batches one frame at a time.
  Result<Batch> batch(uint64_t epoch, uint64_t number) const;

  // Hands a consumed batch back so its arrays are reused for a later one (optional;
  // it saves allocating and page-faulting megabytes per batch).
  void recycle(Batch&& batch);

  LoaderStats stats() const;

 private:
  struct Impl;
  explicit BatchLoader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace epibook
