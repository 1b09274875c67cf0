// The validation scores written to metrics.jsonl each epoch, chosen by the loss: the
// chapters compare signal models by correlation and peak models by ranking scores.
#include <cmath>

#include "epibook/metrics.h"
#include "epibook/train.h"

namespace epibook {
namespace {

bool all_binary(std::span<const float> values) {
  for (float v : values) {
    if (v != 0.0f && v != 1.0f) return false;
  }
  return true;
}

// A score that the data leave undefined (one class in a small validation split) is
// left out rather than failing the run.
void add_if_defined(std::vector<MetricValue>& out, const char* name, const Result<double>& value) {
  if (value.is_ok()) out.push_back({name, *value});
}

}  // namespace

bool outputs_log_rates(std::string_view loss) { return loss == "poisson" || loss == "multinomial"; }

Result<std::vector<MetricValue>> validation_metrics(const std::string& loss, const nn::Tensor& outputs,
                                                    const nn::Tensor& targets) {
  std::vector<MetricValue> out;
  if (loss == "cross_entropy") {
    if (outputs.rank() != 2) return invalid_argument("cross_entropy outputs must be [rows, classes]");
    std::vector<int32_t> classes(static_cast<size_t>(targets.size()));
    for (int64_t i = 0; i < targets.size(); ++i) classes[static_cast<size_t>(i)] = static_cast<int32_t>(targets[i]);
    add_if_defined(out, "accuracy", multiclass_accuracy(outputs.values(), static_cast<uint32_t>(outputs.dim(1)), classes));
    return out;
  }
  if (outputs.size() != targets.size()) {
    return invalid_argument("validation: " + std::to_string(outputs.size()) + " outputs for " +
                            std::to_string(targets.size()) + " targets");
  }
  if (loss == "bce") {
    if (!all_binary(targets.values())) return out;
    add_if_defined(out, "auroc", auroc(outputs.values(), targets.values()));
    add_if_defined(out, "auprc", auprc(outputs.values(), targets.values()));
    Result<BestF1> f1 = best_f1(outputs.values(), targets.values());
    if (f1.is_ok()) out.push_back({"best_f1", f1->f1});
    add_if_defined(out, "accuracy", accuracy(outputs.values(), targets.values(), 0.0));  // logit 0 = probability 1/2
    return out;
  }
  std::vector<float> predictions(outputs.values().begin(), outputs.values().end());
  if (outputs_log_rates(loss)) {
    for (float& p : predictions) p = std::exp(p);
  }
  add_if_defined(out, "pearson", pearson(predictions, targets.values()));
  add_if_defined(out, "spearman", spearman(predictions, targets.values()));
  add_if_defined(out, "mse", mean_squared_error(predictions, targets.values()));
  return out;
}

}  // namespace epibook
