// `epibook train`, `eval` and `predict` as a user meets them: a TOML config trains and
// writes its run directory, eval prints scores with floors, predict writes a bigWig
// pyBigWig reads, and a bad config names the file, the line and the key.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "epibook/train.h"
#include "support/test_support.h"
#include "unit/train_dataset_fixture.h"

namespace epibook {
namespace {

testing::CommandResult epibook_cli(const std::string& arguments) {
  return testing::run_command(std::string(EPIBOOK_CLI) + " " + arguments + " 2>&1");
}

// A dataset directory with windows.bed beside the arrays, and a config beside it.
std::string prepared_run_dir(const std::string& name, const std::string& extra_config = "") {
  const std::string dir = testing::scratch_dir(name);
  std::filesystem::create_directories(dir + "/data");
  EXPECT_TRUE(testing::write_motif_dataset(dir + "/data", 200, 40, 9));
  std::string bed;
  for (int i = 0; i < 200; ++i) bed += "chr1\t" + std::to_string(i * 40) + "\t" + std::to_string(i * 40 + 40) + "\n";
  testing::write_file(dir + "/data/windows.bed", bed);
  testing::write_file(dir + "/run.toml",
                      "preset = \"quick\"\n[data]\ndir = \"data\"\n[model]\npool = 4\nchannels = 8\n"
                      "[loss]\nname = \"bce\"\n[schedule]\nlearning_rate = 0.02\n[train]\nepochs = 3\n" +
                          extra_config);
  return dir;
}

TEST(TrainCli, TrainsFromTomlThenEvalAndPredictUseTheCheckpoint) {
  const std::string dir = prepared_run_dir("train-cli");
  const auto trained = epibook_cli("train --config " + dir + "/run.toml -q");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_NE(trained.output.find("wrote " + dir + "/run.run: 3 epochs"), std::string::npos) << trained.output;
  const std::string metrics = testing::read_file(dir + "/run.run/metrics.jsonl");
  EXPECT_EQ(std::count(metrics.begin(), metrics.end(), '\n'), 3);

  const auto evaluated = epibook_cli("eval --checkpoint " + dir + "/run.run/best.ckpt --split validation --json");
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  const nlohmann::json scores = nlohmann::json::parse(evaluated.output);
  EXPECT_EQ(scores["rows"], 40);
  EXPECT_TRUE(scores["metrics"]["auroc"]["floor"].contains("mean"));
  const auto table = epibook_cli("eval --checkpoint " + dir + "/run.run/best.ckpt --split all");
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("shuffled-label floor"), std::string::npos) << table.output;

  const auto predicted = epibook_cli("predict --checkpoint " + dir + "/run.run/best.ckpt -o " + dir + "/pred.bw");
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  const auto read_back = testing::run_command(std::string(EPIBOOK_PYTHON) +
                                              " -c \"import pyBigWig; b = pyBigWig.open('" + dir +
                                              "/pred.bw'); v = b.values('chr1', 0, 8000); "
                                              "print(len(v), min(v) >= 0, max(v) <= 1)\"");
  ASSERT_EQ(read_back.exit_code, 0) << read_back.output;
  EXPECT_EQ(read_back.output, "8000 True True\n");

