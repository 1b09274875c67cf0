// Chapter 2's five scores of counts along windows, with floors (window_scores.h).
// Every sum runs in double, in index order, so native and wasm agree.
#include "epibook/window_scores.h"

#include <algorithm>
#include <cmath>

namespace epibook {
namespace {

// Each window's total and its profile with negatives set to 0; a tiny floor per position
// keeps the shape of an all-zero prediction defined (uniform) for the distance.
struct Windows {
  std::vector<float> log_totals;
  std::vector<float> totals;
  std::vector<float> profiles;
};

Windows windows_of(std::span<const float> values, uint64_t length) {
  Windows w;
  const uint64_t rows = values.size() / length;
  w.profiles.resize(values.size());
  for (uint64_t r = 0; r < rows; ++r) {
    double total = 0;
    for (uint64_t i = 0; i < length; ++i) {
      const float v = std::max(0.0f, values[r * length + i]);
      w.profiles[r * length + i] = v + 1e-6f;
      total += v;
    }
    w.totals.push_back(static_cast<float>(total));
    w.log_totals.push_back(static_cast<float>(std::log1p(total)));
  }
  return w;
}

}  // namespace

const WindowScore* WindowScores::find(const std::string& name) const {
  for (const WindowScore& s : scores) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Result<WindowScores> score_windows(std::span<const float> predicted, std::span<const float> observed,
                                   uint64_t length, std::span<const float> labels, uint64_t seed, uint32_t rounds) {
  if (length == 0 || predicted.size() % length != 0) {
    return invalid_argument("window scores: " + std::to_string(predicted.size()) + " predictions do not split into windows of " +
                            std::to_string(length));
  }
  if (observed.size() != predicted.size()) {
    return invalid_argument("window scores: " + std::to_string(predicted.size()) + " predictions for " +
                            std::to_string(observed.size()) + " observed values");
  }
  const uint64_t rows = predicted.size() / length;
  if (labels.size() != rows) {
    return invalid_argument("window scores: " + std::to_string(labels.size()) + " labels for " + std::to_string(rows) +
                            " windows");
  }
  EPIBOOK_RETURN_IF_ERROR(check_finite(predicted, "predictions"));
  EPIBOOK_RETURN_IF_ERROR(check_finite(observed, "observed counts"));
  EPIBOOK_RETURN_IF_ERROR(check_binary_labels(labels, "peak labels"));
  const Windows p = windows_of(predicted, length);
  const Windows o = windows_of(observed, length);

  WindowScores out;
  out.windows = rows;
  auto add = [&](const char* name, const PairedMetric& metric, std::span<const float> a,
                 std::span<const float> b) -> Status {
    WindowScore score;
    score.name = name;
    EPIBOOK_ASSIGN_OR_RETURN(score.value, metric(a, b));
    EPIBOOK_ASSIGN_OR_RETURN(score.floor, shuffled_label_floor(metric, a, b, seed, rounds));
    out.scores.push_back(std::move(score));
    return Status::ok();
  };
  EPIBOOK_RETURN_IF_ERROR(add("pearson", pearson, p.log_totals, o.log_totals));
  EPIBOOK_RETURN_IF_ERROR(add("spearman", spearman, p.totals, o.totals));
  EPIBOOK_RETURN_IF_ERROR(add("auroc", auroc, p.totals, labels));
  EPIBOOK_RETURN_IF_ERROR(add("auprc", auprc, p.totals, labels));

  // JSD over the peak windows; the metric pairs window ids, so shuffling the second
  // list pairs each predicted profile with another window's observed one.
  std::vector<float> peak_rows;
  for (uint64_t r = 0; r < rows; ++r) {
    if (labels[r] == 1.0f) peak_rows.push_back(static_cast<float>(r));
  }
  out.peak_windows = peak_rows.size();
  if (peak_rows.empty()) return invalid_argument("window scores: no peak window to compare shapes on");
  const PairedMetric mean_jsd = [&](std::span<const float> a, std::span<const float> b) -> Result<double> {
    double sum = 0;
    for (size_t k = 0; k < a.size(); ++k) {
      const auto pa = static_cast<uint64_t>(a[k]);
      const auto ob = static_cast<uint64_t>(b[k]);
      EPIBOOK_ASSIGN_OR_RETURN(const double d,
                               jensen_shannon_distance(std::span<const float>(p.profiles).subspan(pa * length, length),
                                                       std::span<const float>(o.profiles).subspan(ob * length, length)));
      sum += d;
    }
    return sum / static_cast<double>(a.size());
  };
  EPIBOOK_RETURN_IF_ERROR(add("jsd", mean_jsd, peak_rows, peak_rows));
  return out;
}

}  // namespace epibook
