// Chapter 8's pipeline, its planted bugs and its tests (planted_bugs.h): the code the
// labs "test-bench" and "bug-curves" run.
#include "planted_bugs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "epibook/metrics.h"

namespace epibook::labs::bugs {

// ---------------------------------------------------------------------------------
// Bugs

const std::vector<std::string>& bug_names() {
  static const std::vector<std::string> names = {"none", "gradient", "shift", "inclusive-end", "normalisation", "unseeded"};
  return names;
}

std::string bug_name(PlantedBug bug) { return bug_names()[static_cast<size_t>(bug)]; }

Result<PlantedBug> parse_bug(const std::string& name) {
  const auto& names = bug_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<PlantedBug>(i);
  }
  return invalid_argument("no planted bug is called \"" + name +
                          "\" (none, gradient, shift, inclusive-end, normalisation, unseeded)");
}

std::string bug_description(PlantedBug bug) {
  switch (bug) {
    case PlantedBug::kNone: return "no bug: the pipeline as it should be";
    case PlantedBug::kGradient: return "SiLU's backward drops the product rule: sigmoid(x) instead of sigmoid(x)(1 + x(1 - sigmoid(x)))";
    case PlantedBug::kShift: return "the window reader adds 1 to BED's 0-based start: every window read one base to the right";
    case PlantedBug::kInclusiveEnd: return "the window reader takes BED's end as inclusive: 101 bases per 100 bp window";
    case PlantedBug::kNormalisation: return "the z-score is fitted on every window, validation and test included";
    case PlantedBug::kUnseeded: return "batches are shuffled by a generator seeded once per page, not by the run's seed";
  }
  return "";
}

// ---------------------------------------------------------------------------------
// Data

namespace {

constexpr uint32_t kSites = 420;
constexpr uint32_t kTrainWindows = kWindows * 3 / 5;        // 576
constexpr uint32_t kTestStart = kWindows * 4 / 5;           // window 768
constexpr double kAccessibilityWidth = 40;                  // bp, sd of the broad bump
constexpr double kChipWidth = 15;                           // bp, sd of the narrow bump

// Adds height * exp(-d^2 / 2 sd^2) around `centre` to `track`, out to 4 sd.
void add_bump(std::vector<float>& track, double centre, double sd, double height) {
  const auto reach = static_cast<int64_t>(4 * sd);
  const auto c = static_cast<int64_t>(centre);
  for (int64_t i = std::max<int64_t>(0, c - reach); i <= std::min<int64_t>(int64_t(track.size()) - 1, c + reach); ++i) {
    const double d = static_cast<double>(i) - centre;
    track[static_cast<size_t>(i)] += static_cast<float>(height * std::exp(-d * d / (2 * sd * sd)));
  }
}

}  // namespace

Tracks simulate_tracks(uint64_t seed) {
  Tracks t;
  const size_t bases = size_t{kWindows} * kWindow + kTail;
  std::vector<float> accessible(bases, 0.0f), bound(bases, 0.0f);
  CounterRng sites(seed, 1);
  for (uint32_t k = 0; k < kSites; ++k) {
    const double centre = sites.next_double() * static_cast<double>(bases);
    const double strength = 0.2 + 0.8 * sites.next_double();
    add_bump(accessible, centre, kAccessibilityWidth, 4 * strength);
    add_bump(bound, centre, kChipWidth, 8 * strength * strength);
  }
  CounterRng noise(seed, 2);
  t.accessibility.resize(bases);
  t.chip.resize(bases);
  for (size_t i = 0; i < bases; ++i) {
    const double jitter = 1 + 0.5 * (noise.next_double() - 0.5);
    t.accessibility[i] = static_cast<float>((1 + accessible[i]) * jitter);
    t.chip[i] = static_cast<float>(bound[i] + 0.3 * noise.next_double());
  }
  return t;
}

// ---------------------------------------------------------------------------------
// Windows and normaliser

uint64_t Windows::count(Split split) const { return static_cast<uint64_t>(std::count(splits.begin(), splits.end(), split)); }

