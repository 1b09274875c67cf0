// Run directories read back (epibook/run_table.h): manifest.json's settings flattened
// to "section.key", metrics.jsonl's epochs checked line by line and summarised per
// metric (final, best, curve), then sorted, compared and printed for `epibook runs`.
#include "epibook/run_table.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace epibook {
namespace {

using Json = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------
// Parsing with the place of a syntax error: nlohmann's DOM parser, with its error
// kept as a message ("parse error at line 3, column 7: ...") instead of thrown.
struct PlacedParser : nlohmann::detail::json_sax_dom_parser<Json> {
  explicit PlacedParser(Json& into) : nlohmann::detail::json_sax_dom_parser<Json>(into, false) {}
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) {
    message = error.what();
    // "[json.exception.parse_error.101] parse error at ..." -> "parse error at ..."
    const size_t bracket = message.find("] ");
    if (message.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) message = message.substr(bracket + 2);
    return false;
  }
  std::string message;
};

Result<Json> parse_placed(const std::string& text, const std::string& where) {
  Json json;
  PlacedParser parser(json);
  if (!Json::sax_parse(text, &parser) || !parser.message.empty()) {
    return corrupt(where + ": not JSON: " + (parser.message.empty() ? "parse error" : parser.message));
  }
  return json;
}

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error(path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<double> number_or_null(const Json& value) {
  if (value.is_number()) return value.get<double>();
  return std::nullopt;
}

// A field of an epoch's line that must be a number or null (NaN is written as null).
Status check_number_or_null(const Json& line, const char* key, const std::string& where) {
  const auto it = line.find(key);
  if (it != line.end() && !it->is_number() && !it->is_null()) {
    return corrupt(where + ": \"" + key + "\" is " + std::string(it->type_name()) + ", not a number");
  }
  return Status::ok();
}

void flatten(const Json& value, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, child] : value.items()) flatten(child, prefix.empty() ? key : prefix + "." + key, out);
  } else {
    out.emplace_back(prefix, value.dump());
  }
}

RunMetric& metric_slot(RunRecord& run, const std::string& name, uint32_t epochs_before) {
  for (RunMetric& m : run.metrics) {
    if (m.name == name) return m;
  }
  RunMetric m;
  m.name = name;
  m.curve.assign(epochs_before, std::nullopt);  // a metric first seen later: nulls before it
  run.metrics.push_back(std::move(m));
  return run.metrics.back();
}

// Final, best and best epoch from each metric's curve.
void summarise(RunRecord& run) {
  for (RunMetric& m : run.metrics) {
    m.curve.resize(run.epochs, std::nullopt);
    m.final = m.curve.empty() ? std::nullopt : m.curve.back();
    const bool lower = lower_is_better(m.name);
    for (uint32_t e = 0; e < m.curve.size(); ++e) {
      if (!m.curve[e]) continue;
      const double v = *m.curve[e];
      if (!m.best || (lower ? v < *m.best : v > *m.best)) {
        m.best = v;
        m.best_epoch = e + 1;
      }
    }
  }
}

}  // namespace

const RunMetric* RunRecord::metric(const std::string& metric_name) const {
  for (const RunMetric& m : metrics) {
    if (m.name == metric_name) return &m;
  }
  return nullptr;
}

const std::string* RunRecord::setting(const std::string& key) const {
  for (const auto& [k, v] : settings) {
    if (k == key) return &v;
  }
  return nullptr;
}

bool lower_is_better(const std::string& metric) {
  return metric == "mse" || metric == "loss" || (metric.size() > 5 && metric.ends_with("_loss"));
}