  // The same predictions as rows (windows may overlap there): window order, one value
  // each, the value the bigWig holds over that window.
  const auto rows = epibook_cli("predict --checkpoint " + dir + "/run.run/best.ckpt -o " + dir + "/pred.tsv");
  ASSERT_EQ(rows.exit_code, 0) << rows.output;
  const std::string tsv = testing::read_file(dir + "/pred.tsv");
  EXPECT_EQ(std::count(tsv.begin(), tsv.end(), '\n'), 200);
  ASSERT_EQ(tsv.rfind("chr1\t0\t40\t", 0), 0u) << tsv.substr(0, 80);
  const double first = std::stod(tsv.substr(10, tsv.find('\n') - 10));
  const auto bigwig_first = testing::run_command(std::string(EPIBOOK_PYTHON) + " -c \"import pyBigWig; b = pyBigWig.open('" +
                                                 dir + "/pred.bw'); print(repr(b.values('chr1', 0, 1)[0]))\"");
  ASSERT_EQ(bigwig_first.exit_code, 0) << bigwig_first.output;
  EXPECT_EQ(static_cast<float>(first), static_cast<float>(std::stod(bigwig_first.output))) << tsv.substr(0, 80);
}

TEST(TrainCli, ResumeContinuesARun) {
  const std::string dir = prepared_run_dir("train-cli-resume");
  ASSERT_EQ(epibook_cli("train -c " + dir + "/run.toml -o " + dir + "/out -q").exit_code, 0);
  const auto more = epibook_cli("train -c " + dir + "/run.toml -o " + dir + "/out --resume -q");
  ASSERT_EQ(more.exit_code, 0) << more.output;
  EXPECT_NE(more.output.find("0 epochs (resumed)"), std::string::npos) << more.output;
}

TEST(TrainCli, BadConfigNamesFileLineAndKey) {
  const std::string dir = prepared_run_dir("train-cli-bad", "[optimizer]\nnmae = \"sgd\"\n");
  const auto unknown = epibook_cli("train -c " + dir + "/run.toml");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("epibook: " + dir + "/run.toml: line 14: optimizer.nmae is not a known key"),
            std::string::npos)
      << unknown.output;
  testing::write_file(dir + "/typed.toml", "[data]\ndir = \"data\"\n[train]\nbatch_size = \"big\"\n");
  const auto typed = epibook_cli("train -c " + dir + "/typed.toml");
  EXPECT_EQ(typed.exit_code, 1);
  EXPECT_NE(typed.output.find("line 4: train.batch_size has the wrong type"), std::string::npos) << typed.output;
  testing::write_file(dir + "/broken.toml", "[data\n");
  const auto broken = epibook_cli("train -c " + dir + "/broken.toml");
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.output.find(dir + "/broken.toml: line 1"), std::string::npos) << broken.output;
  // A non-ASCII folder name in a string reads as ever; outside a string, a character toml++
  // 3.3 cannot test for whitespace is refused before it parses (epibook/toml_text.h).
  testing::write_file(dir + "/nodata.toml", "[data]\ndir = \"nowh\xC3\xA9re\"\n");
  const auto nodata = epibook_cli("train -c " + dir + "/nodata.toml");
  EXPECT_EQ(nodata.exit_code, 1);
  EXPECT_NE(nodata.output.find("nowh\xC3\xA9re/inputs.npy"), std::string::npos) << nodata.output;
  testing::write_file(dir + "/cyrillic.toml", "[data]\n\xD0\x98 = 1\n");
  const auto cyrillic = epibook_cli("train -c " + dir + "/cyrillic.toml");
  EXPECT_EQ(cyrillic.exit_code, 1);
  EXPECT_NE(cyrillic.output.find(dir + "/cyrillic.toml: line 2, column 1: U+0418 outside a string or comment"),
            std::string::npos)
      << cyrillic.output;
}