Windows cut_windows(const Tracks& tracks, PlantedBug bug) {
  Windows w;
  for (uint32_t i = 0; i < kWindows; ++i) {
    if (i == kTrainWindows || i == kTestStart) continue;  // a window's gap between splits
    const Split split = i < kTrainWindows ? Split::kTrain : i < kTestStart ? Split::kValidation : Split::kTest;
    const Region region{tracks.chrom, uint64_t{i} * kWindow, uint64_t{i + 1} * kWindow};
    // The reader: BED is 0-based and half-open, so bases [start, end) of the 0-based track.
    uint64_t first = region.start, last = region.end;
    if (bug == PlantedBug::kShift) first += 1, last += 1;  // start taken as 1-based
    if (bug == PlantedBug::kInclusiveEnd) last += 1;       // end taken as inclusive
    std::vector<float> input(tracks.accessibility.begin() + static_cast<int64_t>(first),
                             tracks.accessibility.begin() + static_cast<int64_t>(last));
    double chip = 0;
    for (uint64_t b = first; b < last; ++b) chip += tracks.chip[b];
    w.regions.push_back(region);
    w.splits.push_back(split);
    w.inputs.push_back(std::move(input));
    w.targets.push_back(static_cast<float>(std::log1p(chip / static_cast<double>(last - first))));
  }
  return w;
}

Normaliser fit_normaliser(const Windows& windows, PlantedBug bug) {
  Normaliser n;
  double sum = 0, squares = 0, count = 0;
  for (size_t i = 0; i < windows.inputs.size(); ++i) {
    if (windows.splits[i] != Split::kTrain && bug != PlantedBug::kNormalisation) continue;
    n.fitted_windows.push_back(i);
    for (float v : windows.inputs[i]) sum += v, squares += double(v) * v, count += 1;
  }
  n.mean = sum / count;
  n.sd = std::sqrt(std::max(1e-12, squares / count - n.mean * n.mean));
  return n;
}

std::string Normaliser::record_json() const {
  const nlohmann::json record = {
      {"tool", "chapter 8 pipeline"},
      {"normalisation", {{"name", "accessibility z-score"}, {"mean", mean}, {"std", sd}, {"fitted_on", {{"windows", fitted_windows}}}}}};
  return record.dump();
}

// ---------------------------------------------------------------------------------
// Model

namespace {
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
}  // namespace

Status PlantedSilu::forward(const nn::Tensor& input, nn::Tensor& output) {
  input_ = &input;
  output.resize(input.shape());
  for (int64_t i = 0; i < input.size(); ++i) output[i] = static_cast<float>(input[i] * sigmoid(input[i]));
  return Status::ok();
}

Status PlantedSilu::backward(const nn::Tensor& grad_output, nn::Tensor* grad_input) {
  if (!input_) return invalid_argument("SiLU: backward before forward");
  if (!grad_input) return Status::ok();
  grad_input->resize(grad_output.shape());
  for (int64_t i = 0; i < grad_output.size(); ++i) {
    const double x = (*input_)[i], s = sigmoid(x);
    const double slope = wrong_backward_ ? s : s * (1 + x * (1 - s));
    (*grad_input)[i] = static_cast<float>(grad_output[i] * slope);
  }
  return Status::ok();
}

Result<std::unique_ptr<nn::Sequential>> make_model(PlantedBug bug, uint64_t seed) {
  auto model = std::make_unique<nn::Sequential>(seed);
  model->add(nn::Conv1D::create({.in_channels = 1, .out_channels = 8, .kernel_size = 9, .padding = nn::Padding::kSame}));
  model->add(nn::LayerPtr(std::make_unique<PlantedSilu>(bug == PlantedBug::kGradient)));
  model->add(nn::LayerPtr(std::make_unique<nn::GlobalAvgPool1D>()));
  model->add(nn::Dense::create(8, 1));
  EPIBOOK_RETURN_IF_ERROR(model->check());
  return model;
}

// ---------------------------------------------------------------------------------
// Training

Result<std::unique_ptr<BugRun>> BugRun::create(const Tracks& tracks, PlantedBug bug, uint64_t seed) {
  Windows windows = cut_windows(tracks, bug);
  Normaliser normaliser = fit_normaliser(windows, bug);
  std::unique_ptr<BugRun> run(new BugRun(std::move(windows), std::move(normaliser), bug, seed));
  EPIBOOK_ASSIGN_OR_RETURN(run->model_, make_model(bug, seed));
  nn::AdamOptions adam;
  adam.learning_rate = 0.01;
  run->optimizer_ = std::make_unique<nn::Adam>(run->model_->parameters(), adam, false);
  for (uint32_t i = 0; i < run->windows_.splits.size(); ++i) {
    const Split split = run->windows_.splits[i];
    (split == Split::kTrain ? run->train_rows_ : split == Split::kValidation ? run->validation_rows_ : run->test_rows_).push_back(i);
  }
  return run;
}

