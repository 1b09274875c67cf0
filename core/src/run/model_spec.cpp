// From a ModelSpec to layers: the small CNN of the chapters (conv blocks, pooling, a
// head), and prediction over a whole array in batches.
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "epibook/nn/layers/activations.h"
#include "epibook/nn/layers/conv1d.h"
#include "epibook/nn/layers/dense.h"
#include "epibook/nn/layers/pooling.h"
#include "epibook/nn/model.h"
#include "epibook/model_limits.h"
#include "epibook/train.h"

namespace epibook {
namespace {

nn::LayerPtr make_activation(const std::string& name) {
  if (name == "gelu") return std::make_unique<nn::GELU>();
  if (name == "softplus") return std::make_unique<nn::Softplus>();
  if (name == "sigmoid") return std::make_unique<nn::Sigmoid>();
  return std::make_unique<nn::ReLU>();
}

// The elements of one row (every axis but the first); -1 when the count passes 64 bits.
int64_t per_row_elements(const nn::Shape& shape) {
  int64_t n = 1;
  for (int axis = 1; axis < shape.rank(); ++axis) {
    if (__builtin_mul_overflow(n, shape[axis], &n)) return -1;
  }
  return n;
}

std::string bytes_text(int64_t bytes) {
  char text[32];
  if (bytes >= (int64_t{1} << 30)) {
    std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1 << 30));
  } else {
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  }
  return text;
}

std::string shape_text(std::initializer_list<int64_t> dims) {
  std::string text;
  for (int64_t d : dims) text += (text.empty() ? "" : " x ") + std::to_string(d);
  return text;
}

// "4 x 512": a row's axes (every axis but the first).
std::string row_text(const nn::Shape& shape) {
  std::string text;
  for (int axis = 1; axis < shape.rank(); ++axis) text += (text.empty() ? "" : " x ") + std::to_string(shape[axis]);
  return text;
}

std::string setting(const char* key, int64_t value) { return std::string(key) + " = " + std::to_string(value); }

// A model's size, kept as its layers are counted: its parameters, and the float32 values
// a training step keeps a row (the input, each layer's output; a batch keeps them and
// their gradients). Each layer is counted before it is made, so a spec or a shape read
// from an untrusted file (a checkpoint's header) or typed into a config is refused with
// the setting at fault, not met by an allocation that fails. Counting builds no text
// (a deep spec is counted block by block); the messages are made only for a refusal.
class ModelBudget {
 public:
  explicit ModelBudget(const ModelLimits& limits) : limits_(limits) {}

  // Counts a layer of weights shaped `dims` and `biases` biases; false when the model
  // passes the parameter limit (weights_refused() then says so).
  bool add_weights(std::initializer_list<int64_t> dims, int64_t biases) {
    int64_t weights = 1;
    for (int64_t d : dims) {
      if (d <= 0) return true;  // the layer itself refuses a size that is not positive
      overflow_ = overflow_ || __builtin_mul_overflow(weights, d, &weights);
    }
    overflow_ = overflow_ || __builtin_add_overflow(parameters_, weights, &parameters_) ||
                __builtin_add_overflow(parameters_, biases, &parameters_);
    return !overflow_ && parameters_ <= limits_.max_parameters;
  }
  // `setting` ("model.channels = 32") leads; `layer` has weights `dims`, each named in `names`.
  Status weights_refused(const std::string& setting, const std::string& layer, std::initializer_list<int64_t> dims,
                         const std::string& names) const {
    return invalid_argument(setting + ": " + layer + " has " + shape_text(dims) + " weights (" + names +
                            "), which takes the model " +
                            (overflow_ ? std::string("past what 64 bits count")
                                       : "to " + std::to_string(parameters_) + " parameters, past the " +
                                             std::to_string(limits_.max_parameters) + held()));
  }

  // Counts `values` a row that a layer outputs; false when one row alone passes the
  // activation limit (outputs_refused() then says so). A batch is checked at the end.
  bool add_outputs(int64_t values) {
    overflow_ = overflow_ || values < 0 || __builtin_add_overflow(row_values_, values, &row_values_);
    return !overflow_ && row_values_ <= limits_.max_batch_activation_bytes / kBytesPerValue;
  }
  // `setting` leads; `what` says which layer outputs how many values a row.
  Status outputs_refused(const std::string& setting, const std::string& what) const {
    return invalid_argument(setting + ": " + what + ", so one row alone holds " +
                            (overflow_ ? std::string("more than 64 bits count") : bytes_text(row_values_ * kBytesPerValue)) +
                            " of activations and their gradients, past the " +
                            bytes_text(limits_.max_batch_activation_bytes) + held() +
                            " for a whole batch; use fewer channels or shorter windows");
  }

