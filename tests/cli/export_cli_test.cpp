// `epibook export` as a user meets it: a trained run becomes a Kipoi folder whose
// YAML, read by PyYAML, gives the shapes the model (rebuilt in PyTorch from the .npz)
// really takes and returns, whose test example PyTorch reproduces, and whose outputs
// match `epibook predict`; missing or broken inputs are named.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"
#include "unit/train_dataset_fixture.h"

namespace epibook {
namespace {

testing::CommandResult epibook_cli(const std::string& arguments) {
  return testing::run_command(std::string(EPIBOOK_CLI) + " " + arguments + " 2>&1");
}

std::string checker() { return std::string(EPIBOOK_TEST_SOURCE_DIR) + "/cli/check_kipoi_export.py"; }

// A trained run on the motif dataset (one-hot [*, 4, 40], a label each, bce) with
// windows.bed beside the arrays; returns the scratch folder holding data/ and run/.
std::string trained_run(const std::string& name, const std::string& loss) {
  const std::string dir = testing::scratch_dir(name);
  std::filesystem::create_directories(dir + "/data");
  EXPECT_TRUE(testing::write_motif_dataset(dir + "/data", 120, 40, 5));
  std::string bed;
  for (int i = 0; i < 120; ++i) bed += "chr1\t" + std::to_string(i * 40) + "\t" + std::to_string(i * 40 + 40) + "\n";
  testing::write_file(dir + "/data/windows.bed", bed);
  testing::write_file(dir + "/run.toml", "preset = \"quick\"\n[data]\ndir = \"data\"\n[model]\npool = 4\n[loss]\nname = \"" +
                                             loss + "\"\n[train]\nepochs = 2\n");
  const auto trained = epibook_cli("train --config " + dir + "/run.toml -o " + dir + "/run -q");
  EXPECT_EQ(trained.exit_code, 0) << trained.output;
  return dir;
}

TEST(ExportCli, KipoiFolderLoadsInPytorchAndMatchesPredict) {
  const std::string dir = trained_run("export-cli", "bce");
  const auto exported = epibook_cli("export " + dir + "/run --out " + dir + "/kipoi --examples 5 --author 'A Reader' "
                                    "--license MIT --cite-as https://doi.org/10.1038/s41587-019-0140-0");
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_NE(exported.output.find("model.yaml (inputs (4, 40), outputs (1,)), dataloader.yaml (SequenceWindows)"),
            std::string::npos)
      << exported.output;
  EXPECT_NE(exported.output.find("test example of 5 rows from " + dir + "/run/best.ckpt"), std::string::npos)
      << exported.output;
  for (const char* file : {"model.yaml", "dataloader.yaml", "model.npz", "model.py", "dataloader.py",
                           "load_epibook_weights.py", "README.md", "manifest.json", "test/inputs.npy",
                           "test/expected.npy", "test/sequences.fa", "test/intervals.bed"}) {
    EXPECT_TRUE(std::filesystem::exists(dir + "/kipoi/" + file)) << file;
  }
  const auto predicted = epibook_cli("predict --checkpoint " + dir + "/run/best.ckpt --data " + dir + "/data -o " +
                                     dir + "/pred.tsv");
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  const auto checked = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + checker() + " " + dir +
                                            "/kipoi --predictions " + dir + "/pred.tsv --transform sigmoid 2>&1");
  ASSERT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_NE(checked.output.find("inputs (4, 40) rows 5 ok\noutputs (1,) ok\ntest example agrees to 4 decimals"),
            std::string::npos)
      << checked.output;
  // The motif rows hold no test split (every fifth row validates): the first five rows.
  EXPECT_NE(checked.output.find("epibook predict agrees for rows [0, 1, 2, 3, 4]"), std::string::npos)
      << checked.output;
  const auto fields = testing::run_command(
      std::string(EPIBOOK_PYTHON) + " -c \"import yaml; m = yaml.safe_load(open('" + dir +
      "/kipoi/model.yaml')); i = m['info']; print(i['authors'], i['license'], i['cite_as'], m['test'])\"");
  EXPECT_EQ(fields.output,
            "[{'name': 'A Reader'}] MIT https://doi.org/10.1038/s41587-019-0140-0 "
            "{'expect': 'test/expected.npy', 'precision_decimal': 4}\n");

  // A second export replaces the first; a folder that is not an export stays.
  EXPECT_EQ(epibook_cli("export " + dir + "/run/last.ckpt -o " + dir + "/kipoi").exit_code, 0);
  std::filesystem::create_directories(dir + "/mine");
  testing::write_file(dir + "/mine/notes.txt", "keep\n");
  const auto refused = epibook_cli("export " + dir + "/run -o " + dir + "/mine");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find(dir + "/mine: exists and is not an earlier `epibook export` output"), std::string::npos)
      << refused.output;
}

TEST(ExportCli, PoissonOutputsAreLogRatesThatPredictExponentiates) {
  const std::string dir = trained_run("export-cli-poisson", "poisson");
  ASSERT_EQ(epibook_cli("export " + dir + "/run -o " + dir + "/kipoi").exit_code, 0);
  ASSERT_EQ(epibook_cli("predict --checkpoint " + dir + "/run/best.ckpt --data " + dir + "/data -o " + dir +
                        "/pred.tsv").exit_code,
            0);
  const auto checked = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + checker() + " " + dir +
                                            "/kipoi --predictions " + dir + "/pred.tsv --transform exp 2>&1");
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_NE(testing::read_file(dir + "/kipoi/model.yaml").find("exp(output) is the predicted signal"),
            std::string::npos);
}

TEST(ExportCli, MissingAndBrokenInputsAreNamed) {
  const std::string dir = testing::scratch_dir("export-cli-errors");
  const auto missing = epibook_cli("export " + dir + "/nowhere -o " + dir + "/out");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("epibook: " + dir + "/nowhere: no such run directory or checkpoint"), std::string::npos)
      << missing.output;
  std::filesystem::create_directories(dir + "/empty-run");
  const auto empty = epibook_cli("export " + dir + "/empty-run -o " + dir + "/out");
  EXPECT_NE(empty.output.find(dir + "/empty-run: no best.ckpt or last.ckpt in it"), std::string::npos) << empty.output;
  testing::write_file(dir + "/bad.ckpt", "not a checkpoint");
  const auto bad = epibook_cli("export " + dir + "/bad.ckpt -o " + dir + "/out");
  EXPECT_NE(bad.output.find(dir + "/bad.ckpt: not an epibook checkpoint"), std::string::npos) << bad.output;
  EXPECT_FALSE(std::filesystem::exists(dir + "/out"));

  const std::string run = trained_run("export-cli-manifest", "bce");
  testing::write_file(run + "/run/manifest.json", "{ broken");
  const auto damaged = epibook_cli("export " + run + "/run -o " + run + "/out");
  EXPECT_EQ(damaged.exit_code, 1);
  EXPECT_NE(damaged.output.find(run + "/run/manifest.json: not valid JSON"), std::string::npos) << damaged.output;
  const auto usage = epibook_cli("export --help");
  EXPECT_EQ(usage.exit_code, 0);
  EXPECT_NE(usage.output.find("Kipoi model folder"), std::string::npos);
}

}  // namespace
}  // namespace epibook