uint32_t BugRun::steps_per_epoch() const { return static_cast<uint32_t>((train_rows_.size() + kBatch - 1) / kBatch); }

void BugRun::shuffle_epoch() {
  // The bug: a generator made once and drawn from by every run in the page, as numpy's
  // global np.random is when nothing seeds it; a rerun continues its stream.
  static CounterRng page_generator(0x5eed0f9a9e);
  CounterRng seeded(seed_, 1000 + epoch_);
  CounterRng& rng = bug_ == PlantedBug::kUnseeded ? page_generator : seeded;
  order_ = train_rows_;
  for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng.next_below(i)]);
}

nn::Tensor BugRun::batch_of(const std::vector<uint32_t>& rows, uint64_t first, uint64_t count, nn::Tensor* targets) const {
  const auto length = static_cast<int64_t>(windows_.inputs[rows[first]].size());
  nn::Tensor batch({static_cast<int64_t>(count), 1, length});
  if (targets) targets->resize({static_cast<int64_t>(count), 1});
  for (uint64_t r = 0; r < count; ++r) {
    const uint32_t row = rows[first + r];
    const std::vector<float>& input = windows_.inputs[row];
    for (int64_t b = 0; b < length; ++b) {
      batch.at(static_cast<int64_t>(r), 0, b) = static_cast<float>((input[static_cast<size_t>(b)] - normaliser_.mean) / normaliser_.sd);
    }
    if (targets) (*targets)[static_cast<int64_t>(r)] = windows_.targets[row];
  }
  return batch;
}

Status BugRun::step() {
  const uint32_t per_epoch = steps_per_epoch();
  const uint64_t in_epoch = steps_ % per_epoch;
  if (in_epoch == 0) shuffle_epoch(), epoch_loss_sum_ = 0;
  const uint64_t first = in_epoch * kBatch;
  const uint64_t count = std::min<uint64_t>(kBatch, order_.size() - first);
  nn::Tensor targets;
  const nn::Tensor batch = batch_of(order_, first, count, &targets);
  EPIBOOK_ASSIGN_OR_RETURN(const nn::Tensor* output, model_->run(batch));
  nn::Tensor grad;
  EPIBOOK_ASSIGN_OR_RETURN(const double loss, loss_.evaluate(*output, targets, &grad));
  optimizer_->zero_grad();
  EPIBOOK_RETURN_IF_ERROR(model_->backward(grad, nullptr));
  optimizer_->step();
  batch_losses_.push_back(loss);
  epoch_loss_sum_ += loss;
  ++steps_;
  if (steps_ % per_epoch == 0) {
    EPIBOOK_RETURN_IF_ERROR(score_epoch());
    ++epoch_;
  }
  return Status::ok();
}

Result<double> BugRun::loss_on(const std::vector<uint32_t>& rows, std::vector<float>* predictions) {
  double sum = 0;
  for (uint64_t first = 0; first < rows.size(); first += 64) {
    const uint64_t count = std::min<uint64_t>(64, rows.size() - first);
    nn::Tensor targets;
    const nn::Tensor batch = batch_of(rows, first, count, &targets);
    EPIBOOK_ASSIGN_OR_RETURN(const nn::Tensor* output, model_->run(batch));
    EPIBOOK_ASSIGN_OR_RETURN(const double loss, loss_.evaluate(*output, targets, nullptr));
    sum += loss * static_cast<double>(count);
    if (predictions) predictions->insert(predictions->end(), output->values().begin(), output->values().end());
  }
  return sum / static_cast<double>(rows.size());
}

Status BugRun::score_epoch() {
  EpochScores scores;
  scores.train_loss = epoch_loss_sum_ / steps_per_epoch();
  EPIBOOK_ASSIGN_OR_RETURN(scores.validation_loss, loss_on(validation_rows_, nullptr));
  std::vector<float> predictions, truth;
  EPIBOOK_ASSIGN_OR_RETURN(scores.test_mse, loss_on(test_rows_, &predictions));
  for (uint32_t row : test_rows_) truth.push_back(windows_.targets[row]);
  EPIBOOK_ASSIGN_OR_RETURN(scores.test_pearson, pearson(predictions, truth));
  epochs_.push_back(scores);
  return Status::ok();
}

nlohmann::json epoch_json(const EpochScores& s) {
  return {{"train_loss", s.train_loss}, {"validation_loss", s.validation_loss}, {"test_mse", s.test_mse}, {"test_pearson", s.test_pearson}};
}