Result<RunRecord> parse_run_record(const std::string& path, const std::string& manifest_json,
                                   const std::string& metrics_jsonl) {
  RunRecord run;
  run.path = path;
  run.name = path;
  const std::string manifest_path = path + "/manifest.json";
  EPIBOOK_ASSIGN_OR_RETURN(const Json manifest, parse_placed(manifest_json, manifest_path));
  if (!manifest.is_object()) return corrupt(manifest_path + ": not a JSON object");
  if (!manifest.contains("config") || !manifest["config"].is_object()) {
    return corrupt(manifest_path + ": has no \"config\" object (the run's settings)");
  }
  // nlohmann's value() throws on a wrong type: text fields are read only when they are text.
  const auto text_field = [&](const char* key) {
    const auto it = manifest.find(key);
    return it != manifest.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  run.tool = text_field("tool");
  run.epibook_version = text_field("epibook_version");
  if (manifest.contains("seed")) {
    if (!manifest["seed"].is_number_unsigned()) return corrupt(manifest_path + ": \"seed\" is not a whole number >= 0");
    run.seed = manifest["seed"].get<uint64_t>();
  }
  const Json& config = manifest["config"];
  run.monitored = "validation_loss";
  if (config.contains("early_stopping") && config["early_stopping"].is_object() &&
      config["early_stopping"].contains("metric") && config["early_stopping"]["metric"].is_string()) {
    run.monitored = config["early_stopping"]["metric"].get<std::string>();
  }
  flatten(config, "", run.settings);
  if (manifest.contains("data") && manifest["data"].is_object() && manifest["data"].contains("content_hashes")) {
    flatten(manifest["data"]["content_hashes"], "data.content_hashes", run.settings);
  }

  const std::string metrics_path = path + "/metrics.jsonl";
  metric_slot(run, "train_loss", 0);
  metric_slot(run, "validation_loss", 0);
  std::istringstream lines(metrics_jsonl);
  std::string text;
  uint64_t line_number = 0;
  std::optional<uint64_t> previous_epoch;
  while (std::getline(lines, text)) {
    ++line_number;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = metrics_path + ": line " + std::to_string(line_number);
    EPIBOOK_ASSIGN_OR_RETURN(const Json line, parse_placed(text, where));
    if (!line.is_object()) return corrupt(where + ": not a JSON object");
    if (!line.contains("epoch")) return corrupt(where + ": \"epoch\" is missing");
    if (!line["epoch"].is_number_unsigned()) return corrupt(where + ": \"epoch\" is not a whole number >= 0");
    const uint64_t epoch = line["epoch"].get<uint64_t>();
    if (previous_epoch && epoch <= *previous_epoch) {
      return corrupt(where + ": epoch " + std::to_string(epoch) + " comes after epoch " +
                     std::to_string(*previous_epoch) + " (lines must go up one epoch at a time)");
    }
    previous_epoch = epoch;
    EPIBOOK_RETURN_IF_ERROR(check_number_or_null(line, "train_loss", where));
    EPIBOOK_RETURN_IF_ERROR(check_number_or_null(line, "validation_loss", where));
    if (line.contains("steps")) {
      if (!line["steps"].is_number_unsigned()) return corrupt(where + ": \"steps\" is not a whole number >= 0");
      run.steps = line["steps"].get<uint64_t>();
    }
    if (line.contains("validation") && !line["validation"].is_object()) {
      return corrupt(where + ": \"validation\" is not an object of metrics");
    }
    if (line.contains("stopped") && !line["stopped"].is_boolean()) return corrupt(where + ": \"stopped\" is not true or false");
    const uint32_t index = run.epochs;
    metric_slot(run, "train_loss", index).curve.push_back(number_or_null(line.value("train_loss", Json())));
    metric_slot(run, "validation_loss", index).curve.push_back(number_or_null(line.value("validation_loss", Json())));
    if (line.contains("validation")) {
      for (const auto& [name, value] : line["validation"].items()) {
        if (!value.is_number() && !value.is_null()) {
          return corrupt(where + ": validation \"" + name + "\" is " + std::string(value.type_name()) + ", not a number");
        }
        metric_slot(run, name, index).curve.push_back(number_or_null(value));
      }
    }
    run.epochs = index + 1;
    for (RunMetric& m : run.metrics) m.curve.resize(run.epochs, std::nullopt);  // a metric absent this epoch
    run.stopped_early = line.value("stopped", false);
  }
  summarise(run);
  return run;
}

Result<RunRecord> read_run_directory(const std::string& dir) {
  EPIBOOK_ASSIGN_OR_RETURN(const std::string manifest, read_text(dir + "/manifest.json"));
  EPIBOOK_ASSIGN_OR_RETURN(const std::string metrics, read_text(dir + "/metrics.jsonl"));
  return parse_run_record(dir, manifest, metrics);
}

namespace {

bool is_run_directory(const std::filesystem::path& dir) {
  std::error_code error;
  if (std::filesystem::is_regular_file(dir / "metrics.jsonl", error)) return true;
  return std::filesystem::is_regular_file(dir / "manifest.json", error) &&
         std::filesystem::is_regular_file(dir / "last.ckpt", error);
}

std::string without_trailing_slash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

Result<std::vector<RunRecord>> read_runs(const std::vector<std::string>& arguments) {
  std::vector<RunRecord> runs;
  for (const std::string& given : arguments) {
    const std::string argument = without_trailing_slash(given);
    std::error_code error;
    if (!std::filesystem::is_directory(argument, error)) return not_found(argument + ": no such directory");
    if (is_run_directory(argument)) {
      EPIBOOK_ASSIGN_OR_RETURN(RunRecord run, read_run_directory(argument));
      runs.push_back(std::move(run));
      continue;
    }
    std::vector<std::filesystem::path> found;
    for (auto it = std::filesystem::recursive_directory_iterator(argument, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
      if (!it->is_directory(error)) continue;
      if (it->path().filename().string().ends_with(".epibook-partial")) {
        it.disable_recursion_pending();  // a run still being written
      } else if (is_run_directory(it->path())) {
        found.push_back(it->path());
        it.disable_recursion_pending();
      }
    }
    if (error) return io_error(argument + ": cannot be listed: " + error.message());
    if (found.empty()) {
      return not_found(argument + ": holds no run directory (a folder with manifest.json and metrics.jsonl) at any depth");
    }
    std::sort(found.begin(), found.end());
    for (const std::filesystem::path& dir : found) {
      EPIBOOK_ASSIGN_OR_RETURN(RunRecord run, read_run_directory(dir.string()));
      run.name = dir.lexically_relative(argument).string();
      runs.push_back(std::move(run));
    }
  }
  return runs;
}

std::vector<std::string> differing_settings(const std::vector<RunRecord>& runs) {
  std::vector<std::string> keys;
  for (const RunRecord& run : runs) {
    for (const auto& setting : run.settings) {
      const std::string& key = setting.first;  // a named reference: clang 14 lambdas cannot capture bindings
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      const std::string* first = runs.front().setting(key);
      const bool same = std::all_of(runs.begin(), runs.end(), [&](const RunRecord& r) {
        const std::string* v = r.setting(key);
        return v != nullptr && first != nullptr && *v == *first;
      });
      if (!same) keys.push_back(key);
    }
  }
  return keys;
}

std::vector<std::string> metric_names(const std::vector<RunRecord>& runs) {
  std::vector<std::string> names;
  for (const RunRecord& run : runs) {
    for (const RunMetric& m : run.metrics) {
      if (std::find(names.begin(), names.end(), m.name) == names.end()) names.push_back(m.name);
    }
  }
  return names;
}

Status sort_runs(std::vector<RunRecord>& runs, const std::string& column) {
  const std::vector<std::string> names = metric_names(runs);
  const bool best = column.starts_with("best_") &&
                    std::find(names.begin(), names.end(), column.substr(5)) != names.end();
  const std::string metric = best ? column.substr(5) : column;
  const bool is_metric = std::find(names.begin(), names.end(), metric) != names.end();
  if (!is_metric && column != "epochs" && column != "steps" && column != "seed" && column != "name") {
    std::string known = "name, epochs, steps, seed";
    for (const std::string& n : names) known += ", " + n + ", best_" + n;
    return invalid_argument("--sort " + column + ": not a column of these runs (" + known + ")");
  }
  if (column == "name") {
    std::stable_sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) { return a.name < b.name; });
    return Status::ok();
  }
  auto value = [&](const RunRecord& r) -> std::optional<double> {
    if (column == "epochs") return r.epochs;
    if (column == "steps") return static_cast<double>(r.steps);
    if (column == "seed") return static_cast<double>(r.seed);
    const RunMetric* m = r.metric(metric);
    if (m == nullptr) return std::nullopt;
    return best ? m->best : m->final;
  };
  const bool ascending = !is_metric || lower_is_better(metric);
  std::stable_sort(runs.begin(), runs.end(), [&](const RunRecord& a, const RunRecord& b) {
    const std::optional<double> va = value(a), vb = value(b);
    if (!va || !vb) return va.has_value() && !vb.has_value();
    return ascending ? *va < *vb : *va > *vb;
  });
  return Status::ok();
}

namespace {

Json optional_json(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

std::string number_text(const std::optional<double>& v) {
  if (!v) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", *v);
  return text;
}

// A setting's JSON text as a cell: strings without their quotes.
std::string setting_text(const std::string* json_text) {
  if (json_text == nullptr) return "-";
  if (json_text->size() >= 2 && json_text->front() == '"' && json_text->back() == '"') {
    const Json parsed = Json::parse(*json_text, nullptr, false);
    if (parsed.is_string()) return parsed.get<std::string>();
  }
  return *json_text;
}

// Left-aligned first column, right-aligned numbers, two spaces between columns.
std::string aligned(const std::vector<std::vector<std::string>>& rows, size_t left_columns) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string pad(widths[c] - row[c].size(), ' ');
      if (c > 0) line += "  ";
      line += c < left_columns ? row[c] + pad : pad + row[c];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

// The part of "section.key" after the last dot, unless two differing settings share it.
std::string short_key(const std::string& key, const std::vector<std::string>& keys) {
  const auto tail = [](const std::string& k) { return k.substr(k.rfind('.') + 1); };
  const std::string t = tail(key);
  const auto sharing = std::count_if(keys.begin(), keys.end(), [&](const std::string& k) { return tail(k) == t; });
  return sharing > 1 ? key : t;
}

}  // namespace

std::string runs_json(const std::vector<RunRecord>& runs) {
  Json out;
  out["runs"] = Json::array();
  for (const RunRecord& r : runs) {
    Json run;
    run["name"] = r.name;
    run["path"] = r.path;
    run["tool"] = r.tool;
    run["epibook_version"] = r.epibook_version;
    run["seed"] = r.seed;
    run["epochs"] = r.epochs;
    run["steps"] = r.steps;
    run["stopped_early"] = r.stopped_early;
    run["monitored"] = r.monitored;
    Json settings = Json::object();
    for (const auto& [key, text] : r.settings) settings[key] = Json::parse(text, nullptr, false);
    run["settings"] = settings;
    Json final = Json::object(), best = Json::object(), best_epoch = Json::object(), curves = Json::object();
    for (const RunMetric& m : r.metrics) {
      final[m.name] = optional_json(m.final);
      best[m.name] = optional_json(m.best);
      best_epoch[m.name] = m.best ? Json(m.best_epoch) : Json(nullptr);
      Json curve = Json::array();
      for (const std::optional<double>& v : m.curve) curve.push_back(optional_json(v));
      curves[m.name] = curve;
    }
    run["final"] = final;
    run["best"] = best;
    run["best_epoch"] = best_epoch;
    run["curves"] = curves;
    out["runs"].push_back(run);
  }
  out["differing_settings"] = differing_settings(runs);
  out["metrics"] = metric_names(runs);
  return out.dump(2) + "\n";
}

std::string runs_table(const std::vector<RunRecord>& runs) {
  if (runs.empty()) return "no runs\n";
  std::vector<std::string> keys = differing_settings(runs);
  std::erase(keys, "train.seed");  // the seed has its own column
  const std::vector<std::string> metrics = metric_names(runs);
  const bool one_monitored = std::all_of(runs.begin(), runs.end(),
                                         [&](const RunRecord& r) { return r.monitored == runs.front().monitored; });
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"run"};
  for (const std::string& k : keys) header.push_back(short_key(k, keys));
  for (const std::string& m : metrics) header.push_back(m);
  header.push_back(one_monitored ? "best " + runs.front().monitored : "best monitored");
  header.insert(header.end(), {"at epoch", "epochs", "stopped", "seed"});
  rows.push_back(header);
  for (const RunRecord& r : runs) {
    std::vector<std::string> row = {r.name};
    for (const std::string& k : keys) row.push_back(setting_text(r.setting(k)));
    for (const std::string& m : metrics) {
      const RunMetric* metric = r.metric(m);
      row.push_back(number_text(metric ? metric->final : std::nullopt));
    }
    const RunMetric* monitored = r.metric(r.monitored);
    const std::string best = number_text(monitored ? monitored->best : std::nullopt);
    row.push_back(one_monitored ? best : r.monitored + " " + best);
    row.push_back(monitored && monitored->best ? std::to_string(monitored->best_epoch) : "-");
    row.push_back(std::to_string(r.epochs));
    row.push_back(r.stopped_early ? "early" : "no");
    row.push_back(std::to_string(r.seed));
    rows.push_back(std::move(row));
  }
  return aligned(rows, 1 + keys.size());
}

std::string settings_comparison(const std::vector<RunRecord>& runs, bool all) {
  if (runs.empty()) return "no runs\n";
  std::vector<std::string> keys;
  if (all) {
    for (const RunRecord& r : runs) {
      for (const auto& [key, value] : r.settings) {
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
      }
    }
  } else {
    keys = differing_settings(runs);
  }
  if (keys.empty()) return "the " + std::to_string(runs.size()) + " runs have the same settings\n";
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"setting"};
  for (const RunRecord& r : runs) header.push_back(r.name);
  rows.push_back(header);
  for (const std::string& k : keys) {
    std::vector<std::string> row = {k};
    for (const RunRecord& r : runs) row.push_back(setting_text(r.setting(k)));
    rows.push_back(std::move(row));
  }
  return aligned(rows, rows.front().size());
}

}  // namespace epibook
