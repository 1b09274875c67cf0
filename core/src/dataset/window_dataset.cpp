// WindowDataset (epibook/dataset.h): windows checked against their sources once, then
// rows read by the batched loader's assembly (loader/batch_assembly.h) with no
// augmentation, so a row holds what the loader's batches hold for its window. Both
// ways out, gather (streaming) and fill_rows (in memory), go through read_windows.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "epibook/dataset.h"
#include "epibook/fasta.h"
#include "loader/batch_assembly.h"

namespace epibook {
namespace {

// Windows read per call of the loader's assembly: bounds its per-base scratch memory.
constexpr uint64_t kWindowsPerRead = 1024;

std::string name_list(const std::vector<std::string>& names) {
  constexpr size_t kShown = 8;
  std::string text;
  for (size_t i = 0; i < names.size() && i < kShown; ++i) text += (i == 0 ? "" : ", ") + names[i];
  if (names.size() > kShown) text += " and " + std::to_string(names.size() - kShown) + " more";
  return text;
}

std::vector<std::string> fasta_names(const FastaReader& genome) {
  std::vector<std::string> names;
  for (const FaiEntry& entry : genome.index().entries) names.push_back(entry.name);
  return names;
}

Status check_window_fields(const GenomeWindows& windows, const DatasetOptions& options) {
  const size_t n = windows.regions.size();
  if (n == 0) return invalid_argument(windows.source + ": no windows");
  if (windows.split.size() != n) {
    return invalid_argument(windows.source + ": " + std::to_string(windows.split.size()) + " split values for " +
                            std::to_string(n) + " windows");
  }
  if (!windows.labels.empty() && windows.labels.size() != n) {
    return invalid_argument(windows.source + ": " + std::to_string(windows.labels.size()) + " labels for " +
                            std::to_string(n) + " windows");
  }
  if (options.target == TargetKind::kLabel && windows.labels.empty()) {
    return invalid_argument(windows.source + " has no label column (column 5); data.target label needs one");
  }
  const uint64_t length = windows.regions[0].length();
  if (length == 0 || length > (uint64_t{1} << 24)) {
    return invalid_argument(windows.where(0) + ": window length must be 1 bp to 16 Mb, not " + with_thousands(length));
  }
  for (size_t i = 0; i < n; ++i) {
    const Region& w = windows.regions[i];
    if (w.end <= w.start) return invalid_argument(windows.where(i) + ": " + format_region(w) + " is empty");
    if (w.length() != length) {
      return invalid_argument(windows.where(i) + ": " + format_region(w) + " is " + with_thousands(w.length()) +
                              " bp, but " + windows.where(0) + " is " + with_thousands(length) +
                              " bp; every window must have one length");
    }
    if (windows.split[i] < 0 || windows.split[i] > 2) {
      return invalid_argument(windows.where(i) + ": split " + std::to_string(windows.split[i]) +
                              " is not 0 (train), 1 (validation) or 2 (test)");
    }
    if (!windows.labels.empty() && (windows.labels[i] < -1 || windows.labels[i] > 1)) {
      return invalid_argument(windows.where(i) + ": label " + std::to_string(windows.labels[i]) +
                              " is not 1 (peak), 0 (background) or -1 (no data)");
    }
  }
  const uint64_t bin = options.bin == 0 ? length : options.bin;
  if (length % bin != 0) {
    return invalid_argument("data.bin " + with_thousands(bin) + " does not divide the window length " +
                            with_thousands(length) + " bp of " + windows.source);
  }
  return Status::ok();
}

// Per window, the shortest length of its chromosome among the sources; the error names
// the window's line, the source and what that source does have.
Result<std::vector<uint64_t>> chromosome_limits(const GenomeWindows& windows, const FastaReader& genome,
                                                const std::vector<SignalSource>& tracks) {
  struct Limit {
    uint64_t length = UINT64_MAX;
    std::string shortest;  // the source giving it
  };
  std::map<std::string, Limit, std::less<>> limit_of;
  std::vector<uint64_t> limits(windows.regions.size());
  for (size_t i = 0; i < windows.regions.size(); ++i) {
    const Region& w = windows.regions[i];
    auto found = limit_of.find(w.chrom);
    if (found == limit_of.end()) {
      Limit limit;
      const std::optional<uint64_t> in_genome = genome.sequence_length(w.chrom);
      if (!in_genome) {
        return not_found(windows.where(i) + ": " + w.chrom + " is not in " + genome.name() + " (its sequences: " +
                         name_list(fasta_names(genome)) + ")");
      }
      limit = {*in_genome, genome.name()};
      for (const SignalSource& track : tracks) {
        const std::optional<uint64_t> in_track = track.chrom_length(w.chrom);
        if (!in_track) {
          std::string message = windows.where(i) + ": " + w.chrom + " is not in " + track.name;
          if (track.chrom_names) message += " (its chromosomes: " + name_list(track.chrom_names()) + ")";
          return not_found(message);
        }
        if (*in_track < limit.length) limit = {*in_track, track.name};
      }
      found = limit_of.emplace(w.chrom, std::move(limit)).first;
    }
    if (w.end > found->second.length) {
      return invalid_argument(windows.where(i) + ": " + format_region(w) + " runs past the end of " + w.chrom + " (" +
                              with_thousands(found->second.length) + " bp in " + found->second.shortest + ")");
    }
    limits[i] = found->second.length;
  }
  return limits;
}

}  // namespace

struct WindowDataset::Impl {
  DatasetOptions options;
  GenomeWindows windows;  // regions moved into plan.inputs.windows
  loader::BatchPlan plan;
  uint32_t bins = 0;
  std::vector<uint32_t> kept;  // window of each row
  uint64_t scanned = 0;
  bool done = false;
  std::vector<int8_t> row_split;
  mutable Batch spare;               // the assembly's arrays, reused from read to read
  mutable std::vector<uint64_t> order;