// ---------------------------------------------------------------------------------
// Tests

namespace {

std::string format(const char* pattern, double a, double b = 0, double c = 0) {
  char text[200];
  std::snprintf(text, sizeof text, pattern, a, b, c);
  return text;
}

nn::Tensor uniform_tensor(const nn::Shape& shape, uint64_t seed, float scale) {
  nn::Tensor t(shape);
  CounterRng rng(seed, 3);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(scale * (2 * rng.next_double() - 1));
  return t;
}

// One layer against central differences of sum(u * f(x)), the core unit tests' check
// (tests/unit/nn_gradient_check.h): step 1e-3, an entry fails when the two differ by more
// than 2e-3 + 2e-2 |numeric|. Up to 40 entries per tensor, spread evenly.
struct LayerGradientCheck {
  uint64_t checked = 0;
  uint64_t failing = 0;
  double max_relative_error = 0;  // |analytic - numeric| / max(|numeric|, 1e-3)
};

Result<LayerGradientCheck> check_layer_gradients(nn::Layer& layer, const nn::Tensor& input, uint64_t seed) {
  constexpr double kStep = 1e-3;
  nn::Tensor output;
  EPIBOOK_RETURN_IF_ERROR(layer.forward(input, output));
  const nn::Tensor upstream = uniform_tensor(output.shape(), seed, 1.0f);
  layer.zero_grad();
  nn::Tensor grad_input;
  EPIBOOK_RETURN_IF_ERROR(layer.backward(upstream, &grad_input));
  LayerGradientCheck check;
  nn::Tensor x = input;
  auto weighted_sum = [&]() -> Result<double> {
    nn::Tensor y;
    EPIBOOK_RETURN_IF_ERROR(layer.forward(x, y));
    double total = 0;
    for (int64_t i = 0; i < y.size(); ++i) total += double(upstream[i]) * y[i];
    return total;
  };
  auto compare = [&](nn::Tensor& values, const nn::Tensor& analytic) -> Status {
    const int64_t stride = std::max<int64_t>(1, values.size() / 40);
    for (int64_t i = 0; i < values.size(); i += stride) {
      const float saved = values[i];
      values[i] = static_cast<float>(saved + kStep);
      EPIBOOK_ASSIGN_OR_RETURN(const double plus, weighted_sum());
      values[i] = static_cast<float>(saved - kStep);
      EPIBOOK_ASSIGN_OR_RETURN(const double minus, weighted_sum());
      values[i] = saved;
      const double numeric = (plus - minus) / (2 * kStep);
      const double error = std::fabs(analytic[i] - numeric);
      ++check.checked;
      if (error > 2e-3 + 2e-2 * std::fabs(numeric)) ++check.failing;
      check.max_relative_error = std::max(check.max_relative_error, error / std::max(std::fabs(numeric), 1e-3));
    }
    return Status::ok();
  };
  EPIBOOK_RETURN_IF_ERROR(compare(x, grad_input));
  for (nn::Parameter* parameter : layer.parameters()) {
    const nn::Tensor analytic = parameter->grad;
    EPIBOOK_RETURN_IF_ERROR(compare(parameter->value, analytic));
  }
  return check;
}

}  // namespace

TestResult data_test(const Windows& windows) {
  TestResult t{"data", true, ""};
  uint64_t bad_inputs = 0, bad_targets = 0;
  for (size_t i = 0; i < windows.inputs.size(); ++i) {
    bad_inputs += std::any_of(windows.inputs[i].begin(), windows.inputs[i].end(), [](float v) { return !std::isfinite(v); });
    bad_targets += !std::isfinite(windows.targets[i]) || windows.targets[i] < 0;
  }
  const uint64_t empty_splits = (windows.count(Split::kTrain) == 0) + (windows.count(Split::kValidation) == 0) +
                                (windows.count(Split::kTest) == 0);
  t.passed = bad_inputs == 0 && bad_targets == 0 && empty_splits == 0;
  t.numbers = {{"windows", windows.inputs.size()},
               {"per_split", {{"train", windows.count(Split::kTrain)}, {"validation", windows.count(Split::kValidation)}, {"test", windows.count(Split::kTest)}}},
               {"bad_inputs", bad_inputs}, {"bad_targets", bad_targets}, {"empty_splits", empty_splits}};
  t.summary = format("%.0f windows; %.0f with a non-finite input, %.0f with a bad target", double(windows.inputs.size()),
                     double(bad_inputs), double(bad_targets));
  return t;
}

