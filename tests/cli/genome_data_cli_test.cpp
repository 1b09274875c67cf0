// From genome to model on the command line: `epibook dataset` writes the arrays an
// independent numpy + pyBigWig + pysam recomputation gives; `epibook train` straight
// from the genome, windows and tracks gives the same loss curve, to the bit, as training
// on those arrays; `eval` and `predict` work on such a run from another folder with
// --data-root; bad inputs are refused naming the line and the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.h"

namespace epibook {
namespace {

testing::CommandResult epibook_cli(const std::string& arguments) {
  return testing::run_command(std::string(EPIBOOK_CLI) + " " + arguments + " 2>&1");
}

// A toy genome with its tracks and tiled windows (non-overlapping, so predict can paint
// them), made once for the suite in one scratch folder.
class GenomeDataCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::scratch_dir("genome-data-cli"));
    const auto simulated = epibook_cli("simulate --preset toy --out " + *dir_ + "/toy");
    ASSERT_EQ(simulated.exit_code, 0) << simulated.output;
    const auto regions = epibook_cli("regions --genome " + *dir_ + "/toy/genome.fa --peaks " + *dir_ +
                                     "/toy/celltypeA.narrowPeak --mode tiling --width 500 -q -o " + *dir_ +
                                     "/windows.bed");
    ASSERT_EQ(regions.exit_code, 0) << regions.output;
  }
  static std::string data_flags() {
    return "--genome " + *dir_ + "/toy/genome.fa --tracks " + *dir_ + "/toy/celltypeA.bw," + *dir_ +
           "/toy/celltypeB.bw --windows " + *dir_ + "/windows.bed --bin 100 --transform arcsinh";
  }
  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  static std::string* dir_;
};
std::string* GenomeDataCli::dir_ = nullptr;

TEST_F(GenomeDataCli, DatasetArrays_EqualAnIndependentNumpyPyBigWigPysamRecomputation) {
  const std::string out = *dir_ + "/arrays-check";
  const auto written = epibook_cli("dataset " + data_flags() + " -q -o " + out);
  ASSERT_EQ(written.exit_code, 0) << written.output;
  EXPECT_NE(written.output.find("fingerprint "), std::string::npos) << written.output;
  const auto reference = testing::run_command(
      std::string(EPIBOOK_PYTHON) + " " + EPIBOOK_TEST_SOURCE_DIR + "/golden/dataset_reference.py --genome " + *dir_ +
      "/toy/genome.fa --tracks " + *dir_ + "/toy/celltypeA.bw " + *dir_ + "/toy/celltypeB.bw --windows " + *dir_ +
      "/windows.bed --bin 100 --transform arcsinh --dir " + out + " 2>&1");
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  EXPECT_NE(reference.output.find("targets ("), std::string::npos) << reference.output;
  const nlohmann::json manifest = nlohmann::json::parse(testing::read_file(out + "/manifest.json"));
  EXPECT_EQ(manifest["tool"], "epibook dataset");
  EXPECT_EQ(manifest["sources"].size(), 4u);  // genome, two tracks, windows
  EXPECT_EQ(manifest["sources"][1]["content_hash"].get<std::string>().size(), 16u);
  EXPECT_FALSE(std::filesystem::exists(out + ".epibook-partial"));
}

TEST_F(GenomeDataCli, TrainingFromTheGenome_GivesTheLossCurveOfTrainingOnTheWrittenArrays_ToTheBit) {
  const std::string arrays = *dir_ + "/arrays-train";
  ASSERT_EQ(epibook_cli("dataset " + data_flags() + " -q -o " + arrays).exit_code, 0);
  const std::string model = " --preset quick --epochs 2 --seed 5 --batch-size 16 -q";
  const auto streamed = epibook_cli("train " + data_flags() + model + " -o " + *dir_ + "/run-genome");
  ASSERT_EQ(streamed.exit_code, 0) << streamed.output;
  testing::write_file(*dir_ + "/arrays.toml", "[data]\ndir = \"arrays-train\"\n");
  const auto in_memory = epibook_cli("train --config " + *dir_ + "/arrays.toml" + model + " -o " + *dir_ + "/run-arrays");
  ASSERT_EQ(in_memory.exit_code, 0) << in_memory.output;
  const std::string genome_curve = testing::read_file(*dir_ + "/run-genome/metrics.jsonl");
  ASSERT_EQ(lines(genome_curve).size(), 2u);
  EXPECT_EQ(genome_curve, testing::read_file(*dir_ + "/run-arrays/metrics.jsonl"));

  const nlohmann::json manifest = nlohmann::json::parse(testing::read_file(*dir_ + "/run-genome/manifest.json"));
  EXPECT_EQ(manifest["data"]["streamed"], true);
  EXPECT_EQ(manifest["data"]["content_hashes"].size(), 4u);
  EXPECT_EQ(manifest["config"]["data"]["bin"], 100);
  EXPECT_EQ(manifest["config"]["data"]["transform"], "arcsinh");
}

