// The run-directory reader (epibook/run_table.h) on planted runs: metrics.jsonl lines
// written by the trainer's own writer (epoch_metrics_line) with values chosen here, so
// the final and best values, best epochs, sort orders and differing settings are known
// in advance; and broken files refused with the file, the line and the problem.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "epibook/run_table.h"
#include "epibook/train.h"
#include "support/test_support.h"

namespace epibook {
namespace {

using testing::scratch_dir;
using testing::write_file;

std::string manifest_for(double learning_rate, uint64_t seed, const std::string& tool = "epibook train") {
  TrainOptions options = *train_preset("quick");
  options.schedule.base = learning_rate;
  options.seed = seed;
  options.early_stopping.metric = "auroc";
  nlohmann::ordered_json manifest;
  manifest["tool"] = tool;
  manifest["epibook_version"] = "test";
  manifest["seed"] = seed;
  manifest["config"] = nlohmann::ordered_json::parse(train_options_json(options));
  manifest["data"] = {{"dir", "arrays"}, {"content_hashes", {{"inputs.npy", "00000000000000aa"}}}};
  return manifest.dump(2) + "\n";
}

// One epoch's line with the given validation loss and AUROC (NaN: written as null).
std::string epoch_line(uint32_t epoch, double train_loss, double validation_loss, double auroc, bool stop = false) {
  EpochRecord r;
  r.epoch = epoch;
  r.steps = (epoch + 1) * 10ull;
  r.train_loss = train_loss;
  r.validation_loss = validation_loss;
  r.validation = {{"auroc", auroc}, {"accuracy", 0.5 + 0.1 * epoch}};
  r.learning_rate = 0.01;
  r.monitored = auroc;
  r.stop = stop;
  return epoch_metrics_line(r);
}

std::string plant_run(const std::string& dir, double learning_rate, uint64_t seed, const std::string& lines) {
  std::filesystem::create_directories(dir);
  write_file(dir + "/manifest.json", manifest_for(learning_rate, seed));
  write_file(dir + "/metrics.jsonl", lines);
  return dir;
}

TEST(RunTable, PlantedRun_FinalBestAndEpochsAreTheFilesValues) {
  const std::string dir = plant_run(scratch_dir("run") + "/a", 0.003, 7,
                                    epoch_line(0, 0.9, 0.8, 0.60) + epoch_line(1, 0.7, 0.5, 0.75) +
                                        epoch_line(2, 0.6, 0.55, 0.70, /*stop=*/true));
  const Result<RunRecord> run = read_run_directory(dir);
  ASSERT_TRUE(run.is_ok()) << run.status().message();
  EXPECT_EQ(run->tool, "epibook train");
  EXPECT_EQ(run->seed, 7u);
  EXPECT_EQ(run->epochs, 3u);
  EXPECT_EQ(run->steps, 30u);
  EXPECT_TRUE(run->stopped_early);
  EXPECT_EQ(run->monitored, "auroc");
  const RunMetric* loss = run->metric("validation_loss");
  ASSERT_NE(loss, nullptr);
  EXPECT_DOUBLE_EQ(*loss->final, 0.55);
  EXPECT_DOUBLE_EQ(*loss->best, 0.5);  // lower is better
  EXPECT_EQ(loss->best_epoch, 2u);
  const RunMetric* auroc = run->metric("auroc");
  ASSERT_NE(auroc, nullptr);
  EXPECT_DOUBLE_EQ(*auroc->final, 0.70);
  EXPECT_DOUBLE_EQ(*auroc->best, 0.75);  // higher is better
  EXPECT_EQ(auroc->best_epoch, 2u);
  EXPECT_DOUBLE_EQ(*run->metric("train_loss")->best, 0.6);
  EXPECT_EQ(run->metric("train_loss")->best_epoch, 3u);
  ASSERT_NE(run->setting("schedule.learning_rate"), nullptr);
  EXPECT_DOUBLE_EQ(std::stod(*run->setting("schedule.learning_rate")), 0.003);
  ASSERT_NE(run->setting("data.content_hashes.inputs.npy"), nullptr);
  EXPECT_EQ(*run->setting("data.content_hashes.inputs.npy"), "\"00000000000000aa\"");
}

TEST(RunTable, NullValues_AreSkippedForBestAndLeaveNoFinal) {
  const double nan = std::nan("");
  const std::string dir = plant_run(scratch_dir("run") + "/a", 0.01, 1,
                                    epoch_line(0, 0.9, 0.8, 0.65) + epoch_line(1, 0.8, 0.7, nan));
  const Result<RunRecord> run = read_run_directory(dir);
  ASSERT_TRUE(run.is_ok()) << run.status().message();
  const RunMetric* auroc = run->metric("auroc");
  EXPECT_FALSE(auroc->final.has_value());
  EXPECT_DOUBLE_EQ(*auroc->best, 0.65);
  EXPECT_EQ(auroc->best_epoch, 1u);
  ASSERT_EQ(auroc->curve.size(), 2u);
  EXPECT_FALSE(auroc->curve[1].has_value());
}

TEST(RunTable, SweepFolder_FindsRunsAtAnyDepthInPathOrderAndSkipsDatasets) {
  const std::string root = scratch_dir("sweep");
  plant_run(root + "/runs/cellB/lr0.01_seed1", 0.01, 1, epoch_line(0, 0.9, 0.6, 0.70));
  plant_run(root + "/runs/cellA/lr0.1_seed1", 0.1, 1, epoch_line(0, 0.9, 0.4, 0.80));
  plant_run(root + "/runs/cellA/lr0.01_seed2", 0.01, 2, epoch_line(0, 0.9, 0.5, 0.90));
  // A prep dataset has a manifest.json too, but no metrics: not a run.
  std::filesystem::create_directories(root + "/datasets/cellA");
  write_file(root + "/datasets/cellA/manifest.json", R"({"tool": "epibook prep"})");
  const Result<std::vector<RunRecord>> runs = read_runs({root + "/"});
  ASSERT_TRUE(runs.is_ok()) << runs.status().message();
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[0].name, "runs/cellA/lr0.01_seed2");
  EXPECT_EQ((*runs)[1].name, "runs/cellA/lr0.1_seed1");
  EXPECT_EQ((*runs)[2].name, "runs/cellB/lr0.01_seed1");
  EXPECT_EQ(differing_settings(*runs), (std::vector<std::string>{"schedule.learning_rate", "train.seed"}));