  // The whole model counted: whether a batch of its rows fits, and if not the batch that would.
  Status check_batch() const {
    const int64_t row_bytes = row_values_ * kBytesPerValue;  // add_outputs kept it under the limit
    int64_t bytes = 0;
    if (!__builtin_mul_overflow(row_bytes, limits_.batch_size, &bytes) && bytes <= limits_.max_batch_activation_bytes) {
      return Status::ok();
    }
    return invalid_argument("train.batch_size = " + std::to_string(limits_.batch_size) + ": a row holds " +
                            std::to_string(row_values_) + " values (the input and every layer's outputs), so a batch " +
                            "holds " + (bytes > 0 ? bytes_text(bytes) : std::string("more than 64 bits count")) +
                            " of activations and their gradients, past the " +
                            bytes_text(limits_.max_batch_activation_bytes) + held() + "; a batch of " +
                            std::to_string(limits_.max_batch_activation_bytes / row_bytes) + " rows or fewer fits");
  }

  int64_t max_parameters() const { return limits_.max_parameters; }

 private:
  // A float32 output and its gradient.
  static constexpr int64_t kBytesPerValue = 2 * sizeof(float);
  std::string held() const { return limits_.holder.empty() ? "" : " " + limits_.holder + " may use"; }

  const ModelLimits& limits_;
  int64_t parameters_ = 0;
  int64_t row_values_ = 0;
  bool overflow_ = false;
};

