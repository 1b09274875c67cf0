// What every lab that trains does before the training panel can start: read its files
// (whole, from the page), make a WindowDataset, scan it and fill its rows into
// TrainingData a slice per frame, then describe the data to the panel. Every lab that
// builds training data of its own shares it (depth-transfer keeps one per depth); a new
// one should too (web/labs/README.md).
// The lab reads its own files and makes the dataset; DatasetBuild does the rest and says
// where it is for the page and the test API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "../app/file_store.h"
#include "epibook/bed.h"
#include "epibook/dataset.h"
#include "epibook/fasta.h"
#include "frame_clock.h"
#include "training_panel.h"

namespace epibook::labs {

// The settings a training lab's presets start from: the core's defaults (Adam, 10 epochs,
// seed 1) with batches of 32 windows, so that a step of a lab's small model takes a few
// milliseconds in the page. A lab sets its model, loss and learning rate on top.
TrainOptions lab_train_options();
// Chapter 1's first model on top of lab_train_options(): one layer of 16 filters of 15 bp,
// each filter's best match in the window (global max), one weight per filter (DeepBind's
// shape), BCE on a peak label, Adam at 0.003. first-model, the chapter 4 labs and chapter 9's train it.
TrainOptions first_model_train_options();

// The rows of each split of `data`, as the labs' state() gives them:
// {"train": n, "validation": n, "test": n}.
nlohmann::json rows_per_split(const TrainingData& data);

// A genome (FASTA) read whole from the page, indexed in memory.
Result<FastaReader> genome_from_bytes(const std::string& bytes, const std::string& name);

// A genome and a BED file (peaks) read whole from the page into `loaded`, once (gc-shortcut
// and pitfalls choose their windows on them): true when `loaded` holds them, read on this
// call or before; false while their bytes are on their way; an error names the file the
// page could not read or parse.
struct GenomeAndBed {
  FastaReader genome;
  std::vector<BedRecord> records;
};
Result<bool> load_genome_and_bed(const FileStore& files, const std::string& genome_name, const std::string& bed_name,
                                 std::optional<GenomeAndBed>& loaded);

// PanelData's stretch: up to `max_rows` validation rows, in row order, that follow one
// another along the first validation row's sequence, with their starts and a label.
void set_validation_stretch(PanelData& panel, const WindowDataset& dataset, const TrainingData& data,
                            size_t max_rows);

class DatasetBuild {
 public:
  enum class Stage { kLoading, kScanning, kFilling, kReady, kFailed };

  // Rows filled per call of fill_rows: a frame fills as many such slices as its deadline allows.
  explicit DatasetBuild(uint64_t rows_per_fill = 32) : rows_per_fill_(rows_per_fill) {}

  // Back to loading: the dataset and its rows dropped, the failure cleared.
  void restart();
  // A whole file's bytes, or nullptr while they are on their way; a file the page could
  // not read fails the build ("name: why").
  const std::string* whole(const FileStore& files, const std::string& name);
  // The dataset made from the files (`windows_name`: its windows' file, named when no
  // window has complete targets): scanning starts.
  void start(WindowDataset dataset, std::string windows_name);
  // Scans, then fills rows, until `deadline_ms` (now_ms()). True on the call that fills
  // the last row (the stage is then kReady); false while work is left or after a
  // failure. Waiting for bytes is no failure: the next frame retries.
  bool advance(double deadline_ms);
  void fail(std::string message);

  Stage stage() const { return stage_; }
  bool ready() const { return stage_ == Stage::kReady; }
  bool failed() const { return stage_ == Stage::kFailed; }
  bool in_progress() const { return stage_ != Stage::kReady && stage_ != Stage::kFailed; }
  // "loading", "scanning", "building", "ready" or "failed" (the labs' state().stage).
  std::string stage_name() const;
  // "preparing the data (scanning 120 / 400 windows)", for the lab to show while it builds.
  std::string progress_text() const;
  const std::string& failure() const { return failure_; }

  bool has_dataset() const { return dataset_.has_value(); }
  const WindowDataset& dataset() const { return *dataset_; }
  uint64_t rows() const { return dataset_ ? dataset_->rows() : 0; }
  const TrainingData& data() const { return data_; }
  TrainingData& data() { return data_; }

 private:
  uint64_t rows_per_fill_;
  Stage stage_ = Stage::kLoading;
  std::optional<WindowDataset> dataset_;
  TrainingData data_;
  uint64_t filled_ = 0;
  std::string windows_name_;
  std::string failure_;
};

// Under a lab's heading: the lab's message (red while the build has failed), and the
// build's progress while it prepares the data. True once the data are ready to draw.
bool draw_build_status(const DatasetBuild& build, const std::string& message);

}  // namespace epibook::labs
