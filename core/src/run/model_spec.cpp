// From a ModelSpec to layers: the small CNN of the chapters (conv blocks, pooling, a
// head), and prediction over a whole array in batches.
#include <limits>
#include <nlohmann/json.hpp>

#include "epibook/nn/layers/activations.h"
#include "epibook/nn/layers/conv1d.h"
#include "epibook/nn/layers/dense.h"
#include "epibook/nn/layers/pooling.h"
#include "epibook/nn/model.h"
#include "epibook/train.h"
#include "bounded_model.h"

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

// The parameter count of a model, kept as its layers are added and checked before each
// one allocates: a spec or a shape read from an untrusted file (a checkpoint's header)
// is refused with the layer that passes the limit, not met by an allocation that fails.
class ParameterBudget {
 public:
  explicit ParameterBudget(int64_t limit) : limit_(limit) {}
  // Counts a layer of weights shaped `dims` and `biases` biases.
  Status add(const std::string& layer, std::initializer_list<int64_t> dims, int64_t biases) {
    int64_t weights = 1;
    std::string shape;
    bool overflow = false;
    for (int64_t d : dims) {
      if (d <= 0) return Status::ok();  // the layer itself refuses a size that is not positive
      overflow = overflow || __builtin_mul_overflow(weights, d, &weights);
      shape += (shape.empty() ? "" : " x ") + std::to_string(d);
    }
    overflow = overflow || __builtin_add_overflow(total_, weights, &total_) || __builtin_add_overflow(total_, biases, &total_);
    if (overflow || total_ > limit_) {
      return invalid_argument(layer + " has " + shape + " weights, which takes the model past " +
                              (limit_ == kNoLimit ? std::string("what 64 bits count") : std::to_string(limit_) + " parameters"));
    }
    return Status::ok();
  }
  static constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

 private:
  int64_t limit_;
  int64_t total_ = 0;
};

}  // namespace

Result<nn::LayerPtr> build_model(const ModelSpec& spec, const nn::Shape& input_shape, const nn::Shape& target_shape,
                                 uint64_t seed) {
  return build_model_within(spec, input_shape, target_shape, seed, ParameterBudget::kNoLimit);
}

Result<nn::LayerPtr> build_model_within(const ModelSpec& spec, const nn::Shape& input_shape,
                                        const nn::Shape& target_shape, uint64_t seed, int64_t max_parameters) {
  if (spec.conv_layers > 0 && input_shape.rank() != 3) {
    return invalid_argument("model.conv_layers needs inputs [N, channels, length], the data's are " +
                            input_shape.text());
  }
  auto chain = std::make_unique<nn::Sequential>(seed);
  int64_t channels = input_shape.rank() == 3 ? input_shape[1] : 0;
  int64_t dilation = 1;
  ParameterBudget budget(max_parameters);
  for (int64_t block = 0; block < spec.conv_layers; ++block) {
    // A dilated kernel wider than any input (2^40 positions, as data shapes are bounded)
    // is refused before its width, or the next block's dilation, passes 64 bits.
    if (spec.kernel_size > 0 && dilation > (int64_t{1} << 40) / spec.kernel_size) {
      return invalid_argument("model: conv block " + std::to_string(block + 1) + " has dilation " + std::to_string(dilation) +
                              " and kernel_size " + std::to_string(spec.kernel_size) +
                              ", wider than 2^40 positions (model.dilation_growth, model.conv_layers)");
    }
    EPIBOOK_RETURN_IF_ERROR(budget.add("model: conv block " + std::to_string(block + 1), {spec.channels, channels, spec.kernel_size},
                                       spec.channels));
    nn::Conv1DOptions conv;
    conv.in_channels = channels;
    conv.out_channels = spec.channels;
    conv.kernel_size = spec.kernel_size;
    conv.dilation = dilation;
    conv.padding = nn::Padding::kSame;
    chain->add(nn::Conv1D::create(conv));
    chain->add(make_activation(spec.activation));
    if (spec.pool > 1) {
      chain->add(nn::MaxPool1D::create(spec.pool));
    }
    channels = spec.channels;
    if (__builtin_mul_overflow(dilation, spec.dilation_growth, &dilation)) dilation = std::numeric_limits<int64_t>::max();
  }
  EPIBOOK_RETURN_IF_ERROR(chain->check().with_context("model"));
  EPIBOOK_ASSIGN_OR_RETURN(const nn::Shape trunk, chain->output_shape(input_shape));
  if (spec.head == "conv") {
    if (trunk.rank() != 3) return invalid_argument("model.head conv needs a trunk output [N, C, L], got " + trunk.text());
    const int64_t outputs = spec.outputs > 0 ? spec.outputs : (target_shape.rank() == 3 ? target_shape[1] : 1);
    nn::Conv1DOptions conv;
    conv.in_channels = trunk[1];
    conv.out_channels = outputs;
    conv.kernel_size = 1;
    EPIBOOK_RETURN_IF_ERROR(budget.add("model.head conv", {outputs, trunk[1], 1}, outputs));
    chain->add(nn::Conv1D::create(conv));
    // Targets binned coarser than the trunk's positions (data.bin): each output is the
    // mean of the head's outputs over its bin, so one model predicts at any output bin
    // that divides its length, as Basenji and Enformer pool to 128 bp.
    if (target_shape.rank() == 3 && target_shape[2] < trunk[2]) {
      if (target_shape[2] <= 0 || trunk[2] % target_shape[2] != 0) {
        return invalid_argument("model.head conv: " + std::to_string(trunk[2]) + " positions cannot be averaged into " +
                                std::to_string(target_shape[2]) + " target bins");
      }
      chain->add(nn::AvgPool1D::create(trunk[2] / target_shape[2]));
    }
  } else {
    int64_t features = per_row_elements(trunk);
    if (spec.head == "global_avg_dense" && trunk.rank() == 3) {
      chain->add(std::make_unique<nn::GlobalAvgPool1D>());
      features = trunk[1];
    } else if (spec.head == "global_max_dense" && trunk.rank() == 3) {
      // DeepBind's choice: a motif counts wherever it is, and once (its best match).
      chain->add(nn::MaxPool1D::create(trunk[2]));
      chain->add(std::make_unique<nn::Flatten>());
      features = trunk[1];
    } else if (trunk.rank() > 2) {
      chain->add(std::make_unique<nn::Flatten>());
    }
    const int64_t outputs = spec.outputs > 0 ? spec.outputs : per_row_elements(target_shape);
    if (features < 0 || outputs < 0) {
      return invalid_argument("model.head: a row of " + (features < 0 ? trunk.text() : target_shape.text()) +
                              " holds more elements than 64 bits count");
    }
    EPIBOOK_RETURN_IF_ERROR(budget.add("model.head", {outputs, features}, outputs));
    chain->add(nn::Dense::create(features, outputs));
  }
  EPIBOOK_RETURN_IF_ERROR(chain->check().with_context("model.head"));
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