  std::vector<RunRecord> sorted = *runs;
  ASSERT_TRUE(sort_runs(sorted, "auroc").is_ok());  // higher first
  EXPECT_EQ(sorted[0].name, "runs/cellA/lr0.01_seed2");
  EXPECT_EQ(sorted[2].name, "runs/cellB/lr0.01_seed1");
  ASSERT_TRUE(sort_runs(sorted, "validation_loss").is_ok());  // lower first
  EXPECT_EQ(sorted[0].name, "runs/cellA/lr0.1_seed1");
  EXPECT_EQ(sorted[2].name, "runs/cellB/lr0.01_seed1");
  const Status unknown = sort_runs(sorted, "aurco");
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_NE(unknown.message().find("--sort aurco: not a column"), std::string::npos) << unknown.message();
  EXPECT_NE(unknown.message().find("best_auroc"), std::string::npos) << unknown.message();

  // The table: a column for the learning rate (the seed has its own), a row per run.
  const std::string table = runs_table(*runs);
  EXPECT_NE(table.find("learning_rate"), std::string::npos) << table;
  EXPECT_NE(table.find("best auroc"), std::string::npos) << table;
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 4) << table;
  const std::string comparison = settings_comparison(*runs, false);
  EXPECT_NE(comparison.find("schedule.learning_rate"), std::string::npos) << comparison;
  EXPECT_EQ(comparison.find("model.channels"), std::string::npos) << comparison;

  const nlohmann::json json = nlohmann::json::parse(runs_json(*runs));
  ASSERT_EQ(json["runs"].size(), 3u);
  EXPECT_DOUBLE_EQ(json["runs"][1]["final"]["validation_loss"].get<double>(), 0.4);
  EXPECT_DOUBLE_EQ(json["runs"][1]["settings"]["schedule.learning_rate"].get<double>(), 0.1);
}

TEST(RunTable, EmptyFolder_IsAnErrorNamingIt) {
  const std::string root = scratch_dir("empty");
  const Result<std::vector<RunRecord>> runs = read_runs({root});
  ASSERT_FALSE(runs.is_ok());
  EXPECT_NE(runs.status().message().find(root + ": holds no run directory"), std::string::npos);
  EXPECT_FALSE(read_runs({root + "/missing"}).is_ok());
}

TEST(RunTable, BrokenFiles_AreRefusedNamingFileAndLine) {
  const std::string manifest = manifest_for(0.01, 1);
  const std::string good = epoch_line(0, 0.9, 0.8, 0.6);
  auto message = [](const Result<RunRecord>& r) { return r.is_ok() ? std::string("accepted") : r.status().message(); };

  std::string broken = manifest;
  broken.insert(broken.find("\"seed\""), "oops ");
  EXPECT_NE(message(parse_run_record("r", broken, good)).find("r/manifest.json: not JSON: parse error at line 4"),
            std::string::npos)
      << message(parse_run_record("r", broken, good));
  EXPECT_NE(message(parse_run_record("r", "{}", good)).find("r/manifest.json: has no \"config\""), std::string::npos);
  EXPECT_NE(message(parse_run_record("r", manifest, good + "{\"epoch\": 1, \"train_loss\": \n"))
                .find("r/metrics.jsonl: line 2: not JSON"),
            std::string::npos);
  EXPECT_NE(message(parse_run_record("r", manifest, good + "{\"steps\": 3}\n")).find("r/metrics.jsonl: line 2: \"epoch\" is missing"),
            std::string::npos);
  EXPECT_NE(message(parse_run_record("r", manifest, good + good)).find("line 2: epoch 0 comes after epoch 0"),
            std::string::npos);
  EXPECT_NE(message(parse_run_record("r", manifest, "{\"epoch\": 0, \"train_loss\": \"low\"}\n"))
                .find("line 1: \"train_loss\" is string, not a number"),
            std::string::npos);
  EXPECT_NE(message(parse_run_record("r", manifest, "{\"epoch\": 0, \"validation\": {\"auroc\": true}}\n"))
                .find("line 1: validation \"auroc\" is boolean, not a number"),
            std::string::npos);
}

TEST(RunTable, MutatedMetrics_NeverCrashAndNameTheLine) {
  const std::string manifest = manifest_for(0.01, 1);
  const std::string valid = epoch_line(0, 0.9, 0.8, 0.6) + epoch_line(1, 0.7, 0.6, 0.7);
  const int refused = testing::count_refused_mutations(
      valid, "{}[]\":,0123456789.-eE nultrfas", "r/metrics.jsonl",
      [&](const std::string& text) { return parse_run_record("r", manifest, text).status(); }, 500);
  EXPECT_GT(refused, 100);
}

}  // namespace
}  // namespace epibook