// What a lab exports (train_options_toml: only the keys off the defaults) reads back to
// the same options, and --data-root takes the relative data paths from the book's folder
// instead of the config's, keeping them relative in the run's record.
TEST(TrainCli, ExportedTomlConfigReadsBackToTheSameOptions) {
  const std::string dir = testing::scratch_dir("train-cli-toml");
  std::filesystem::create_directories(dir + "/book/data");
  std::filesystem::create_directories(dir + "/downloads");
  ASSERT_TRUE(testing::write_motif_dataset(dir + "/book/data", 200, 40, 9));
  TrainOptions options;
  options.data.dir = "data";
  options.model.conv_layers = 1;
  options.model.channels = 6;
  options.model.kernel_size = 7;
  options.model.pool = 0;
  options.model.head = "global_max_dense";
  options.loss = "bce";
  options.loss_weights = {2.5f};
  options.optimizer = OptimizerKind::kAdamW;
  options.adam.weight_decay = 0.01f;
  options.schedule.kind = nn::LearningRateSchedule::Kind::kCosine;
  options.schedule.base = 0.0031;
  options.epochs = 2;
  options.batch_size = 16;
  options.seed = 9007199254740991ULL;  // 2^53 - 1: the largest seed a lab offers
  options.clip_norm = 0.5;
  const std::string toml = train_options_toml(options);
  EXPECT_EQ(toml.find("inputs"), std::string::npos) << "a default key was written:\n" << toml;
  testing::write_file(dir + "/downloads/run.toml", toml);

  const auto trained = epibook_cli("train -c " + dir + "/downloads/run.toml --data-root " + dir + "/book -o " + dir +
                                   "/out -q");
  ASSERT_EQ(trained.exit_code, 0) << trained.output << "\n" << toml;
  const nlohmann::json manifest = nlohmann::json::parse(testing::read_file(dir + "/out/manifest.json"));
  EXPECT_EQ(manifest["config"], nlohmann::json::parse(train_options_json(options))) << toml;

  const auto evaluated = epibook_cli("eval --checkpoint " + dir + "/out/last.ckpt --data-root " + dir +
                                     "/book --split validation --json");
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  EXPECT_EQ(nlohmann::json::parse(evaluated.output)["rows"], 40);
}

// A model past a training run's limits (model_limits.h) is refused once the data's
// shapes are known and before the run directory exists, naming the config, the line and
// the key, or the flag that set it; the limits are stated in --help.
TEST(TrainCli, ModelPastTheLimitsIsRefusedBeforeAnythingIsWritten) {
  const std::string dir = prepared_run_dir("train-cli-limits");
  testing::write_file(dir + "/wide.toml",
                      "preset = \"quick\"\n[data]\ndir = \"data\"\n[model]\nchannels = 1099511627776\n"
                      "[loss]\nname = \"bce\"\n");
  const auto wide = epibook_cli("train -c " + dir + "/wide.toml -q");
  EXPECT_EQ(wide.exit_code, 1);
  EXPECT_NE(wide.output.find("epibook: " + dir + "/wide.toml: line 5: model.channels = 1099511627776: conv block 1 has "
                             "1099511627776 x 4 x 5 weights (model.channels x input channels x model.kernel_size), "
                             "which takes the model to 23089744183296 parameters, past the 268435456 a training run "
                             "may use"),
            std::string::npos)
      << wide.output;
  EXPECT_FALSE(std::filesystem::exists(dir + "/wide.run"));
  // One row of the quick model holds 4 x 40 + 2 x 8 x 40 + 8 x 10 (pool 4) + 1 = 881 values.
  const auto batch = epibook_cli("train -c " + dir + "/run.toml -o " + dir + "/batch.run --batch-size 2000000 -q");
  EXPECT_EQ(batch.exit_code, 1);
  EXPECT_NE(batch.output.find("epibook: " + dir + "/run.toml: train.batch_size = 2000000 (set by a flag): a row holds "
                              "881 values"),
            std::string::npos)
      << batch.output;
  EXPECT_NE(batch.output.find("a batch of 1218776 rows or fewer fits"), std::string::npos) << batch.output;
  EXPECT_FALSE(std::filesystem::exists(dir + "/batch.run"));
  const auto help = epibook_cli("train --help");
  EXPECT_NE(help.output.find("more than 268,435,456 (2^28) parameters"), std::string::npos) << help.output;
}

TEST(TrainCli, HelpListsTheConfigKeys) {
  const auto help = epibook_cli("train --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* key : {"[data]", "[model]", "[loss]", "[optimizer]", "[schedule]", "[early_stopping]"}) {
    EXPECT_NE(help.output.find(key), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace epibook
