// BatchLoader (epibook/loader.h): checks windows against their sources once, then
// hands out an epoch's batches in order while worker threads build the next few. The
// workers only decide *when* a batch is built, never what it holds, so any thread count
// (and the synchronous wasm path) gives the same batches.
#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#ifndef __EMSCRIPTEN__
#include <thread>
#endif

#include "epibook/fasta.h"
#include "epibook/random.h"
#include "loader/batch_assembly.h"

namespace epibook {
namespace {

// The shortest length among the sources for each chromosome the windows use, or the
// error naming the window and the source that lacks its chromosome or is too short.
Result<std::vector<uint64_t>> chromosome_limits(const LoaderInputs& inputs) {
  std::map<std::string, uint64_t, std::less<>> limit_of;
  std::vector<uint64_t> limits(inputs.windows.size());
  for (size_t i = 0; i < inputs.windows.size(); ++i) {
    const Region& window = inputs.windows[i];
    auto found = limit_of.find(window.chrom);
    if (found == limit_of.end()) {
      uint64_t limit = UINT64_MAX;
      auto narrow_to = [&](std::optional<uint64_t> length, const std::string& source) -> Status {
        if (!length) {
          return not_found("window " + format_region(window) + ": chromosome " + window.chrom + " is not in " + source);
        }
        limit = std::min(limit, *length);
        return Status::ok();
      };
      if (inputs.sequence != nullptr) {
        EPIBOOK_RETURN_IF_ERROR(narrow_to(inputs.sequence->sequence_length(window.chrom), inputs.sequence->name()));
      }
      for (const SignalSource& track : inputs.tracks) {
        EPIBOOK_RETURN_IF_ERROR(narrow_to(track.chrom_length(window.chrom), track.name));
      }
      found = limit_of.emplace(window.chrom, limit).first;
    }
    if (window.end > found->second) {
      return invalid_argument("window " + format_region(window) + " runs past the end of " + window.chrom + " (" +
                              with_thousands(found->second) + " bp in the shortest source)");
    }
    limits[i] = found->second;
  }
  return limits;
}

Status check_windows(const LoaderInputs& inputs, const LoaderOptions& options) {
  if (inputs.windows.empty()) return invalid_argument("loader: no windows to load");
  if (inputs.sequence == nullptr && inputs.tracks.empty()) {
    return invalid_argument("loader: neither a FASTA nor a track to read windows from");
  }
  const uint64_t length = inputs.windows[0].length();
  if (length == 0 || length > (uint64_t{1} << 24)) {
    return invalid_argument("window " + format_region(inputs.windows[0]) + ": length must be 1 bp to 16 Mb");
  }
  for (const Region& window : inputs.windows) {
    if (window.length() != length) {
      return invalid_argument("window " + format_region(window) + " is " + with_thousands(window.length()) +
                              " bp; every window must have the first one's length, " + with_thousands(length) + " bp");
    }
  }
  if (length % options.bin != 0) {
    return invalid_argument("loader: window length " + with_thousands(length) + " is not a multiple of bin " +
                            std::to_string(options.bin));
  }
  if (!inputs.labels.empty() && inputs.labels.size() != inputs.windows.size()) {
    return invalid_argument("loader: " + std::to_string(inputs.labels.size()) + " labels for " +
                            std::to_string(inputs.windows.size()) + " windows");
  }
  return Status::ok();
}

SamplerInput sampler_input(const LoaderInputs& inputs) {
  SamplerInput input;
  input.labels = inputs.labels;
  input.weights = inputs.sampling_weights;
  input.example_count = inputs.windows.size();
  return input;
}

}  // namespace

struct BatchLoader::Impl {
  loader::BatchPlan plan;

  // The epoch being streamed. Guarded by `mutex` while workers run.
  uint64_t epoch = 0;
  std::vector<uint64_t> order;
  uint64_t batch_count = 0;
  uint64_t next_to_claim = 0;   // the next batch a worker (or next()) builds
  uint64_t next_to_hand = 0;    // the next batch next() returns
  std::map<uint64_t, Result<Batch>> finished;
  bool stopping = false;
  bool failed = false;

