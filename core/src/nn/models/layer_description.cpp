// Rebuilding layers from their JSON description (describe()), so a checkpoint carries
// its architecture and `epibook predict` needs nothing but the file.
#include <nlohmann/json.hpp>

#include "epibook/nn/layers/activations.h"
#include "epibook/nn/layers/batch_norm.h"
#include "epibook/nn/layers/conv1d.h"
#include "epibook/nn/layers/dense.h"
#include "epibook/nn/layers/dropout.h"
#include "epibook/nn/layers/pooling.h"
#include "epibook/nn/model.h"

namespace epibook::nn {
namespace {

using nlohmann::json;

// The field `key` as T, or an error naming the layer kind and the field.
template <typename T>
Result<T> field(const json& description, const std::string& key) {
  if (!description.is_object()) return invalid_argument("a layer description must be a JSON object");
  const auto found = description.find(key);
  if (found == description.end()) {
    const auto kind = description.find("kind");
    const std::string layer = kind != description.end() && kind->is_string() ? kind->get<std::string>() : "layer";
    return invalid_argument(layer + ": description lacks '" + key + "'");
  }
  if constexpr (std::is_same_v<T, bool>) {
    if (!found->is_boolean()) return invalid_argument("'" + key + "' must be true or false");
  } else if constexpr (std::is_integral_v<T>) {
    if (!found->is_number_integer()) return invalid_argument("'" + key + "' must be an integer");
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!found->is_number()) return invalid_argument("'" + key + "' must be a number");
  } else {
    if (!found->is_string()) return invalid_argument("'" + key + "' must be a string");
  }
  return found->get<T>();
}

template <typename L>
Result<LayerPtr> as_layer(Result<std::unique_ptr<L>> layer) {
  if (!layer.is_ok()) return layer.status();
  return LayerPtr(std::move(layer).value());
}

Result<LayerPtr> conv1d_from(const json& d) {
  Conv1DOptions options;
  EPIBOOK_ASSIGN_OR_RETURN(options.in_channels, field<int64_t>(d, "in_channels"));
  EPIBOOK_ASSIGN_OR_RETURN(options.out_channels, field<int64_t>(d, "out_channels"));
  EPIBOOK_ASSIGN_OR_RETURN(options.kernel_size, field<int64_t>(d, "kernel_size"));
  EPIBOOK_ASSIGN_OR_RETURN(options.stride, field<int64_t>(d, "stride"));
  EPIBOOK_ASSIGN_OR_RETURN(options.dilation, field<int64_t>(d, "dilation"));
  EPIBOOK_ASSIGN_OR_RETURN(options.bias, field<bool>(d, "bias"));
  const auto padding = d.find("padding");
  if (padding != d.end() && padding->is_number_integer()) {
    options.padding = Padding::kSymmetric;
    options.padding_size = padding->get<int64_t>();
  } else if (padding != d.end() && *padding == "same") {
    options.padding = Padding::kSame;
  } else if (padding == d.end() || *padding != "valid") {
    return invalid_argument("Conv1d: 'padding' must be \"valid\", \"same\" or an integer");
  }
  return as_layer(Conv1D::create(options));
}

Result<LayerPtr> residual_from(const json& d) {
  const auto body = d.find("body");
  if (body == d.end()) return invalid_argument("Residual: description lacks 'body'");
  EPIBOOK_ASSIGN_OR_RETURN(std::unique_ptr<Sequential> body_model, sequential_from_description(*body));
  int64_t projection_in = 0;
  int64_t projection_out = 0;
  const auto projection = d.find("projection");
  if (projection != d.end()) {
    EPIBOOK_ASSIGN_OR_RETURN(projection_in, field<int64_t>(*projection, "in_channels"));
    EPIBOOK_ASSIGN_OR_RETURN(projection_out, field<int64_t>(*projection, "out_channels"));
  }
  return as_layer(Residual::create(std::move(body_model), projection_in, projection_out));
}

Result<LayerPtr> pool_from(const json& d, bool max) {
  EPIBOOK_ASSIGN_OR_RETURN(const int64_t kernel, field<int64_t>(d, "kernel_size"));
  EPIBOOK_ASSIGN_OR_RETURN(const int64_t stride, field<int64_t>(d, "stride"));
  if (max) return as_layer(MaxPool1D::create(kernel, stride));
  return as_layer(AvgPool1D::create(kernel, stride));
}

}  // namespace

Result<LayerPtr> layer_from_description(const json& d) {
  if (!d.is_object()) return invalid_argument("a layer description must be a JSON object");
  EPIBOOK_ASSIGN_OR_RETURN(const std::string kind, field<std::string>(d, "kind"));
  if (kind == "Conv1d") return conv1d_from(d);
  if (kind == "Linear") {
    EPIBOOK_ASSIGN_OR_RETURN(const int64_t in, field<int64_t>(d, "in_features"));
    EPIBOOK_ASSIGN_OR_RETURN(const int64_t out, field<int64_t>(d, "out_features"));
    EPIBOOK_ASSIGN_OR_RETURN(const bool bias, field<bool>(d, "bias"));
    return as_layer(Dense::create(in, out, bias));
  }
  if (kind == "ReLU") return LayerPtr(new ReLU());
  if (kind == "Sigmoid") return LayerPtr(new Sigmoid());
  if (kind == "Softplus") return LayerPtr(new Softplus());
  if (kind == "GELU") {
    EPIBOOK_ASSIGN_OR_RETURN(const std::string approximate, field<std::string>(d, "approximate"));
    return LayerPtr(new GELU(approximate == "tanh"));
  }
  if (kind == "Dropout") {
    EPIBOOK_ASSIGN_OR_RETURN(const double p, field<double>(d, "p"));
    return as_layer(Dropout::create(p));
  }
  if (kind == "BatchNorm1d") {
    EPIBOOK_ASSIGN_OR_RETURN(const int64_t features, field<int64_t>(d, "num_features"));
    EPIBOOK_ASSIGN_OR_RETURN(const double eps, field<double>(d, "eps"));
    EPIBOOK_ASSIGN_OR_RETURN(const double momentum, field<double>(d, "momentum"));
    return as_layer(BatchNorm1D::create(features, eps, momentum));
  }
  if (kind == "MaxPool1d") return pool_from(d, true);
  if (kind == "AvgPool1d") return pool_from(d, false);
  if (kind == "GlobalAvgPool1d") return LayerPtr(new GlobalAvgPool1D());
  if (kind == "Flatten") return LayerPtr(new Flatten());
  if (kind == "Sequential") {
    EPIBOOK_ASSIGN_OR_RETURN(std::unique_ptr<Sequential> model, sequential_from_description(d));
    return LayerPtr(std::move(model));
  }
  if (kind == "Residual") return residual_from(d);
  return invalid_argument("unknown layer kind '" + kind + "'");
}

Result<std::unique_ptr<Sequential>> sequential_from_description(const json& d, uint64_t seed) {
  const auto layers = d.find("layers");
  if (!d.is_object() || d.find("kind") == d.end() || d["kind"] != "Sequential" || layers == d.end() ||
      !layers->is_array()) {
    return invalid_argument("a Sequential description needs \"kind\": \"Sequential\" and a \"layers\" array");
  }
  auto model = std::make_unique<Sequential>(seed);
  for (size_t i = 0; i < layers->size(); ++i) {
    Result<LayerPtr> layer = layer_from_description((*layers)[i]);
    if (!layer.is_ok()) return layer.status().with_context("layer " + std::to_string(i));
    model->add(std::move(layer).value());
  }
  return model;
}

}  // namespace epibook::nn
