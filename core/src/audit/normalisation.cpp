// Check (c) of the auditor (audit.h): statistics (means, scales, quantiles) fitted on
// anything but the training split. Reads the "fitted_on" records of a JSON document
// and holds them against the audited windows' splits.
#include <nlohmann/json.hpp>

#include "epibook/audit.h"
#include "epibook/regions.h"

namespace epibook {
namespace {

using Json = nlohmann::json;

bool has_statistic_key(const Json& object) {
  static const char* const keys[] = {"mean", "std", "var", "variance", "scale", "offset", "min", "max",
                                     "median", "quantiles", "percentiles"};
  for (const char* key : keys) {
    if (object.contains(key)) return true;
  }
  return false;
}

// Appends the strings of a string or an array of strings; false on any other type.
bool append_strings(const Json& value, std::vector<std::string>& out) {
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
    return true;
  }
  if (!value.is_array()) return false;
  for (const Json& item : value) {
    if (!item.is_string()) return false;
    out.push_back(item.get<std::string>());
  }
  return true;
}

bool append_indices(const Json& value, std::vector<uint64_t>& out) {
  if (!value.is_array()) return false;
  for (const Json& item : value) {
    if (!item.is_number_unsigned() && !(item.is_number_integer() && item.get<int64_t>() >= 0)) return false;
    out.push_back(item.get<uint64_t>());
  }
  return true;
}

Status read_fitted_on(const Json& value, NormalisationRecord& record) {
  record.fitted_on_known = true;
  if (value.is_string() || value.is_array()) {
    if (append_strings(value, record.splits)) return Status::ok();
    return corrupt("\"fitted_on\" must name splits as strings");
  }
  if (!value.is_object()) return corrupt("\"fitted_on\" must be a split name, a list of them or an object");
  if (value.contains("splits") && !append_strings(value["splits"], record.splits)) {
    return corrupt("\"fitted_on.splits\" must be split names");
  }
  if (value.contains("regions") && !append_strings(value["regions"], record.regions)) {
    return corrupt("\"fitted_on.regions\" must be \"chr:start-end\" texts");
  }
  if (value.contains("windows") && !append_indices(value["windows"], record.windows)) {
    return corrupt("\"fitted_on.windows\" must be window indices (whole numbers >= 0)");
  }
  return Status::ok();
}

struct Walk {
  std::vector<NormalisationRecord> fitted;
  std::vector<NormalisationRecord> unrecorded;
};

Status walk(const Json& node, const std::string& path, Walk& out) {
  if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      EPIBOOK_RETURN_IF_ERROR(walk(node[i], path + "[" + std::to_string(i) + "]", out));
    }
    return Status::ok();
  }
  if (!node.is_object()) return Status::ok();
  NormalisationRecord record;
  const auto name = node.find("name");
  record.name = name != node.end() && name->is_string() ? name->get<std::string>() : (path.empty() ? "/" : path);
  if (node.contains("fitted_on")) {
    EPIBOOK_RETURN_IF_ERROR(read_fitted_on(node["fitted_on"], record).with_context(record.name));
    out.fitted.push_back(std::move(record));
  } else if (has_statistic_key(node)) {
    out.unrecorded.push_back(std::move(record));
  }
  for (const auto& [key, child] : node.items()) {
    if (key != "fitted_on") EPIBOOK_RETURN_IF_ERROR(walk(child, path + "/" + key, out));
  }
  return Status::ok();
}

// Why a record's data reaches outside train, or "" when it does not.
std::string outside_train(const NormalisationRecord& record, const SplitWindows& data, const RegionIndex& held_out) {
  for (const std::string& split : record.splits) {
    if (split != "train") return "fitted on \"" + split + "\"";
  }
  for (const std::string& text : record.regions) {
    const Result<Region> region = parse_region(text);
    if (!region.is_ok()) return "fitted on region '" + text + "', which does not parse";
    if (held_out.overlaps(*region)) return "fitted on region " + text + ", which overlaps validation or test windows";
  }
  for (uint64_t index : record.windows) {
    if (index >= data.windows.size()) {
      return "fitted on window " + std::to_string(index) + ", but there are only " +
             std::to_string(data.windows.size());
    }
    if (data.splits[index] != Split::kTrain) {
      return "fitted on window " + std::to_string(index) + " (" + format_region(data.windows[index]) + "), a " +
             split_name(data.splits[index]) + " window";
    }
  }
  return "";
}

}  // namespace

Result<NormalisationDocument> parse_normalisation_document(const std::string& json_text,
                                                           const std::string& source_name) {
  const Json document = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return corrupt(source_name + ": not valid JSON");
  NormalisationDocument out;
  out.source = source_name;
  if (document.is_object() && document.contains("tool") && document["tool"].is_string()) {
    out.tool = document["tool"].get<std::string>();
  }
  Walk found;
  EPIBOOK_RETURN_IF_ERROR(walk(document, "", found).with_context(source_name));
  // Statistic keys inside a document that records fitted_on belong to its records.
  out.records = found.fitted.empty() ? std::move(found.unrecorded) : std::move(found.fitted);
  return out;
}

NormalisationFindings check_normalisation(std::span<const NormalisationDocument> documents, const SplitWindows& data) {
  NormalisationFindings findings;
  findings.given = !documents.empty();
  std::vector<Region> held_out_windows;
  for (size_t i = 0; i < data.windows.size(); ++i) {
    if (data.splits[i] != Split::kTrain) held_out_windows.push_back(data.windows[i]);
  }
  const RegionIndex held_out(held_out_windows);
  for (const NormalisationDocument& document : documents) {
    for (const NormalisationRecord& record : document.records) {
      ++findings.records;
      const std::string where = document.source + ": " + record.name + ": ";
      const bool empty = record.splits.empty() && record.regions.empty() && record.windows.empty();
      if (!record.fitted_on_known || empty) {
        ++findings.unknown;
        findings.problems.push_back(where + "statistics with no record of the data they were fitted on");
        continue;
      }
      const std::string why = outside_train(record, data, held_out);
      if (!why.empty()) {
        ++findings.fitted_outside_train;
        findings.problems.push_back(where + why);
      }
    }
  }
  return findings;
}

}  // namespace epibook