// One pass over the spec, layer by layer, each counted against `budget` before it is
// made. With `chain` null nothing is made: the first pass sizes the whole model and
// refuses it before any layer allocates; the second builds what the first accepted.
Status walk_model(const ModelSpec& spec, const nn::Shape& input_shape, const nn::Shape& target_shape,
                  ModelBudget& budget, nn::Sequential* chain) {
  const bool counting = chain == nullptr;
  if (spec.conv_layers > 0 && input_shape.rank() != 3) {
    return invalid_argument("model.conv_layers needs inputs [N, channels, length], the data's are " +
                            input_shape.text());
  }
  if (!budget.add_outputs(per_row_elements(input_shape))) {
    return budget.outputs_refused("the data's windows", "the input holds " + row_text(input_shape) + " values a row");
  }
  nn::Shape shape = input_shape;  // the trunk's output so far
  int64_t dilation = 1;
  for (int64_t block = 0; block < spec.conv_layers; ++block) {
    const auto name = [&] { return "conv block " + std::to_string(block + 1); };
    // A dilated kernel wider than any input (2^40 positions, as data shapes are bounded)
    // is refused before its width, or the next block's dilation, passes 64 bits.
    if (spec.kernel_size > 0 && dilation > (int64_t{1} << 40) / spec.kernel_size) {
      return invalid_argument((block == 0 ? setting("model.kernel_size", spec.kernel_size)
                                          : setting("model.dilation_growth", spec.dilation_growth)) +
                              ": " + name() + " has dilation " + std::to_string(dilation) + " and kernel_size " +
                              std::to_string(spec.kernel_size) + ", wider than 2^40 positions" +
                              (block == 0 ? "" : " (model.dilation_growth, model.conv_layers)"));
    }
    const int64_t channels = shape[1], length = shape[2];
    if (!budget.add_weights({spec.channels, channels, spec.kernel_size}, spec.channels)) {
      // The setting to name: the larger factor of a block that alone passes, else the depth.
      int64_t weights = 0;
      const bool alone = __builtin_mul_overflow(spec.channels, channels, &weights) ||
                         __builtin_mul_overflow(weights, spec.kernel_size, &weights) ||
                         weights > budget.max_parameters() / 2;
      return budget.weights_refused(block > 0 && !alone ? setting("model.conv_layers", spec.conv_layers)
                                    : spec.kernel_size > spec.channels ? setting("model.kernel_size", spec.kernel_size)
                                                                       : setting("model.channels", spec.channels),
                                    name(), {spec.channels, channels, spec.kernel_size},
                                    "model.channels x input channels x model.kernel_size");
    }
    // A conv block's output and its activation's, each channels x length.
    int64_t outputs = 0;
    if (__builtin_mul_overflow(spec.channels, length, &outputs) || __builtin_mul_overflow(outputs, int64_t{2}, &outputs)) {
      outputs = -1;
    }
    if (!budget.add_outputs(outputs)) {
      return budget.outputs_refused(block > 0 ? setting("model.conv_layers", spec.conv_layers)
                                              : setting("model.channels", spec.channels),
                                    name() + " outputs 2 x " + shape_text({spec.channels, length}) +
                                        " values a row (its convolution and activation, model.channels x positions)");
    }
    shape = nn::Shape{shape[0], spec.channels, length};  // 'same' padding keeps the length
    if (!counting) {
      nn::Conv1DOptions conv;
      conv.in_channels = channels;
      conv.out_channels = spec.channels;
      conv.kernel_size = spec.kernel_size;
      conv.dilation = dilation;
      conv.padding = nn::Padding::kSame;
      chain->add(nn::Conv1D::create(conv));
      chain->add(make_activation(spec.activation));
    }
    if (spec.pool > 1) {
      Result<std::unique_ptr<nn::MaxPool1D>> pool = nn::MaxPool1D::create(spec.pool);
      const Result<nn::Shape> pooled = pool.is_ok() ? (*pool)->output_shape(shape) : Result<nn::Shape>(pool.status());
      if (!pooled.is_ok() && counting) return Status::ok();  // the build refuses it in the chain's own words
      if (pooled.is_ok()) {
        shape = *pooled;
        if (!budget.add_outputs(per_row_elements(shape))) {
          return budget.outputs_refused(setting("model.conv_layers", spec.conv_layers),
                                        name() + "'s pooling outputs " + row_text(shape) + " values a row");
        }
      }
      if (!counting) chain->add(std::move(pool));
    }
    if (__builtin_mul_overflow(dilation, spec.dilation_growth, &dilation)) dilation = std::numeric_limits<int64_t>::max();
  }
  nn::Shape trunk = shape;
  if (!counting) {
    EPIBOOK_RETURN_IF_ERROR(chain->check().with_context("model"));
    EPIBOOK_ASSIGN_OR_RETURN(trunk, chain->output_shape(input_shape));
  }
  if (spec.head == "conv") {
    if (trunk.rank() != 3) return invalid_argument("model.head conv needs a trunk output [N, C, L], got " + trunk.text());
    const int64_t outputs = spec.outputs > 0 ? spec.outputs : (target_shape.rank() == 3 ? target_shape[1] : 1);
    const std::string at_fault = spec.outputs > 0 ? setting("model.outputs", spec.outputs) : "model.head = \"conv\"";
    if (!budget.add_weights({outputs, trunk[1], 1}, outputs)) {
      return budget.weights_refused(at_fault, "model.head", {outputs, trunk[1], 1}, "outputs x trunk channels x 1");
    }
    int64_t values = 0;
    if (__builtin_mul_overflow(outputs, trunk[2], &values)) values = -1;
    if (!budget.add_outputs(values)) {
      return budget.outputs_refused(at_fault, "model.head outputs " + shape_text({outputs, trunk[2]}) +
                                                  " values a row (outputs x positions)");
    }
    // Targets binned coarser than the trunk's positions (data.bin): each output is the
    // mean of the head's outputs over its bin, so one model predicts at any output bin
    // that divides its length, as Basenji and Enformer pool to 128 bp.
    const bool averaged = target_shape.rank() == 3 && target_shape[2] < trunk[2];
    if (averaged && (target_shape[2] <= 0 || trunk[2] % target_shape[2] != 0)) {
      return invalid_argument("model.head conv: " + std::to_string(trunk[2]) + " positions cannot be averaged into " +
                              std::to_string(target_shape[2]) + " target bins");
    }
    if (!counting) {
      nn::Conv1DOptions conv;
      conv.in_channels = trunk[1];
      conv.out_channels = outputs;
      conv.kernel_size = 1;
      chain->add(nn::Conv1D::create(conv));
      if (averaged) chain->add(nn::AvgPool1D::create(trunk[2] / target_shape[2]));
    }
  } else {
    int64_t features = per_row_elements(trunk);
    const bool global_average = spec.head == "global_avg_dense" && trunk.rank() == 3;
    // DeepBind's choice (global_max_dense): a motif counts wherever it is, and once (its best match).
    const bool global_max = spec.head == "global_max_dense" && trunk.rank() == 3;
    if (global_average || global_max) features = trunk[1];
    const int64_t outputs = spec.outputs > 0 ? spec.outputs : per_row_elements(target_shape);
    if (features < 0 || outputs < 0) {
      return invalid_argument("model.head: a row of " + (features < 0 ? trunk.text() : target_shape.text()) +
                              " holds more elements than 64 bits count");
    }
    const std::string at_fault = spec.outputs > 0 && outputs >= features ? setting("model.outputs", spec.outputs)
                                                                         : "model.head = \"" + spec.head + "\"";
    if (!budget.add_weights({outputs, features}, outputs)) {
      return budget.weights_refused(at_fault, "model.head", {outputs, features}, "outputs x features");
    }
    if (!budget.add_outputs(outputs)) {
      return budget.outputs_refused(at_fault, "model.head outputs " + std::to_string(outputs) + " values a row");
    }
    if (!counting) {
      if (global_average) {
        chain->add(std::make_unique<nn::GlobalAvgPool1D>());
      } else if (global_max) {
        chain->add(nn::MaxPool1D::create(trunk[2]));
        chain->add(std::make_unique<nn::Flatten>());
      } else if (trunk.rank() > 2) {
        chain->add(std::make_unique<nn::Flatten>());
      }
      chain->add(nn::Dense::create(features, outputs));
    }
  }
  if (!counting) EPIBOOK_RETURN_IF_ERROR(chain->check().with_context("model.head"));
  return budget.check_batch();
}

}  // namespace

