// The leakage report (audit.h): runs every check whose input is there, grades it PASS /
// WARN / FAIL with its numbers, and writes the result as JSON and as a terminal table.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "epibook/audit.h"

namespace epibook {
namespace {

using Json = nlohmann::ordered_json;

std::string number_text(double value, int digits = 3) {
  if (std::isnan(value)) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%.*g", digits, value);
  return text;
}

std::string window_text(const SplitWindows& data, size_t index) {
  return format_region(data.windows[index]) + " (" + split_name(data.splits[index]) + ")";
}

std::string count_text(uint64_t count, const char* one, const char* many) {
  return with_thousands(count) + " " + (count == 1 ? one : many);
}

AuditCheck overlap_check(const ContactFindings& f, const SplitWindows& data) {
  if (f.overlapping_windows == 0) return {"overlap", CheckLevel::kPass, "no window shares a base with another split's"};
  const SplitContact& e = f.examples.front();
  return {"overlap", CheckLevel::kFail,
          count_text(f.overlapping_windows, "window shares", "windows share") +
              " bases with another split's, e.g. " + window_text(data, e.first) + " and " +
              window_text(data, e.second) + " share " + with_thousands(static_cast<uint64_t>(-e.gap)) + " bp"};
}

AuditCheck adjacency_check(const ContactFindings& f, const SplitWindows& data, uint64_t adjacency_bp) {
  const std::string within = adjacency_bp == 0 ? "book-ended with" : "within " + with_thousands(adjacency_bp) + " bp of";
  if (f.adjacent_windows == 0) return {"adjacency", CheckLevel::kPass, "no window is " + within + " another split's"};
  for (const SplitContact& e : f.examples) {
    if (e.gap < 0) continue;
    return {"adjacency", CheckLevel::kWarn,
            count_text(f.adjacent_windows, "window is ", "windows are ") + within + " another split's, e.g. " +
                window_text(data, e.first) + " and " + window_text(data, e.second) + ", " +
                with_thousands(static_cast<uint64_t>(e.gap)) + " bp apart"};
  }
  return {"adjacency", CheckLevel::kWarn, count_text(f.adjacent_windows, "window is ", "windows are ") + within +
                                              " another split's"};
}

AuditCheck duplicate_check(const std::optional<DuplicateFindings>& f, const SplitWindows& data,
                           const MinHashOptions& o) {
  if (!f) return {"near-duplicates", CheckLevel::kSkipped, "no sequence given (--genome)"};
  const std::string rule = "(k = " + std::to_string(o.k) + ", Jaccard >= " + number_text(o.jaccard) + ")";
  std::string notes;
  if (f->windows_capped > 0) notes += "; " + with_thousands(f->windows_capped) + " windows reached the comparison cap";
  if (f->windows_without_kmers > 0) notes += "; " + with_thousands(f->windows_without_kmers) + " windows have no k-mer";
  if (f->windows_with_duplicate == 0) {
    return {"near-duplicates", CheckLevel::kPass, "no window has a near-duplicate in another split " + rule + notes};
  }
  const DuplicatePair& e = f->examples.front();
  return {"near-duplicates", CheckLevel::kFail,
          count_text(f->windows_with_duplicate, "window has", "windows have") + " a near-duplicate in another split " +
              rule + ", e.g. " + window_text(data, e.first) + " and " + window_text(data, e.second) + " at " +
              number_text(e.jaccard) + notes};
}

AuditCheck normalisation_check(const NormalisationFindings& f, std::span<const NormalisationDocument> documents) {
  if (!f.given) return {"normalisation", CheckLevel::kSkipped, "no statistics file or manifest given (--stats)"};
  if (f.fitted_outside_train > 0) {
    return {"normalisation", CheckLevel::kFail,
            count_text(f.fitted_outside_train, "statistic", "statistics") + " fitted outside train: " +
                f.problems.front()};
  }
  if (f.unknown > 0) return {"normalisation", CheckLevel::kWarn, f.problems.front()};
  if (f.records == 0) {
    std::string tools;
    for (const auto& d : documents) tools += (tools.empty() ? "" : ", ") + (d.tool.empty() ? d.source : d.tool);
    return {"normalisation", CheckLevel::kPass, "no fitted statistics recorded (" + tools + ")"};
  }
  return {"normalisation", CheckLevel::kPass,
          count_text(f.records, "statistic", "statistics") + " fitted on train only"};
}

AuditCheck label_check(const LabelBalance& b, const AuditOptions& o) {
  if (!b.known) return {"label-balance", CheckLevel::kSkipped, "windows carry no labels (BED column 5)"};
  if (b.gap_first == b.gap_second) {
    return {"label-balance", CheckLevel::kSkipped, "fewer than two splits have labelled windows"};
  }
  std::string text = "peak fraction";
  for (Split s : {Split::kTrain, Split::kValidation, Split::kTest}) {
    const SplitSummary& summary = b.per_split[static_cast<size_t>(s)];
    if (summary.windows > 0) text += std::string(" ") + split_name(s) + " " + number_text(summary.peak_fraction());
  }
  text += "; largest gap " + number_text(b.largest_gap) + " (" + split_name(b.gap_first) + " vs " +
          split_name(b.gap_second) + ", z = " + number_text(b.z) + ")";
  const bool significant = std::fabs(b.z) > 3;
  CheckLevel level = CheckLevel::kPass;
  if (significant && b.largest_gap > o.peak_gap_fail) level = CheckLevel::kFail;
  else if (significant && b.largest_gap > o.peak_gap_warn) level = CheckLevel::kWarn;
  return {"label-balance", level, text};
}

AuditCheck distribution_check(const std::string& name, const std::optional<DistributionFindings>& f,
                              const AuditOptions& o, const char* missing) {
  if (!f) return {name, CheckLevel::kSkipped, missing};
  if (f->pairs.empty()) return {name, CheckLevel::kSkipped, "fewer than two splits have windows with a value"};
  std::string text = "mean";
  for (Split s : {Split::kTrain, Split::kValidation, Split::kTest}) {
    const double mean = f->mean[static_cast<size_t>(s)];
    if (!std::isnan(mean)) text += std::string(" ") + split_name(s) + " " + number_text(mean);
  }
  const DistributionComparison* worst = &f->pairs.front();
  CheckLevel level = CheckLevel::kPass;
  for (const DistributionComparison& c : f->pairs) {
    if (c.ks > worst->ks) worst = &c;
    if (c.p_value >= o.ks_alpha) continue;
    if (c.ks > o.ks_fail) level = CheckLevel::kFail;
    else if (c.ks > o.ks_warn && level == CheckLevel::kPass) level = CheckLevel::kWarn;
  }
  text += "; largest KS D = " + number_text(worst->ks) + " (" + split_name(worst->first) + " vs " +
          split_name(worst->second) + ", p = " + number_text(worst->p_value, 2) + ")";
  return {name, level, text};
}

Json region_json(const SplitWindows& data, size_t index) {
  return Json{{"index", index}, {"region", format_region(data.windows[index])}, {"split", split_name(data.splits[index])}};
}

Json distribution_json(const DistributionFindings& f) {
  Json out{{"mean", Json::object()}, {"pairs", Json::array()}};
  for (Split s : {Split::kTrain, Split::kValidation, Split::kTest}) {
    const double mean = f.mean[static_cast<size_t>(s)];
    out["mean"][split_name(s)] = std::isnan(mean) ? Json(nullptr) : Json(mean);
  }
  for (const DistributionComparison& c : f.pairs) {
    out["pairs"].push_back({{"first", split_name(c.first)}, {"second", split_name(c.second)}, {"n_first", c.n_first},
                            {"n_second", c.n_second}, {"ks", c.ks}, {"p_value", c.p_value}});
  }
  return out;
}

Json label_json(const LabelBalance& b) {
  Json out{{"per_split", Json::object()}};
  for (Split s : {Split::kTrain, Split::kValidation, Split::kTest}) {
    const SplitSummary& summary = b.per_split[static_cast<size_t>(s)];
    const double fraction = summary.peak_fraction();
    out["per_split"][split_name(s)] = {{"windows", summary.windows}, {"peaks", summary.peaks},
                                       {"background", summary.background}, {"missing", summary.missing},
                                       {"peak_fraction", std::isnan(fraction) ? Json(nullptr) : Json(fraction)}};
  }
  out["largest_gap"] = b.largest_gap;
  out["between"] = {split_name(b.gap_first), split_name(b.gap_second)};
  out["z"] = std::isfinite(b.z) ? Json(b.z) : Json(nullptr);
  return out;
}

Json options_json(const AuditOptions& o) {
  return Json{{"adjacency_bp", o.adjacency_bp},
              {"minhash", {{"k", o.minhash.k}, {"hashes", o.minhash.hashes}, {"bands", o.minhash.bands},
                           {"jaccard", o.minhash.jaccard}, {"seed", o.minhash.seed},
                           {"max_comparisons", o.minhash.max_comparisons}}},
              {"peak_gap_warn", o.peak_gap_warn}, {"peak_gap_fail", o.peak_gap_fail},
              {"ks_warn", o.ks_warn}, {"ks_fail", o.ks_fail}, {"ks_alpha", o.ks_alpha}};
}

Status check_input_sizes(const AuditInputs& in) {
  const size_t n = in.data.windows.size();
  if (n == 0) return invalid_argument("audit: no windows");
  auto mismatch = [n](const char* what, size_t count) {
    return invalid_argument("audit: " + std::to_string(count) + " " + what + " for " + std::to_string(n) + " windows");
  };
  if (in.data.splits.size() != n) return mismatch("splits", in.data.splits.size());
  if (!in.data.labels.empty() && in.data.labels.size() != n) return mismatch("labels", in.data.labels.size());
  if (!in.depth.empty() && in.depth.size() != n) return mismatch("depth values", in.depth.size());
  if (in.sequence && in.sequence->sketches.size() != n) return mismatch("sketches", in.sequence->sketches.size());
  if (in.sequence && in.sequence->gc.size() != n) return mismatch("GC values", in.sequence->gc.size());
  return Status::ok();
}

}  // namespace

const char* check_level_name(CheckLevel level) {
  switch (level) {
    case CheckLevel::kPass: return "PASS";
    case CheckLevel::kWarn: return "WARN";
    case CheckLevel::kFail: return "FAIL";
    case CheckLevel::kSkipped: return "SKIPPED";
  }
  return "SKIPPED";
}

Status validate_audit_options(const AuditOptions& o) {
  EPIBOOK_RETURN_IF_ERROR(validate_minhash_options(o.minhash));
  const double fractions[] = {o.peak_gap_warn, o.peak_gap_fail, o.ks_warn, o.ks_fail, o.ks_alpha};
  for (double value : fractions) {
    if (!(value >= 0 && value <= 1)) return invalid_argument("audit options: thresholds must lie between 0 and 1");
  }
  if (o.peak_gap_warn > o.peak_gap_fail || o.ks_warn > o.ks_fail) {
    return invalid_argument("audit options: a WARN threshold must not exceed its FAIL threshold");
  }
  return Status::ok();
}

const AuditCheck* LeakageReport::find(std::string_view name) const {
  for (const AuditCheck& check : checks) {
    if (check.name == name) return &check;
  }
  return nullptr;
}

bool LeakageReport::has_leak() const {
  for (const AuditCheck& check : checks) {
    if (check.level == CheckLevel::kFail) return true;
  }
  return false;
}

Result<LeakageReport> audit_splits(const AuditInputs& in, const AuditOptions& o) {
  EPIBOOK_RETURN_IF_ERROR(validate_audit_options(o));
  EPIBOOK_RETURN_IF_ERROR(check_input_sizes(in));
  const SplitWindows& data = in.data;
  LeakageReport report;
  report.windows = data.windows.size();
  for (Split s : data.splits) ++report.windows_per_split[static_cast<size_t>(s)];

  report.contacts = find_cross_split_contacts(data, o.adjacency_bp);
  if (in.sequence) report.duplicates = find_cross_split_duplicates(in.sequence->sketches, data.splits, data.windows, o.minhash);
  report.normalisation = check_normalisation(in.normalisation, data);
  report.labels = label_balance(data);
  if (in.sequence) report.gc = compare_distributions("gc", in.sequence->gc, data.splits);
  if (!in.depth.empty()) report.depth = compare_distributions("depth", in.depth, data.splits);

  report.checks.push_back(overlap_check(report.contacts, data));
  report.checks.push_back(adjacency_check(report.contacts, data, o.adjacency_bp));
  report.checks.push_back(duplicate_check(report.duplicates, data, o.minhash));
  report.checks.push_back(normalisation_check(report.normalisation, in.normalisation));
  report.checks.push_back(label_check(report.labels, o));
  report.checks.push_back(distribution_check("gc", report.gc, o, "no sequence given (--genome)"));
  report.checks.push_back(distribution_check("depth", report.depth, o, "no signal given (--bigwig or a prep dataset)"));
  return report;
}

std::string leakage_report_json(const LeakageReport& report, const SplitWindows& data, const AuditOptions& options) {
  Json out;
  out["tool"] = "epibook audit";
  out["epibook_version"] = EPIBOOK_VERSION;
  out["windows"] = report.windows;
  for (Split s : {Split::kTrain, Split::kValidation, Split::kTest}) {
    out["windows_per_split"][split_name(s)] = report.windows_per_split[static_cast<size_t>(s)];
  }
  out["has_leak"] = report.has_leak();
  out["options"] = options_json(options);
  out["checks"] = Json::array();
  for (const AuditCheck& c : report.checks) {
    out["checks"].push_back({{"name", c.name}, {"level", check_level_name(c.level)}, {"summary", c.summary}});
  }
  Json contacts{{"overlapping_windows", report.contacts.overlapping_windows},
                {"adjacent_windows", report.contacts.adjacent_windows}, {"examples", Json::array()}};
  for (const SplitContact& e : report.contacts.examples) {
    contacts["examples"].push_back({{"first", region_json(data, e.first)}, {"second", region_json(data, e.second)},
                                    {"gap", e.gap}});
  }
  out["contacts"] = contacts;
  if (report.duplicates) {
    const DuplicateFindings& d = *report.duplicates;
    Json duplicates{{"windows_sketched", d.windows_sketched}, {"windows_without_kmers", d.windows_without_kmers},
                    {"windows_with_duplicate", d.windows_with_duplicate}, {"comparisons", d.comparisons},
                    {"windows_capped", d.windows_capped}, {"examples", Json::array()}};
    for (const DuplicatePair& e : d.examples) {
      duplicates["examples"].push_back({{"first", region_json(data, e.first)},
                                        {"second", region_json(data, e.second)}, {"jaccard", e.jaccard}});
    }
    out["near_duplicates"] = duplicates;
  }
  out["normalisation"] = {{"given", report.normalisation.given}, {"records", report.normalisation.records},
                          {"fitted_outside_train", report.normalisation.fitted_outside_train},
                          {"unknown", report.normalisation.unknown}, {"problems", report.normalisation.problems}};
  if (report.labels.known) out["label_balance"] = label_json(report.labels);
  if (report.gc) out["gc"] = distribution_json(*report.gc);
  if (report.depth) out["depth"] = distribution_json(*report.depth);
  return out.dump(2) + "\n";
}

std::string leakage_report_table(const LeakageReport& report) {
  std::ostringstream table;
  table << "leakage audit of " << with_thousands(report.windows) << " windows (train "
        << with_thousands(report.windows_per_split[0]) << ", validation " << with_thousands(report.windows_per_split[1])
        << ", test " << with_thousands(report.windows_per_split[2]) << ")\n";
  char row[64];
  std::snprintf(row, sizeof row, "  %-16s %-8s %s\n", "check", "result", "numbers");
  table << row;
  for (const AuditCheck& c : report.checks) {
    std::snprintf(row, sizeof row, "  %-16s %-8s ", c.name.c_str(), check_level_name(c.level));
    table << row << c.summary << "\n";
  }
  table << (report.has_leak() ? "leak found: see the FAIL rows\n" : "no leak found\n");
  return table.str();
}

}  // namespace epibook