  uint32_t tracks() const { return static_cast<uint32_t>(plan.inputs.tracks.size()); }
  uint64_t targets_per_row() const {
    return options.target == TargetKind::kLabel ? 1 : uint64_t{tracks()} * bins;
  }
  uint64_t inputs_per_row() const { return uint64_t{4} * plan.length; }

  // The assembly of `window_indices` (at most kWindowsPerRead), left in `spare`.
  Status read_windows(std::span<const uint64_t> window_indices) const {
    loader::AssemblyTimes times;
    EPIBOOK_ASSIGN_OR_RETURN(spare, loader::assemble_batch(plan, 0, 0, window_indices, times, std::move(spare)));
    return Status::ok();
  }

  // Row b of the last read as the row's input and target values.
  void copy_row(size_t b, uint64_t window, float* inputs, float* targets) const {
    std::memcpy(inputs, spare.sequence.data() + b * inputs_per_row(), inputs_per_row() * sizeof(float));
    if (options.target == TargetKind::kLabel) {
      const int8_t label = windows.labels[window];
      targets[0] = label < 0 ? (options.missing_as_zero ? 0.0f : NAN) : static_cast<float>(label);
    } else {
      std::memcpy(targets, spare.targets.data() + b * targets_per_row(), targets_per_row() * sizeof(float));
    }
  }

  // Rows [rows[i]] into the two arrays, kWindowsPerRead windows per read.
  Status read_rows(std::span<const uint32_t> rows, float* inputs, float* targets) const {
    for (size_t first = 0; first < rows.size(); first += kWindowsPerRead) {
      const size_t count = std::min<size_t>(kWindowsPerRead, rows.size() - first);
      order.resize(count);
      for (size_t b = 0; b < count; ++b) order[b] = kept[rows[first + b]];
      EPIBOOK_RETURN_IF_ERROR(read_windows(order));
      for (size_t b = 0; b < count; ++b) {
        copy_row(b, order[b], inputs + (first + b) * inputs_per_row(), targets + (first + b) * targets_per_row());
      }
    }
    return Status::ok();
  }

