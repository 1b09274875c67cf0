// The arrays a run trains on, read from npy files and checked against each other;
// rows whose target is missing are dropped here, once, so no loss ever sees a NaN.
#include <cmath>
#include <cstring>

#include "epibook/npy.h"
#include "epibook/train.h"

namespace epibook {
namespace {

Result<nn::Tensor> read_tensor(const std::string& path, bool int8_missing_is_nan) {
  EPIBOOK_ASSIGN_OR_RETURN(const NpyArray array, read_npy(path));
  if (array.shape.empty() || array.shape.size() > static_cast<size_t>(nn::Shape::kMaxRank)) {
    return invalid_argument(path + ": expected 1 to 4 axes, found " + std::to_string(array.shape.size()));
  }
  std::vector<int64_t> dims(array.shape.begin(), array.shape.end());
  std::vector<float> values = array.as_float32();
  if (int8_missing_is_nan && array.dtype == NpyDtype::kInt8) {
    for (float& v : values) v = v < 0.0f ? NAN : v;
  }
  return nn::Tensor::from_values(nn::Shape(std::span<const int64_t>(dims)), std::move(values));
}

std::string path_in(const std::string& dir, const std::string& file) { return dir + "/" + file; }

// Keeps the rows listed in `keep`.
nn::Tensor rows_kept(const nn::Tensor& source, const std::vector<uint32_t>& keep) {
  nn::Tensor out;
  gather_rows(source, keep, out);
  return out;
}

}  // namespace

std::vector<uint32_t> TrainingData::rows_of(int8_t split_value) const {
  std::vector<uint32_t> rows;
  for (size_t i = 0; i < split.size(); ++i) {
    if (split[i] == split_value) rows.push_back(static_cast<uint32_t>(i));
  }
  return rows;
}

nn::Shape InMemoryRows::input_shape(int64_t rows) const {
  nn::Shape shape = data_.inputs.shape();
  shape[0] = rows;
  return shape;
}

nn::Shape InMemoryRows::target_shape(int64_t rows) const {
  nn::Shape shape = data_.targets.shape();
  shape[0] = rows;
  return shape;
}

Status InMemoryRows::gather(std::span<const uint32_t> rows, nn::Tensor& inputs, nn::Tensor& targets) const {
  for (uint32_t row : rows) {
    if (row >= data_.split.size()) {
      return invalid_argument("row " + std::to_string(row) + " is past the last row (" +
                              std::to_string(data_.split.size()) + " rows)");
    }
  }
  gather_rows(data_.inputs, rows, inputs);
  gather_rows(data_.targets, rows, targets);
  return Status::ok();
}

void gather_rows(const nn::Tensor& source, std::span<const uint32_t> rows, nn::Tensor& batch) {
  nn::Shape shape = source.shape();
  const int64_t per_row = source.dim(0) == 0 ? 0 : source.size() / source.dim(0);
  shape[0] = static_cast<int64_t>(rows.size());
  batch.resize(shape);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::memcpy(batch.data() + static_cast<int64_t>(i) * per_row, source.data() + rows[i] * per_row,
                static_cast<size_t>(per_row) * sizeof(float));
  }
}

Result<nn::Tensor> load_inputs(const DataOptions& options) {
  const std::string path = path_in(options.dir, options.inputs);
  EPIBOOK_ASSIGN_OR_RETURN(nn::Tensor inputs, read_tensor(path, false));
  for (int64_t i = 0; i < inputs.size(); ++i) {
    if (!std::isfinite(inputs[i])) return invalid_argument(path + ": holds a NaN or infinite input");
  }
  return inputs;
}

Result<TrainingData> load_training_data(const DataOptions& options) {
  const std::string inputs_path = path_in(options.dir, options.inputs);
  const std::string targets_path = path_in(options.dir, options.targets);
  EPIBOOK_ASSIGN_OR_RETURN(nn::Tensor inputs, read_tensor(inputs_path, false));
  EPIBOOK_ASSIGN_OR_RETURN(nn::Tensor targets, read_tensor(targets_path, true));
  const int64_t n = inputs.dim(0);
  if (targets.dim(0) != n) {
    return invalid_argument(targets_path + ": " + std::to_string(targets.dim(0)) + " rows, but " + inputs_path +
                            " has " + std::to_string(n));
  }
  for (int64_t i = 0; i < inputs.size(); ++i) {
    if (!std::isfinite(inputs[i])) {
      return invalid_argument(inputs_path + ": row " + std::to_string(i / (inputs.size() / n)) +
                              " holds a NaN or infinite input");
    }
  }
  std::vector<int8_t> split(static_cast<size_t>(n), 0);
  if (!options.split.empty()) {
    const std::string split_path = path_in(options.dir, options.split);
    EPIBOOK_ASSIGN_OR_RETURN(const NpyArray array, read_npy(split_path));
    if (array.elements() != static_cast<uint64_t>(n)) {
      return invalid_argument(split_path + ": " + std::to_string(array.elements()) + " values, but " + inputs_path +
                              " has " + std::to_string(n) + " rows");
    }
    const std::vector<float> values = array.as_float32();
    for (int64_t i = 0; i < n; ++i) {
      if (values[i] != 0.0f && values[i] != 1.0f && values[i] != 2.0f) {
        return invalid_argument(split_path + ": value " + std::to_string(values[i]) + " at row " + std::to_string(i) +
                                " is not 0 (train), 1 (validation) or 2 (test)");
      }
      split[i] = static_cast<int8_t>(values[i]);
    }
  }
  std::vector<uint32_t> complete;
  const int64_t per_row = targets.size() / std::max<int64_t>(1, n);
  for (int64_t row = 0; row < n; ++row) {
    bool finite = true;
    for (int64_t k = 0; k < per_row; ++k) finite = finite && std::isfinite(targets[row * per_row + k]);
    if (finite) complete.push_back(static_cast<uint32_t>(row));
  }
  if (complete.empty()) return invalid_argument(targets_path + ": every row has a missing target");
  TrainingData data;
  data.inputs = rows_kept(inputs, complete);
  data.targets = rows_kept(targets, complete);
  for (uint32_t row : complete) data.split.push_back(split[row]);
  return data;
}

}  // namespace epibook
