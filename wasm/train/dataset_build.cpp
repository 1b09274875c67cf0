// The training labs' data built a slice per frame (dataset_build.h): the loading stages
// every such lab went through, written once.
#include "dataset_build.h"

#include <algorithm>

#include "../app/plot.h"
#include "epibook/region.h"
#include "epibook/split.h"

namespace epibook::labs {

TrainOptions lab_train_options() {
  TrainOptions options;
  options.batch_size = 32;
  return options;
}

TrainOptions first_model_train_options() {
  TrainOptions options = lab_train_options();
  options.model.conv_layers = 1;
  options.model.channels = 16;
  options.model.kernel_size = 15;
  options.model.pool = 0;
  options.model.head = "global_max_dense";
  options.loss = "bce";
  options.schedule.base = 3e-3;
  return options;
}

nlohmann::json rows_per_split(const TrainingData& data) {
  uint64_t counts[3] = {0, 0, 0};
  for (int8_t s : data.split) {
    if (s >= 0 && s < 3) ++counts[s];
  }
  return {{"train", counts[0]}, {"validation", counts[1]}, {"test", counts[2]}};
}

Result<FastaReader> genome_from_bytes(const std::string& bytes, const std::string& name) {
  EPIBOOK_ASSIGN_OR_RETURN(FastaIndex index, build_fai_from_memory(bytes, name));
  return FastaReader::open(memory_source(bytes, name), std::move(index));
}

Result<bool> load_genome_and_bed(const FileStore& files, const std::string& genome_name, const std::string& bed_name,
                                 std::optional<GenomeAndBed>& loaded) {
  if (loaded) return true;
  for (const std::string& name : {genome_name, bed_name}) {
    if (const std::string* failure = files.failure(name)) return invalid_argument(name + ": " + *failure);
  }
  const std::string* genome = files.whole(genome_name);
  const std::string* bed = files.whole(bed_name);
  if (!genome || !bed) return false;
  EPIBOOK_ASSIGN_OR_RETURN(FastaReader reader, genome_from_bytes(*genome, genome_name));
  EPIBOOK_ASSIGN_OR_RETURN(std::vector<BedRecord> records, parse_bed(*bed, bed_name));
  loaded.emplace(GenomeAndBed{std::move(reader), std::move(records)});
  return true;
}

void set_validation_stretch(PanelData& panel, const WindowDataset& dataset, const TrainingData& data,
                            size_t max_rows) {
  const auto& regions = dataset.regions();
  for (uint64_t row = 0; row < dataset.rows() && panel.stretch_rows.size() < max_rows; ++row) {
    if (data.split[row] != static_cast<int8_t>(Split::kValidation)) continue;
    const Region& window = regions[dataset.window_of_row(row)];
    if (!panel.stretch_rows.empty() && regions[dataset.window_of_row(panel.stretch_rows.back())].chrom != window.chrom) {
      break;
    }
    panel.stretch_rows.push_back(static_cast<uint32_t>(row));
    panel.stretch_starts.push_back(static_cast<double>(window.start));
  }
  if (panel.stretch_rows.empty()) return;
  const Region& first = regions[dataset.window_of_row(panel.stretch_rows.front())];
  const Region& last = regions[dataset.window_of_row(panel.stretch_rows.back())];
  panel.stretch_width = static_cast<double>(dataset.window_length());
  panel.stretch_chrom = first.chrom;
  panel.stretch_label = format_region({first.chrom, first.start, last.end}) + ", validation windows";
}

void DatasetBuild::restart() {
  stage_ = Stage::kLoading;
  dataset_.reset();
  data_ = TrainingData();
  filled_ = 0;
  failure_.clear();
}

const std::string* DatasetBuild::whole(const FileStore& files, const std::string& name) {
  if (const std::string* failure = files.failure(name)) {
    fail(name + ": " + *failure);
    return nullptr;
  }
  return files.whole(name);
}

void DatasetBuild::start(WindowDataset dataset, std::string windows_name) {
  dataset_.emplace(std::move(dataset));
  windows_name_ = std::move(windows_name);
  stage_ = Stage::kScanning;
}

void DatasetBuild::fail(std::string message) {
  stage_ = Stage::kFailed;
  failure_ = std::move(message);
}

bool DatasetBuild::advance(double deadline_ms) {
  while (stage_ == Stage::kScanning && now_ms() < deadline_ms) {
    auto done = dataset_->scan(64);
    if (!done.is_ok()) {
      if (!is_waiting_for_bytes(done.status())) fail(done.status().message());
      return false;
    }
    if (*done) {
      if (dataset_->rows() == 0) {
        fail(windows_name_ + ": no window has complete targets");
        return false;
      }
      const Status prepared = dataset_->prepare(data_);
      if (!prepared.is_ok()) {
        fail(prepared.message());
        return false;
      }
      stage_ = Stage::kFilling;
    }
  }
  while (stage_ == Stage::kFilling && now_ms() < deadline_ms) {
    const uint64_t count = std::min<uint64_t>(rows_per_fill_, dataset_->rows() - filled_);
    const Status status = dataset_->fill_rows(filled_, count, data_);
    if (!status.is_ok()) {
      if (!is_waiting_for_bytes(status)) fail(status.message());
      return false;
    }
    filled_ += count;
    if (filled_ == dataset_->rows()) {
      stage_ = Stage::kReady;
      return true;
    }
  }
  return false;
}

std::string DatasetBuild::stage_name() const {
  switch (stage_) {
    case Stage::kLoading: return "loading";
    case Stage::kScanning: return "scanning";
    case Stage::kFilling: return "building";
    case Stage::kReady: return "ready";
    case Stage::kFailed: return "failed";
  }
  return "";
}

std::string DatasetBuild::progress_text() const {
  const uint64_t total = dataset_ ? dataset_->window_count() : 0;
  const uint64_t done = stage_ == Stage::kFilling ? filled_ : dataset_ ? dataset_->windows_scanned() : 0;
  return "preparing the data (" + stage_name() + " " + std::to_string(done) + " / " + std::to_string(total) +
         " windows)";
}

bool draw_build_status(const DatasetBuild& build, const std::string& message) {
  if (!message.empty()) message_line(message, true);
  if (build.failed()) return false;
  if (!build.ready()) {
    message_line(build.progress_text(), false);
    return false;
  }
  return true;
}

}  // namespace epibook::labs
