// The window dataset: a genome, signal tracks and the windows of `epibook regions`
// turned into the arrays a model trains on (one-hot inputs [N, 4, L], targets, split),
// by the batched loader's own code (loader.h), so the CLI, the labs and numpy readers
// all see the same numbers. Sits between regions/prep and train: windows -> rows.
//
// Usage (the CLI opens files; a lab opens the same readers over browser bytes):
//
//   FastaReader genome = ...;                          // FastaReader::open(source, index)
//   std::vector<SignalSource> tracks = {bigwig_signal_source(reader)};
//   GenomeWindows windows = parse_genome_windows(bed_text, "windows.bed").value();
//   DatasetOptions options;                            // target signal, one value per track
//   WindowDataset data = WindowDataset::create(&genome, tracks, windows, options).value();
//   while (!data.scan(4096).value()) {}                // rows with missing targets found
//   // (a) streaming, a batch at a time (the CLI trainer):
//   data.gather(rows, inputs, targets);
//   // (b) in memory, a chunk per frame (a lab):
//   TrainingData all;  data.prepare(all);
//   for (uint64_t r = 0; r < data.rows(); r += 256) data.fill_rows(r, 256, all);
//   uint64_t id = data_fingerprint(all);               // == data.fingerprint() streamed
//
// Sections: windows | options | the dataset | fingerprint | from files
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/loader.h"  // UnknownBase
#include "epibook/prep.h"    // SignalSource, SignalTransform
#include "epibook/region.h"
#include "epibook/regions.h"  // ChosenWindow
#include "epibook/status.h"
#include "epibook/train.h"    // TrainingData

namespace epibook {

class FastaReader;

// ---------------------------------------------------------------------------------
// Windows: what `epibook regions` writes (chrom, start, end, split, label), read from
// text or taken from choose_regions in memory. Every window must have the same length.
struct GenomeWindows {
  std::vector<Region> regions;
  std::vector<int8_t> labels;   // per window: 1 peak, 0 background, -1 no data; empty when unlabelled
  std::vector<int8_t> split;    // per window: 0 train, 1 validation, 2 test
  std::string source;           // "windows.bed": names the windows in messages
  std::vector<uint64_t> lines;  // line of each window in `source`; empty when built in memory
  // "windows.bed line 12" (from a file) or "windows.bed window 12 (chr9:0-1,000)".
  std::string where(size_t window) const;
};

// The file of `epibook regions` (or prep's windows.bed) from its text; `source_name`
// names it in messages. Fails on an empty file and, naming the line, on a bad line.
Result<GenomeWindows> parse_genome_windows(std::string_view text, std::string_view source_name);
// The windows choose_regions picked, in their order.
GenomeWindows genome_windows_from(std::span<const ChosenWindow> chosen, std::string source_name = "chosen windows");

// ---------------------------------------------------------------------------------
// Options. Plain, with defaults; the same fields are the [data] keys of a training
// config and of a lab's link (train.h), and messages name them that way ("data.bin").
//   signal  each track's per-base values, transformed per base as `epibook prep` does,
//           then the mean of each `bin` bp (bases without data left out); targets
//           [N, T, L / bin], or [N, T] when bin is 0 or the window length.
//   label   the window's label from the windows file, 0 or 1 (for BCE): [N, 1].
enum class TargetKind { kSignal, kLabel };
Result<TargetKind> parse_target_kind(std::string_view name);  // "signal", "label"
const char* target_kind_name(TargetKind kind);

struct DatasetOptions {
  TargetKind target = TargetKind::kSignal;
  uint32_t bin = 0;  // bp per target bin; 0: one value per track per window
  SignalTransform transform = SignalTransform::kNone;
  UnknownBase unknown_base = UnknownBase::kZeros;
  // A target without data (a bin with no value at all, a label of -1) drops its row,
  // as load_training_data does with NaN targets, unless this makes it 0.
  bool missing_as_zero = false;
};
Status validate_dataset_options(const DatasetOptions& options);
// The options from a training config's [data] keys (train.h's DataOptions).
Result<DatasetOptions> dataset_options(const DataOptions& data);

// ---------------------------------------------------------------------------------
// The dataset. Rows are the windows whose targets are complete, in window order; the
// scan that finds them reads the tracks once (nothing to read when missing values are
// zero or the target is the label). Row values depend only on the row's window, so any
// grouping of rows gives the same bits: gather (streaming) == fill_rows (in memory).
// Neither gather nor fill_rows may run concurrently on one dataset (shared scratch).
class WindowDataset final : public TrainingRows {
 public:
  // Checks options and windows against the genome and the tracks, reading no data:
  // every window on a sequence of the genome and of every track, inside it, all of
  // one length that the bin divides. The genome and the tracks' readers must outlive
  // the dataset. Tracks are not read when the target is the label.
  static Result<WindowDataset> create(const FastaReader* genome, std::vector<SignalSource> tracks,
                                      GenomeWindows windows, const DatasetOptions& options);