TestResult shape_test(const Windows& windows, nn::Sequential& model) {
  TestResult t{"shapes", true, ""};
  uint64_t wrong_length = 0;
  size_t longest = 0;
  for (const auto& input : windows.inputs) {
    wrong_length += input.size() != kWindow;
    longest = std::max(longest, input.size());
  }
  const Result<nn::Shape> output = model.output_shape({BugRun::kBatch, 1, static_cast<int64_t>(longest)});
  const bool output_fits = output.is_ok() && *output == nn::Shape({BugRun::kBatch, 1});
  t.passed = wrong_length == 0 && output_fits;
  t.numbers = {{"window_bases", kWindow}, {"longest_input", longest}, {"wrong_length", wrong_length}, {"output_fits", output_fits}};
  t.summary = format("%.0f of the windows are not %.0f bases (longest %.0f)", double(wrong_length), double(kWindow), double(longest));
  return t;
}

TestResult gradient_test(nn::Sequential& model) {
  TestResult t{"gradient", true, ""};
  // Each layer gets inputs of its shape: [2, 1, 24] for the convolution, [2, 8, 24]
  // after it, [2, 8] for the last layer.
  const nn::Shape shapes[] = {{2, 1, 24}, {2, 8, 24}, {2, 8, 24}, {2, 8}};
  nlohmann::json layers = nlohmann::json::array();
  double worst = 0;
  std::string worst_layer;
  for (size_t i = 0; i < model.size() && i < std::size(shapes); ++i) {
    const nn::Tensor input = uniform_tensor(shapes[i], 17 + i, 2.0f);
    const Result<LayerGradientCheck> check = check_layer_gradients(model.layer(i), input, 31 + i);
    if (!check.is_ok()) return TestResult{"gradient", false, check.status().message()};
    layers.push_back({{"layer", model.layer(i).kind()}, {"checked", check->checked}, {"failing", check->failing},
                      {"max_relative_error", check->max_relative_error}});
    if (check->failing) t.passed = false;
    if (check->max_relative_error >= worst) worst = check->max_relative_error, worst_layer = model.layer(i).kind();
  }
  t.numbers = {{"layers", layers}, {"max_relative_error", worst}, {"worst_layer", worst_layer}};
  // Per layer, the largest relative error, and how many entries failed where some did.
  t.summary = "largest relative error per layer:";
  for (const nlohmann::json& layer : layers) {
    const double error = layer["max_relative_error"].get<double>();
    t.summary += " " + layer["layer"].get<std::string>() + " " + format(error >= 1 ? "%.3f" : "%.4f", error);
    const auto failing = layer["failing"].get<uint64_t>();
    if (failing) t.summary += format(" (%.0f of %.0f entries fail)", double(failing), layer["checked"].get<double>());
    t.summary += layer == layers.back() ? "" : ",";
  }
  return t;
}

TestResult golden_test(const Tracks& tracks, const Windows& windows) {
  TestResult t{"golden", true, ""};
  // Prefix sums in double: mean over [start, end) = (P[end] - P[start]) / (end - start).
  std::vector<double> access(tracks.accessibility.size() + 1, 0.0), chip(tracks.chip.size() + 1, 0.0);
  for (size_t i = 0; i < tracks.accessibility.size(); ++i) {
    access[i + 1] = access[i] + tracks.accessibility[i];
    chip[i + 1] = chip[i] + tracks.chip[i];
  }
  uint64_t differing = 0;
  double largest = 0;
  for (size_t i = 0; i < windows.regions.size(); ++i) {
    const Region& r = windows.regions[i];
    const double width = static_cast<double>(r.length());
    const double golden_input = (access[r.end] - access[r.start]) / width;
    const double golden_target = std::log1p((chip[r.end] - chip[r.start]) / width);
    double read = 0;
    for (float v : windows.inputs[i]) read += v;
    read /= static_cast<double>(std::max<size_t>(1, windows.inputs[i].size()));
    const double gap = std::max(std::fabs(read - golden_input) / std::max(1.0, std::fabs(golden_input)),
                                std::fabs(windows.targets[i] - golden_target) / std::max(1.0, std::fabs(golden_target)));
    differing += gap > 1e-4;
    largest = std::max(largest, gap);
  }
  t.passed = differing == 0;
  t.numbers = {{"windows", windows.regions.size()}, {"differing", differing}, {"largest_difference", largest}};
  t.summary = format("%.0f of %.0f windows differ from the golden values (largest %.2g)", double(differing),
                     double(windows.regions.size()), largest);
  return t;
}

