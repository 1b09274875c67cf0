// Scoring a trained model on a split with floors beside the scores: what `epibook
// eval` prints and the chapters quote.
#include <cmath>

#include "epibook/train.h"

namespace epibook {
namespace {

// The metrics that have a meaningful shuffled-label floor, by name.
PairedMetric floor_metric(const std::string& name) {
  if (name == "pearson") return pearson;
  if (name == "spearman") return spearman;
  if (name == "auroc") return auroc;
  if (name == "auprc") return auprc;
  return {};
}

}  // namespace

std::vector<Evaluation::Floor> metric_floors(const std::string& loss, const std::vector<MetricValue>& metrics,
                                             const nn::Tensor& outputs, const nn::Tensor& targets, uint64_t seed,
                                             uint32_t rounds) {
  std::vector<Evaluation::Floor> floors;
  if (rounds == 0 || outputs.size() != targets.size()) return floors;
  std::vector<float> predictions(outputs.values().begin(), outputs.values().end());
  if (outputs_log_rates(loss)) {
    for (float& p : predictions) p = std::exp(p);
  }
  for (const MetricValue& m : metrics) {
    const PairedMetric metric = floor_metric(m.name);
    if (!metric) continue;
    Result<MetricFloor> floor = shuffled_label_floor(metric, predictions, targets.values(), seed, rounds);
    if (floor.is_ok()) floors.push_back({m.name, *floor});
  }
  return floors;
}

Result<Evaluation> evaluate_model(nn::Layer& model, const TrainOptions& options, const TrainingData& data, int split,
                                  uint32_t floor_rounds) {
  return evaluate_model(model, options, InMemoryRows(data), split, floor_rounds);
}

Result<Evaluation> evaluate_model(nn::Layer& model, const TrainOptions& options, const TrainingRows& data, int split,
                                  uint32_t floor_rounds) {
  std::vector<uint32_t> rows;
  for (size_t i = 0; i < data.split().size(); ++i) {
    if (split < 0 || data.split()[i] == split) rows.push_back(static_cast<uint32_t>(i));
  }
  if (rows.empty()) return invalid_argument("the data have no rows in split " + std::to_string(split));
  EPIBOOK_ASSIGN_OR_RETURN(RowPredictions predicted, predict_rows(model, data, rows, options.batch_size));
  return evaluate_predictions(options, predicted.outputs, std::move(predicted.targets), floor_rounds);
}

Result<Evaluation> evaluate_predictions(const TrainOptions& options, const nn::Tensor& outputs, nn::Tensor targets,
                                        uint32_t floor_rounds) {
  if (options.loss != "cross_entropy") {
    if (outputs.size() != targets.size()) {
      return invalid_argument("the model gives " + outputs.shape().text() + " for targets " + targets.shape().text());
    }
    targets.reshape(outputs.shape());
  }
  EPIBOOK_ASSIGN_OR_RETURN(const auto loss, nn::make_loss(options.loss, options.loss_weights));
  Evaluation evaluation;
  evaluation.rows = static_cast<uint64_t>(outputs.dim(0));
  EPIBOOK_ASSIGN_OR_RETURN(evaluation.loss, loss->evaluate(outputs, targets, nullptr));
  EPIBOOK_ASSIGN_OR_RETURN(evaluation.metrics, validation_metrics(options.loss, outputs, targets));
  evaluation.floors = metric_floors(options.loss, evaluation.metrics, outputs, targets, options.seed, floor_rounds);
  return evaluation;
}

}  // namespace epibook