  mutable std::mutex mutex;
  std::condition_variable work_wanted;
  std::condition_variable batch_finished;
#ifndef __EMSCRIPTEN__
  std::vector<std::thread> workers;
#endif
  mutable LoaderStats stats;
  mutable std::vector<Batch> spares;  // batches handed back by recycle()

  Result<Batch> build(uint64_t epoch_number, uint64_t number, std::span<const uint64_t> epoch_order) const {
    Batch recycled;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!spares.empty()) {
        recycled = std::move(spares.back());
        spares.pop_back();
      }
    }
    loader::AssemblyTimes times;
    Result<Batch> batch = loader::assemble_batch(plan, epoch_number, number, epoch_order, times, std::move(recycled));
    std::lock_guard<std::mutex> lock(mutex);
    stats.seconds_reading_tracks += times.tracks;
    stats.seconds_reading_sequence += times.sequence;
    if (batch.is_ok()) {
      ++stats.batches;
      stats.samples += batch->size;
    }
    return batch;
  }

  // A worker may run ahead of the consumer by at most `prefetch_batches` batches.
  bool may_claim() const {
    return next_to_claim < batch_count && next_to_claim < next_to_hand + plan.options.prefetch_batches;
  }

  void work() {
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      work_wanted.wait(lock, [&] { return stopping || may_claim(); });
      if (stopping) return;
      const uint64_t number = next_to_claim++;
      lock.unlock();
      Result<Batch> batch = build(epoch, number, order);
      lock.lock();
      finished.emplace(number, std::move(batch));
      batch_finished.notify_all();
    }
  }

  void stop_workers() {
#ifndef __EMSCRIPTEN__
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    work_wanted.notify_all();
    for (std::thread& worker : workers) worker.join();
    workers.clear();
#endif
    stopping = false;
  }

  void start_workers() {
#ifndef __EMSCRIPTEN__
    const uint64_t count = std::min<uint64_t>(plan.options.threads, batch_count);
    for (uint64_t i = 0; i < count; ++i) workers.emplace_back([this] { work(); });
#endif
  }

  bool threaded() const {
#ifndef __EMSCRIPTEN__
    return !workers.empty();
#else
    return false;
#endif
  }

  ~Impl() { stop_workers(); }
};

BatchLoader::BatchLoader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BatchLoader::BatchLoader(BatchLoader&&) noexcept = default;
BatchLoader& BatchLoader::operator=(BatchLoader&&) noexcept = default;
BatchLoader::~BatchLoader() = default;

Result<BatchLoader> BatchLoader::create(LoaderInputs inputs, const LoaderOptions& options) {
  EPIBOOK_RETURN_IF_ERROR(validate_loader_options(options));
  EPIBOOK_RETURN_IF_ERROR(check_windows(inputs, options));
  EPIBOOK_ASSIGN_OR_RETURN(std::vector<uint64_t> limits, chromosome_limits(inputs));
  auto impl = std::make_unique<Impl>();
  impl->plan.length = static_cast<uint32_t>(inputs.windows[0].length());
  impl->plan.chrom_limit = std::move(limits);
  if (!inputs.labels.empty()) {
    EPIBOOK_ASSIGN_OR_RETURN(impl->plan.loss_weights,
                             example_loss_weights(inputs.labels, options.sampler.class_weighting));
  }
  impl->plan.inputs = std::move(inputs);
  impl->plan.options = options;
  // Sampler errors (weights of the wrong length, no labelled window) show up here, not mid-run.
  EPIBOOK_RETURN_IF_ERROR(sample_epoch(sampler_input(impl->plan.inputs), options.sampler, 0).status());
  return BatchLoader(std::move(impl));
}

const LoaderOptions& BatchLoader::options() const { return impl_->plan.options; }
uint32_t BatchLoader::window_length() const { return impl_->plan.length; }
uint64_t BatchLoader::window_count() const { return impl_->plan.inputs.windows.size(); }

Result<std::vector<uint64_t>> BatchLoader::epoch_order(uint64_t epoch) const {
  return sample_epoch(sampler_input(impl_->plan.inputs), impl_->plan.options.sampler, epoch);
}