TestResult leakage_test(const Windows& windows, const Normaliser& normaliser) {
  TestResult t{"leakage", true, ""};
  AuditInputs inputs;
  inputs.data.windows = windows.regions;
  inputs.data.splits = windows.splits;
  for (size_t i = 0; i < windows.regions.size(); ++i) inputs.data.lines.push_back(i + 1);
  Result<NormalisationDocument> record = parse_normalisation_document(normaliser.record_json(), "normaliser.json");
  if (!record.is_ok()) return TestResult{"leakage", false, record.status().message()};
  inputs.normalisation.push_back(std::move(record).value());
  const Result<LeakageReport> report = audit_splits(inputs, AuditOptions{});
  if (!report.is_ok()) return TestResult{"leakage", false, report.status().message()};
  uint64_t outside_train = 0;
  for (uint64_t w : normaliser.fitted_windows) outside_train += windows.splits[w] != Split::kTrain;
  nlohmann::json checks = nlohmann::json::object();
  std::string failing;
  for (const AuditCheck& check : report->checks) {
    checks[check.name] = check_level_name(check.level);
    if (check.level == CheckLevel::kFail) failing += (failing.empty() ? "" : ", ") + check.name;
  }
  t.passed = !report->has_leak();
  t.numbers = {{"checks", checks},
               {"overlapping_windows", report->contacts.overlapping_windows},
               {"adjacent_windows", report->contacts.adjacent_windows},
               {"records_fitted_outside_train", report->normalisation.fitted_outside_train},
               {"fitted_windows", normaliser.fitted_windows.size()},
               {"fitted_windows_outside_train", outside_train}};
  t.summary = t.passed ? "audit_splits: no check fails"
                       : "audit_splits: " + failing + " FAIL; the z-score read " +
                             format("%.0f windows outside train", double(outside_train));
  return t;
}

TestResult determinism_test(const Tracks& tracks, PlantedBug bug, uint64_t seed, uint32_t steps) {
  TestResult t{"determinism", true, ""};
  std::vector<double> losses[2];
  for (auto& run_losses : losses) {
    Result<std::unique_ptr<BugRun>> run = BugRun::create(tracks, bug, seed);
    if (!run.is_ok()) return TestResult{"determinism", false, run.status().message()};
    for (uint32_t s = 0; s < steps; ++s) {
      const Status status = (*run)->step();
      if (!status.is_ok()) return TestResult{"determinism", false, status.message()};
    }
    run_losses = (*run)->batch_losses();
  }
  int64_t first_difference = -1;
  double largest = 0;
  for (uint32_t s = 0; s < steps; ++s) {
    if (std::memcmp(&losses[0][s], &losses[1][s], sizeof(double)) != 0 && first_difference < 0) first_difference = s + 1;
    largest = std::max(largest, std::fabs(losses[0][s] - losses[1][s]));
  }
  t.passed = first_difference < 0;
  t.numbers = {{"steps", steps}, {"first_differing_step", first_difference < 0 ? nlohmann::json(nullptr) : nlohmann::json(first_difference)},
               {"largest_difference", largest}};
  t.summary = t.passed ? format("two runs of seed %.0f: the same %.0f losses to the bit", double(seed), double(steps))
                       : format("two runs of seed %.0f part at step %.0f (loss differs by up to %.2g)", double(seed),
                                double(first_difference), largest);
  return t;
}

nlohmann::json test_json(const TestResult& test) {
  return {{"name", test.name}, {"passed", test.passed}, {"summary", test.summary}, {"numbers", test.numbers}};
}

std::vector<TestResult> run_tests(const Tracks& tracks, PlantedBug bug) {
  const Windows windows = cut_windows(tracks, bug);
  Result<std::unique_ptr<nn::Sequential>> model = make_model(bug, 1);
  if (!model.is_ok()) return {TestResult{"model", false, model.status().message()}};
  return {data_test(windows),
          shape_test(windows, **model),
          gradient_test(**model),
          golden_test(tracks, windows),
          leakage_test(windows, fit_normaliser(windows, bug)),
          determinism_test(tracks, bug, 1, kDeterminismSteps)};
}

std::vector<std::string> failed_tests(const std::vector<TestResult>& tests) {
  std::vector<std::string> names;
  for (const TestResult& test : tests) {
    if (!test.passed) names.push_back(test.name);
  }
  return names;
}

}  // namespace epibook::labs::bugs
