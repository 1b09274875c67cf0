// Losses by the names a training config uses.
#include <memory>

#include "epibook/nn/loss.h"

namespace epibook::nn {

std::vector<std::string> loss_names() { return {"mse", "poisson", "multinomial", "bce", "cross_entropy"}; }

Result<std::unique_ptr<Loss>> make_loss(std::string_view name, std::vector<float> weights) {
  if (name == "bce") return std::unique_ptr<Loss>(std::make_unique<BceWithLogitsLoss>(std::move(weights)));
  if (name == "cross_entropy") return std::unique_ptr<Loss>(std::make_unique<CrossEntropyLoss>(std::move(weights)));
  if (name == "multinomial") {
    if (weights.size() > 1 || (weights.size() == 1 && !(weights[0] >= 0 && weights[0] < 1e9))) {
      return invalid_argument("loss \"multinomial\" takes one count weight >= 0");
    }
    return std::unique_ptr<Loss>(std::make_unique<MultinomialCountsLoss>(weights.empty() ? 1.0 : weights[0]));
  }
  std::unique_ptr<Loss> loss;
  if (name == "mse") loss = std::make_unique<MseLoss>();
  if (name == "poisson") loss = std::make_unique<PoissonNllLoss>();
  if (!loss) {
    return invalid_argument("unknown loss \"" + std::string(name) + "\" (choose mse, poisson, multinomial, bce or cross_entropy)");
  }
  if (!weights.empty()) return invalid_argument("loss \"" + std::string(name) + "\" takes no weights");
  return loss;
}

}  // namespace epibook::nn