namespace {
uint64_t batches_for(uint64_t samples, const LoaderOptions& options) {
  return options.drop_last ? samples / options.batch_size : (samples + options.batch_size - 1) / options.batch_size;
}
}  // namespace

Result<uint64_t> BatchLoader::batches_in_epoch(uint64_t epoch) const {
  EPIBOOK_ASSIGN_OR_RETURN(const std::vector<uint64_t> order, epoch_order(epoch));
  return batches_for(order.size(), impl_->plan.options);
}

Status BatchLoader::start_epoch(uint64_t epoch) {
  Impl& s = *impl_;
  s.stop_workers();
  EPIBOOK_ASSIGN_OR_RETURN(std::vector<uint64_t> order, epoch_order(epoch));
  s.epoch = epoch;
  s.order = std::move(order);
  s.batch_count = batches_for(s.order.size(), s.plan.options);
  s.next_to_claim = 0;
  s.next_to_hand = 0;
  s.finished.clear();
  s.failed = false;
  s.start_workers();
  return Status::ok();
}

Result<std::optional<Batch>> BatchLoader::next() {
  Impl& s = *impl_;
  if (s.failed || s.next_to_hand >= s.batch_count) return std::optional<Batch>();
  if (!s.threaded()) {
    Result<Batch> batch = s.build(s.epoch, s.next_to_hand++, s.order);
    if (!batch.is_ok()) {
      s.failed = true;
      return batch.status();
    }
    return std::optional<Batch>(std::move(batch).value());
  }
  std::unique_lock<std::mutex> lock(s.mutex);
  s.batch_finished.wait(lock, [&] { return s.finished.count(s.next_to_hand) != 0; });
  auto node = s.finished.extract(s.next_to_hand);
  ++s.next_to_hand;
  lock.unlock();
  s.work_wanted.notify_all();
  if (!node.mapped().is_ok()) {
    s.failed = true;
    s.stop_workers();
    return node.mapped().status();
  }
  return std::optional<Batch>(std::move(node.mapped()).value());
}

Result<Batch> BatchLoader::batch(uint64_t epoch, uint64_t number) const {
  EPIBOOK_ASSIGN_OR_RETURN(const std::vector<uint64_t> order, epoch_order(epoch));
  if (number >= batches_for(order.size(), impl_->plan.options)) {
    return invalid_argument("loader: epoch " + std::to_string(epoch) + " has " +
                            std::to_string(batches_for(order.size(), impl_->plan.options)) + " batches, not " +
                            std::to_string(number + 1));
  }
  return impl_->build(epoch, number, order);
}

void BatchLoader::recycle(Batch&& batch) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  // Enough for every batch that can be in flight; more would only hold memory.
  if (impl_->spares.size() < size_t{impl_->plan.options.prefetch_batches} + impl_->plan.options.threads + 1) {
    impl_->spares.push_back(std::move(batch));
  }
}

LoaderStats BatchLoader::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->stats;
}

uint64_t batch_fingerprint(const Batch& batch) {
  ContentHash hash;
  auto add_bytes = [&](const void* data, size_t bytes) {
    hash.update(std::string_view(static_cast<const char*>(data), bytes));
  };
  const uint64_t shape[6] = {batch.epoch, batch.number, batch.size, batch.length, batch.tracks, batch.bins};
  add_bytes(shape, sizeof shape);
  add_bytes(batch.sequence.data(), batch.sequence.size() * sizeof(float));
  add_bytes(batch.targets.data(), batch.targets.size() * sizeof(float));
  add_bytes(batch.labels.data(), batch.labels.size() * sizeof(int32_t));
  add_bytes(batch.loss_weights.data(), batch.loss_weights.size() * sizeof(float));
  add_bytes(batch.examples.data(), batch.examples.size() * sizeof(uint64_t));
  add_bytes(batch.reversed.data(), batch.reversed.size());
  for (const Region& region : batch.regions) hash.update(format_region(region) + ";");
  return hash.finish();
}

}  // namespace epibook