  WindowDataset(WindowDataset&&) noexcept;
  WindowDataset& operator=(WindowDataset&&) noexcept;
  ~WindowDataset();

  const DatasetOptions& options() const;
  const std::vector<Region>& regions() const;  // every window, in the windows' order
  uint64_t window_count() const;
  uint32_t window_length() const;  // L
  uint32_t track_count() const;    // T (0 for the label target)
  uint32_t bins() const;           // targets per track per window

  // Finds the rows: checks up to `max_windows` more windows; true when all are done.
  Result<bool> scan(uint64_t max_windows);
  bool scanned() const;
  uint64_t windows_scanned() const;

  // After the scan.
  uint64_t rows() const override;
  uint64_t window_of_row(uint64_t row) const;
  const std::vector<int8_t>& split() const override;  // [rows]
  nn::Shape input_shape(int64_t rows) const override;   // [rows, 4, L]
  nn::Shape target_shape(int64_t rows) const override;  // [rows, T, bins], [rows, T] or [rows, 1]

  // (a) Streaming: the listed rows, in that order, into inputs [n, 4, L] and targets.
  Status gather(std::span<const uint32_t> rows, nn::Tensor& inputs, nn::Tensor& targets) const override;

  // (b) In memory: prepare sizes `data` for every row (and fills its split); each
  // fill_rows then writes rows [first, first + count), so a lab spreads the work over
  // frames. Rows not yet filled hold zeros.
  Status prepare(TrainingData& data) const;
  Status fill_rows(uint64_t first, uint64_t count, TrainingData& data) const;

  // data_fingerprint of the whole dataset, read `chunk_rows` rows at a time.
  Result<uint64_t> fingerprint(uint64_t chunk_rows = 1024) const;

 private:
  struct Impl;
  explicit WindowDataset(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------
// Fingerprint: stable_hash (random.h) of the shapes, then row by row the input bytes,
// the target bytes and the split byte. The same arrays give the same value natively and
// in wasm; a lab puts it in its run link, the CLI in manifest.json.
uint64_t data_fingerprint(const TrainingData& data);
// The same fingerprint fed a chunk of rows at a time (a writer streaming to disk).
class DataFingerprint {
 public:
  DataFingerprint(const nn::Shape& all_inputs, const nn::Shape& all_targets);
  // Rows [n, ...] of inputs and targets with their split values, in row order.
  void add_rows(const nn::Tensor& inputs, const nn::Tensor& targets, std::span<const int8_t> split);
  uint64_t finish() const { return hash_.finish(); }

 private:
  ContentHash hash_;
};

// ---------------------------------------------------------------------------------
// From files (the CLI): opens data.genome, data.tracks and data.windows, relative paths
// taken from `root` ("" : as given), builds the dataset and scans it, calling
// `on_scan(done, total)` as it goes. The readers live as long as the FileDataset.
class BigWigReader;
struct FileDataset {
  std::unique_ptr<FastaReader> genome;
  std::vector<std::unique_ptr<BigWigReader>> tracks;
  std::unique_ptr<WindowDataset> dataset;
  std::vector<std::string> paths;  // genome, tracks..., windows: as opened
  FileDataset();
  FileDataset(FileDataset&&) noexcept;
  ~FileDataset();
};
Result<FileDataset> open_file_dataset(const DataOptions& data, const std::string& root,
                                      const std::function<void(uint64_t done, uint64_t total)>& on_scan = {});
// `path` against `root` when it is relative and root is not empty.
std::string path_under(const std::string& root, const std::string& path);

}  // namespace epibook