  void finish_scan() {
    done = true;
    row_split.clear();
    row_split.reserve(kept.size());
    for (uint32_t window : kept) row_split.push_back(windows.split[window]);
  }
};

WindowDataset::WindowDataset(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WindowDataset::WindowDataset(WindowDataset&&) noexcept = default;
WindowDataset& WindowDataset::operator=(WindowDataset&&) noexcept = default;
WindowDataset::~WindowDataset() = default;

Result<WindowDataset> WindowDataset::create(const FastaReader* genome, std::vector<SignalSource> tracks,
                                            GenomeWindows windows, const DatasetOptions& options) {
  EPIBOOK_RETURN_IF_ERROR(validate_dataset_options(options));
  if (genome == nullptr) return invalid_argument("a window dataset needs a genome (FASTA) for its one-hot inputs");
  if (options.target == TargetKind::kLabel) tracks.clear();  // not read: the label is the target
  if (options.target == TargetKind::kSignal && tracks.empty()) {
    return invalid_argument("data.target signal needs at least one track (bigWig)");
  }
  if (windows.regions.size() > UINT32_MAX) {
    return invalid_argument(windows.source + ": more than 4,294,967,295 windows");
  }
  EPIBOOK_RETURN_IF_ERROR(check_window_fields(windows, options));
  EPIBOOK_ASSIGN_OR_RETURN(std::vector<uint64_t> limits, chromosome_limits(windows, *genome, tracks));

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const auto length = static_cast<uint32_t>(windows.regions[0].length());
  LoaderOptions& loader = impl->plan.options;
  loader.batch_size = static_cast<uint32_t>(kWindowsPerRead);
  loader.bin = options.bin == 0 ? length : options.bin;
  loader.transform = options.transform;
  loader.missing_as_zero = options.missing_as_zero;
  loader.unknown_base = options.unknown_base;
  impl->plan.length = length;
  impl->plan.chrom_limit = std::move(limits);
  impl->plan.inputs.sequence = genome;
  impl->plan.inputs.tracks = std::move(tracks);
  impl->plan.inputs.windows = std::move(windows.regions);
  windows.regions.clear();
  impl->windows = std::move(windows);
  impl->bins = length / loader.bin;

  // Nothing can be missing when missing targets are zeros; a label is missing where the
  // file says -1. Only signal with missing rows dropped needs the tracks read.
  const uint64_t n = impl->plan.inputs.windows.size();
  if (options.missing_as_zero || options.target == TargetKind::kLabel) {
    for (uint64_t w = 0; w < n; ++w) {
      if (options.missing_as_zero || impl->windows.labels[w] >= 0) impl->kept.push_back(static_cast<uint32_t>(w));
    }
    impl->scanned = n;
    impl->finish_scan();
  }
  return WindowDataset(std::move(impl));
}

const DatasetOptions& WindowDataset::options() const { return impl_->options; }
const std::vector<Region>& WindowDataset::regions() const { return impl_->plan.inputs.windows; }
uint64_t WindowDataset::window_count() const { return impl_->plan.inputs.windows.size(); }
uint32_t WindowDataset::window_length() const { return impl_->plan.length; }
uint32_t WindowDataset::track_count() const { return impl_->tracks(); }
uint32_t WindowDataset::bins() const { return impl_->bins; }
bool WindowDataset::scanned() const { return impl_->done; }
uint64_t WindowDataset::windows_scanned() const { return impl_->scanned; }
uint64_t WindowDataset::rows() const { return impl_->kept.size(); }
uint64_t WindowDataset::window_of_row(uint64_t row) const { return impl_->kept[row]; }
const std::vector<int8_t>& WindowDataset::split() const { return impl_->row_split; }

nn::Shape WindowDataset::input_shape(int64_t rows) const { return nn::Shape{rows, 4, impl_->plan.length}; }

nn::Shape WindowDataset::target_shape(int64_t rows) const {
  if (impl_->options.target == TargetKind::kLabel) return nn::Shape{rows, 1};
  if (impl_->bins == 1) return nn::Shape{rows, impl_->tracks()};
  return nn::Shape{rows, impl_->tracks(), impl_->bins};
}

Result<bool> WindowDataset::scan(uint64_t max_windows) {
  Impl& d = *impl_;
  if (d.done) return true;
  const uint64_t n = d.plan.inputs.windows.size();
  const uint64_t end = std::min(n, d.scanned + max_windows);
  // Targets only: the scan has no use for the sequence.
  const FastaReader* genome = d.plan.inputs.sequence;
  d.plan.inputs.sequence = nullptr;
  Status status = Status::ok();
  while (d.scanned < end && status.is_ok()) {
    const uint64_t count = std::min(kWindowsPerRead, end - d.scanned);
    d.order.resize(count);
    for (uint64_t b = 0; b < count; ++b) d.order[b] = d.scanned + b;
    status = d.read_windows(d.order);
    if (!status.is_ok()) break;
    const uint64_t per_row = d.targets_per_row();
    for (uint64_t b = 0; b < count; ++b) {
      const float* row = d.spare.targets.data() + b * per_row;
      if (std::all_of(row, row + per_row, [](float v) { return std::isfinite(v); })) {
        d.kept.push_back(static_cast<uint32_t>(d.scanned + b));
      }
    }
    d.scanned += count;
  }
  d.plan.inputs.sequence = genome;
  d.spare.sequence.clear();
  EPIBOOK_RETURN_IF_ERROR(status);
  if (d.scanned == n) {
    if (d.kept.empty()) {
      return invalid_argument(d.windows.source + ": every window has a missing target (no data in its tracks); "
                              "data.missing zero would keep them as zeros");
    }
    d.finish_scan();
  }
  return d.done;
}

Status WindowDataset::gather(std::span<const uint32_t> rows, nn::Tensor& inputs, nn::Tensor& targets) const {
  if (!impl_->done) return invalid_argument("window dataset: gather before the scan has finished");
  for (uint32_t row : rows) {
    if (row >= impl_->kept.size()) {
      return invalid_argument("window dataset: row " + std::to_string(row) + " is past the last row (" +
                              std::to_string(impl_->kept.size()) + " rows)");
    }
  }
  const auto n = static_cast<int64_t>(rows.size());
  inputs.resize(input_shape(n));
  targets.resize(target_shape(n));
  return impl_->read_rows(rows, inputs.data(), targets.data());
}

Status WindowDataset::prepare(TrainingData& data) const {
  if (!impl_->done) return invalid_argument("window dataset: prepare before the scan has finished");
  const auto n = static_cast<int64_t>(impl_->kept.size());
  data.inputs.resize_zeroed(input_shape(n));
  data.targets.resize_zeroed(target_shape(n));
  data.split = impl_->row_split;
  return Status::ok();
}

Status WindowDataset::fill_rows(uint64_t first, uint64_t count, TrainingData& data) const {
  if (!impl_->done) return invalid_argument("window dataset: fill_rows before the scan has finished");
  const uint64_t n = impl_->kept.size();
  if (data.inputs.shape() != input_shape(static_cast<int64_t>(n)) ||
      data.targets.shape() != target_shape(static_cast<int64_t>(n))) {
    return invalid_argument("window dataset: fill_rows into arrays of shape " + data.inputs.shape().text() + " and " +
                            data.targets.shape().text() + "; call prepare first");
  }
  if (first > n) {
    return invalid_argument("window dataset: first row " + std::to_string(first) + " is past the last row (" +
                            std::to_string(n) + " rows)");
  }
  count = std::min(count, n - first);
  std::vector<uint32_t> rows(count);
  for (uint64_t i = 0; i < count; ++i) rows[i] = static_cast<uint32_t>(first + i);
  return impl_->read_rows(rows, data.inputs.data() + first * impl_->inputs_per_row(),
                          data.targets.data() + first * impl_->targets_per_row());
}

namespace {

void hash_shapes(ContentHash& hash, const nn::Shape& inputs, const nn::Shape& targets) {
  hash.update("epibook data: inputs " + inputs.text() + ", targets " + targets.text() + "\n");
}

void hash_row(ContentHash& hash, const float* inputs, int64_t inputs_per_row, const float* targets,
              int64_t targets_per_row, int8_t split) {
  hash.update(std::string_view(reinterpret_cast<const char*>(inputs), static_cast<size_t>(inputs_per_row) * 4));
  hash.update(std::string_view(reinterpret_cast<const char*>(targets), static_cast<size_t>(targets_per_row) * 4));
  hash.update(std::string_view(reinterpret_cast<const char*>(&split), 1));
}

}  // namespace

Result<uint64_t> WindowDataset::fingerprint(uint64_t chunk_rows) const {
  if (!impl_->done) return invalid_argument("window dataset: fingerprint before the scan has finished");
  const uint64_t n = impl_->kept.size();
  ContentHash hash;
  hash_shapes(hash, input_shape(static_cast<int64_t>(n)), target_shape(static_cast<int64_t>(n)));
  nn::Tensor inputs, targets;
  std::vector<uint32_t> rows;
  chunk_rows = std::max<uint64_t>(chunk_rows, 1);
  for (uint64_t first = 0; first < n; first += chunk_rows) {
    const uint64_t count = std::min(chunk_rows, n - first);
    rows.resize(count);
    for (uint64_t i = 0; i < count; ++i) rows[i] = static_cast<uint32_t>(first + i);
    EPIBOOK_RETURN_IF_ERROR(gather(rows, inputs, targets));
    const auto in_row = static_cast<int64_t>(impl_->inputs_per_row());
    const auto out_row = static_cast<int64_t>(impl_->targets_per_row());
    for (uint64_t i = 0; i < count; ++i) {
      hash_row(hash, inputs.data() + i * in_row, in_row, targets.data() + i * out_row, out_row,
               impl_->row_split[first + i]);
    }
  }
  return hash.finish();
}

DataFingerprint::DataFingerprint(const nn::Shape& all_inputs, const nn::Shape& all_targets) {
  hash_shapes(hash_, all_inputs, all_targets);
}

void DataFingerprint::add_rows(const nn::Tensor& inputs, const nn::Tensor& targets, std::span<const int8_t> split) {
  const int64_t n = static_cast<int64_t>(split.size());
  const int64_t in_row = n == 0 ? 0 : inputs.size() / n;
  const int64_t out_row = n == 0 ? 0 : targets.size() / n;
  for (int64_t r = 0; r < n; ++r) {
    hash_row(hash_, inputs.data() + r * in_row, in_row, targets.data() + r * out_row, out_row,
             split[static_cast<size_t>(r)]);
  }
}

uint64_t data_fingerprint(const TrainingData& data) {
  ContentHash hash;
  hash_shapes(hash, data.inputs.shape(), data.targets.shape());
  const int64_t n = data.inputs.rank() == 0 ? 0 : data.inputs.dim(0);
  const int64_t in_row = n == 0 ? 0 : data.inputs.size() / n;
  const int64_t out_row = n == 0 ? 0 : data.targets.size() / n;
  for (int64_t r = 0; r < n; ++r) {
    const int8_t split = static_cast<size_t>(r) < data.split.size() ? data.split[static_cast<size_t>(r)] : 0;
    hash_row(hash, data.inputs.data() + r * in_row, in_row, data.targets.data() + r * out_row, out_row, split);
  }
  return hash.finish();
}

}  // namespace epibook
