// Thresholding a binned signal into peak / background / missing labels, per bin and
// per window (see the label rules in epibook/prep.h).
#include <cmath>
#include <string>

#include "epibook/prep.h"
#include "prep/number_text.h"

namespace epibook {

int8_t threshold_label(float value, double threshold) {
  if (std::isnan(value)) return kMissingLabel;
  return static_cast<double>(value) >= threshold ? kPeakLabel : kBackgroundLabel;
}

std::vector<int8_t> threshold_labels(std::span<const float> values, double threshold) {
  std::vector<int8_t> labels(values.size());
  for (size_t i = 0; i < values.size(); ++i) labels[i] = threshold_label(values[i], threshold);
  return labels;
}

Result<LabelRule> parse_label_rule(std::string_view text) {
  LabelRule rule;
  if (text == "any") return rule;
  if (text == "mean") {
    rule.kind = LabelRule::Kind::kMeanOfBins;
    return rule;
  }
  if (text == "max") {
    rule.kind = LabelRule::Kind::kMaxInput;
    return rule;
  }
  constexpr std::string_view kFraction = "fraction:";
  if (text.substr(0, kFraction.size()) == kFraction) {
    const auto fraction = prep_internal::parse_finite_double(text.substr(kFraction.size()));
    if (!fraction || *fraction <= 0 || *fraction > 1) {
      return invalid_argument("label rule '" + std::string(text) +
                              "': the fraction must be a number above 0 and at most 1, e.g. fraction:0.25");
    }
    rule.kind = LabelRule::Kind::kFractionOfBins;
    rule.fraction = *fraction;
    return rule;
  }
  return invalid_argument("label rule '" + std::string(text) + "': expected any, fraction:F, mean or max");
}

std::string label_rule_text(const LabelRule& rule) {
  switch (rule.kind) {
    case LabelRule::Kind::kAnyBin: return "any";
    case LabelRule::Kind::kMeanOfBins: return "mean";
    case LabelRule::Kind::kMaxInput: return "max";
    case LabelRule::Kind::kFractionOfBins: {
      std::string number = std::to_string(rule.fraction);
      // std::to_string prints six decimals; trim the zeros a reader did not type.
      while (number.size() > 1 && number.back() == '0') number.pop_back();
      if (number.back() == '.') number.pop_back();
      return "fraction:" + number;
    }
  }
  return "any";
}

int8_t window_label(std::span<const float> bins, std::span<const float> input_values, double threshold,
                    const LabelRule& rule) {
  uint64_t with_data = 0, above = 0;
  double sum = 0;
  for (float v : bins) {
    if (std::isnan(v)) continue;
    ++with_data;
    sum += v;
    if (static_cast<double>(v) >= threshold) ++above;
  }
  if (with_data == 0) return kMissingLabel;
  switch (rule.kind) {
    case LabelRule::Kind::kAnyBin:
      return above > 0 ? kPeakLabel : kBackgroundLabel;
    case LabelRule::Kind::kFractionOfBins:
      return static_cast<double>(above) >= rule.fraction * static_cast<double>(with_data) ? kPeakLabel
                                                                                          : kBackgroundLabel;
    case LabelRule::Kind::kMeanOfBins:
      return sum / static_cast<double>(with_data) >= threshold ? kPeakLabel : kBackgroundLabel;
    case LabelRule::Kind::kMaxInput:
      for (float v : input_values) {
        if (!std::isnan(v) && static_cast<double>(v) >= threshold) return kPeakLabel;
      }
      return kBackgroundLabel;
  }
  return kMissingLabel;
}

}  // namespace epibook