ModelLimits training_model_limits(uint32_t batch_size) {
  return ModelLimits{kMaxTrainingParameters, kMaxTrainingActivationBytes, batch_size, "a training run"};
}

Result<nn::LayerPtr> build_model(const ModelSpec& spec, const nn::Shape& input_shape, const nn::Shape& target_shape,
                                 uint64_t seed) {
  return build_model_within(spec, input_shape, target_shape, seed, ModelLimits{});
}

Result<nn::LayerPtr> build_model_within(const ModelSpec& spec, const nn::Shape& input_shape,
                                        const nn::Shape& target_shape, uint64_t seed, const ModelLimits& limits) {
  ModelBudget sizing(limits);
  EPIBOOK_RETURN_IF_ERROR(walk_model(spec, input_shape, target_shape, sizing, nullptr));
  auto chain = std::make_unique<nn::Sequential>(seed);
  ModelBudget building(limits);
  EPIBOOK_RETURN_IF_ERROR(walk_model(spec, input_shape, target_shape, building, chain.get()));
  return nn::LayerPtr(std::move(chain));
}

Result<nn::Tensor> predict(nn::Layer& model, const nn::Tensor& inputs, uint32_t batch_size) {
  if (inputs.rank() < 1 || inputs.dim(0) == 0) return invalid_argument("predict: no input rows");
  if (batch_size == 0) return invalid_argument("predict: batch size must be > 0");
  const bool was_training = model.training();
  model.set_training(false);
  const auto rows = static_cast<uint32_t>(inputs.dim(0));
  nn::Tensor batch, output, all;
  std::vector<uint32_t> indices;
  for (uint32_t first = 0; first < rows; first += batch_size) {
    indices.clear();
    for (uint32_t r = first; r < std::min(rows, first + batch_size); ++r) indices.push_back(r);
    gather_rows(inputs, indices, batch);
    Status status = model.forward(batch, output);
    if (!status.is_ok()) {
      model.set_training(was_training);
      return status;
    }
    if (first == 0) {
      nn::Shape shape = output.shape();
      shape[0] = rows;
      all.resize(shape);
    }
    const int64_t per_row = output.size() / output.dim(0);
    std::copy(output.data(), output.data() + output.size(), all.data() + static_cast<int64_t>(first) * per_row);
  }
  model.set_training(was_training);
  return all;
}

Result<RowPredictions> predict_rows(nn::Layer& model, const TrainingRows& data, std::span<const uint32_t> rows,
                                    uint32_t batch_size) {
  if (rows.empty()) return invalid_argument("predict: no rows");
  if (batch_size == 0) return invalid_argument("predict: batch size must be > 0");
  const bool was_training = model.training();
  model.set_training(false);
  const auto n = static_cast<int64_t>(rows.size());
  RowPredictions out;
  out.targets.resize(data.target_shape(n));
  nn::Tensor inputs, targets, output;
  Status status = Status::ok();
  for (size_t first = 0; first < rows.size() && status.is_ok(); first += batch_size) {
    const size_t count = std::min<size_t>(batch_size, rows.size() - first);
    status = data.gather(rows.subspan(first, count), inputs, targets);
    if (status.is_ok()) status = model.forward(inputs, output);
    if (!status.is_ok()) break;
    if (first == 0) {
      nn::Shape shape = output.shape();
      shape[0] = n;
      out.outputs.resize(shape);
    }
    const auto at = static_cast<int64_t>(first);
    std::copy(output.data(), output.data() + output.size(), out.outputs.data() + at * (output.size() / output.dim(0)));
    std::copy(targets.data(), targets.data() + targets.size(), out.targets.data() + at * (targets.size() / targets.dim(0)));
  }
  model.set_training(was_training);
  EPIBOOK_RETURN_IF_ERROR(status);
  return out;
}

}  // namespace epibook