TEST_F(GenomeDataCli, EvalAndPredictOnAGenomeRun_UseDataRoot_AndPrintWhatTheRunRecorded) {
  // Trained inside the folder with relative paths, evaluated from elsewhere.
  const std::string relative = "--genome toy/genome.fa --tracks toy/celltypeA.bw --windows windows.bed --bin 0";
  const auto trained = testing::run_command("cd " + *dir_ + " && " + EPIBOOK_CLI + " train " + relative +
                                            " --preset quick --epochs 2 -q -o run-relative 2>&1");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const std::vector<std::string> curve = lines(testing::read_file(*dir_ + "/run-relative/metrics.jsonl"));
  ASSERT_EQ(curve.size(), 2u);
  const nlohmann::json last_epoch = nlohmann::json::parse(curve.back());

  const std::string checkpoint = *dir_ + "/run-relative/last.ckpt";
  const auto lost = epibook_cli("eval --checkpoint " + checkpoint + " --split validation --json");
  EXPECT_NE(lost.exit_code, 0);
  EXPECT_NE(lost.output.find("toy/genome.fa"), std::string::npos) << lost.output;
  const auto evaluated = epibook_cli("eval --checkpoint " + checkpoint + " --data-root " + *dir_ +
                                     " --split validation --floor-rounds 0 --json");
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  const nlohmann::json scores = nlohmann::json::parse(evaluated.output);
  EXPECT_EQ(scores["loss"]["value"].get<double>(), last_epoch["validation_loss"].get<double>());
  EXPECT_EQ(scores["metrics"]["pearson"]["value"].get<double>(), last_epoch["validation"]["pearson"].get<double>());

  const auto predicted = epibook_cli("predict --checkpoint " + checkpoint + " --data-root " + *dir_ + " -o " + *dir_ +
                                     "/predicted.bw");
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  EXPECT_NE(predicted.output.find("predictions for"), std::string::npos) << predicted.output;
}

TEST_F(GenomeDataCli, BadInputs_AreRefusedNamingTheLineAndTheFile) {
  testing::write_file(*dir_ + "/bad-windows.bed", "chr1\t0\t500\ttrain\t1\nchr9\t0\t500\ttest\t0\n");
  const auto missing = epibook_cli("dataset --genome " + *dir_ + "/toy/genome.fa --tracks " + *dir_ +
                                   "/toy/celltypeA.bw --windows " + *dir_ + "/bad-windows.bed -o " + *dir_ + "/bad");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("bad-windows.bed line 2: chr9 is not in " + *dir_ + "/toy/genome.fa (its sequences: "),
            std::string::npos)
      << missing.output;
  EXPECT_FALSE(std::filesystem::exists(*dir_ + "/bad"));
  const auto not_bigwig = epibook_cli("dataset --genome " + *dir_ + "/toy/genome.fa --tracks " + *dir_ +
                                      "/windows.bed --windows " + *dir_ + "/windows.bed -o " + *dir_ + "/bad");
  EXPECT_NE(not_bigwig.exit_code, 0);
  EXPECT_NE(not_bigwig.output.find("not a bigWig file"), std::string::npos) << not_bigwig.output;
  testing::write_file(*dir_ + "/empty.bed", "");
  const auto empty = epibook_cli("train --genome " + *dir_ + "/toy/genome.fa --tracks " + *dir_ +
                                 "/toy/celltypeA.bw --windows " + *dir_ + "/empty.bed -o " + *dir_ + "/bad-run");
  EXPECT_NE(empty.exit_code, 0);
  EXPECT_NE(empty.output.find("empty.bed: no windows"), std::string::npos) << empty.output;
  const auto no_out = epibook_cli("train --genome " + *dir_ + "/toy/genome.fa --windows " + *dir_ + "/windows.bed");
  EXPECT_NE(no_out.exit_code, 0);
  EXPECT_NE(no_out.output.find("-o/--out"), std::string::npos) << no_out.output;
}

}  // namespace
}  // namespace epibook
