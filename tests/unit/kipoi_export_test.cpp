// The Kipoi export's parts against what they describe: shapes written as the model's
// own, the one-hot test that picks the dataloader, the test example's outputs equal to
// epibook's forward pass, and the example sequences decoding back to the inputs.
// (tests/cli/export_cli_test.cpp loads a whole export in PyTorch.)
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "epibook/kipoi_export.h"
#include "epibook/npy.h"
#include "unit/train_dataset_fixture.h"

namespace epibook {
namespace {

// A checkpoint as load_checkpoint returns one, made in memory: the quick preset on
// [*, 4, 40] one-hot windows with one label each, the bce loss.
LoadedCheckpoint quick_checkpoint() {
  LoadedCheckpoint c;
  c.options = *train_preset("quick");
  c.options.loss = "bce";
  c.options.data.dir = "motif-data";
  c.input_shape = nn::Shape{1, 4, 40};
  c.target_shape = nn::Shape{1, 1};
  c.model = std::move(build_model(c.options.model, c.input_shape, c.target_shape, 7)).value();
  return c;
}

nn::Tensor motif_rows(uint64_t rows) {
  testing::MotifDataset d = testing::make_motif_dataset(rows, 40, 3);
  return nn::Tensor::from_values(nn::Shape{static_cast<int64_t>(rows), 4, 40}, d.inputs);
}

const ExportedFile* find(const std::vector<ExportedFile>& files, const std::string& path) {
  for (const ExportedFile& f : files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

TEST(KipoiExport, ShapesLeaveOutTheBatchAxis) {
  EXPECT_EQ(kipoi_shape(nn::Shape{1, 4, 200}), "(4, 200)");
  EXPECT_EQ(kipoi_shape(nn::Shape{1, 1}), "(1,)");
  EXPECT_EQ(kipoi_shape(nn::Shape{1, 2, 8}), "(2, 8)");
  EXPECT_EQ(output_transform("poisson"), "exp");
  EXPECT_EQ(output_transform("bce"), "sigmoid");
  EXPECT_EQ(output_transform("mse"), "none");
}

TEST(KipoiExport, OneHotDnaIsRecognisedAndOtherArraysAreNot) {
  nn::Tensor x = motif_rows(3);
  EXPECT_TRUE(inputs_are_one_hot_dna(x));
  for (int c = 0; c < 4; ++c) x.at(1, c, 5) = 0.0f;  // an N as zeros
  EXPECT_TRUE(inputs_are_one_hot_dna(x));
  for (int c = 0; c < 4; ++c) x.at(1, c, 6) = 0.25f;  // an N as quarter
  EXPECT_TRUE(inputs_are_one_hot_dna(x));
  x.at(2, 0, 0) = 0.25f;  // a quarter beside a zero: not an encoding epibook makes
  EXPECT_FALSE(inputs_are_one_hot_dna(x));
  nn::Tensor two_ones = motif_rows(1);
  for (int c = 0; c < 4; ++c) two_ones.at(0, c, 0) = c < 2 ? 1.0f : 0.0f;
  EXPECT_FALSE(inputs_are_one_hot_dna(two_ones));
  EXPECT_FALSE(inputs_are_one_hot_dna(nn::Tensor(nn::Shape{2, 3, 10})));  // three channels
  EXPECT_FALSE(inputs_are_one_hot_dna(nn::Tensor(nn::Shape{2, 4, 10}, 0.5f)));
}

TEST(KipoiExport, DescriptionsCarryTheModelsShapesAndTheData) {
  LoadedCheckpoint c = quick_checkpoint();
  KipoiExportSource source;
  source.checkpoint_name = "run/best.ckpt";
  source.license = "MIT";
  const nlohmann::ordered_json model = kipoi_model_description(c, source, true);
  EXPECT_EQ(model["defined_as"], "model.EpibookModel");
  EXPECT_EQ(model["args"]["weights"], "model.npz");
  EXPECT_EQ(model["schema"]["inputs"]["shape"], "(4, 40)");
  EXPECT_EQ(model["schema"]["inputs"]["special_type"], "DNASeq");
  EXPECT_EQ(model["schema"]["targets"]["shape"], "(1,)");
  EXPECT_NE(model["schema"]["targets"]["doc"].get<std::string>().find("sigmoid(output)"), std::string::npos);
  EXPECT_EQ(model["info"]["license"], "MIT");
  EXPECT_FALSE(model["info"].contains("cite_as"));
  EXPECT_EQ(model["test"]["precision_decimal"], kKipoiPrecisionDecimal);
  const nlohmann::ordered_json loader = kipoi_dataloader_description(c, source, true);
  EXPECT_EQ(loader["defined_as"], "dataloader.py::SequenceWindows");
  EXPECT_EQ(loader["args"]["window_length"]["default"], 40);
  EXPECT_EQ(loader["output_schema"]["inputs"], model["schema"]["inputs"]);
  EXPECT_EQ(loader["output_schema"]["metadata"]["ranges"]["type"], "GenomicRanges");
  EXPECT_EQ(kipoi_dataloader_description(c, source, false)["defined_as"], "dataloader.py::ArrayRows");
}

TEST(KipoiExport, TestExampleHoldsTheModelsOwnOutputs) {
  LoadedCheckpoint c = quick_checkpoint();
  KipoiExportSource source;
  source.checkpoint_name = "run/best.ckpt";
  source.example_inputs = motif_rows(3);
  for (int c4 = 0; c4 < 4; ++c4) source.example_inputs.at(2, c4, 0) = 0.0f;  // row 2 starts with an N
  source.example_regions = {{"chr1", 0, 40}, {"chr1", 40, 80}, {"chr2", 100, 140}};
  source.example_rows = {4, 9, 17};
  auto files = kipoi_export_files(c, source);
  ASSERT_TRUE(files.is_ok()) << files.status().message();
  std::vector<std::string> names;
  for (const ExportedFile& f : *files) names.push_back(f.path);
  EXPECT_EQ(names, (std::vector<std::string>{"model.yaml", "dataloader.yaml", "model.npz", "model.py", "dataloader.py",
                                             "load_epibook_weights.py", "README.md", "test/inputs.npy",
                                             "test/expected.npy", "test/sequences.fa", "test/intervals.bed"}));
  const Result<nn::Tensor> ours = predict(*c.model, source.example_inputs, 32);
  ASSERT_TRUE(ours.is_ok());
  const Result<NpyArray> expected = parse_npy(find(*files, "test/expected.npy")->bytes, "expected.npy");
  ASSERT_TRUE(expected.is_ok()) << expected.status().message();
  EXPECT_EQ(expected->shape, (std::vector<uint64_t>{3, 1}));
  const std::vector<float> values = expected->as_float32();
  for (int64_t i = 0; i < 3; ++i) EXPECT_EQ(values[static_cast<size_t>(i)], (*ours)[i]);

  // The FASTA spells the one-hot rows (N where all four are 0); the BED covers each record.
  const std::string& fasta = find(*files, "test/sequences.fa")->bytes;
  ASSERT_EQ(fasta.rfind(">chr1:0-40\n", 0), 0u) << fasta;
  std::string first;
  for (int64_t l = 0; l < 40; ++l) {
    for (int ch = 0; ch < 4; ++ch) {
      if (source.example_inputs.at(0, ch, l) == 1.0f) first += "ACGT"[ch];
    }
  }
  EXPECT_EQ(fasta.substr(11, 40), first);
  EXPECT_NE(fasta.find(">chr2:100-140\nN"), std::string::npos) << fasta;
  EXPECT_EQ(find(*files, "test/intervals.bed")->bytes,
            "chr1:0-40\t0\t40\trow4\nchr1:40-80\t0\t40\trow9\nchr2:100-140\t0\t40\trow17\n");
  const std::string& yaml = find(*files, "model.yaml")->bytes;
  EXPECT_EQ(yaml.rfind("# Written by epibook export", 0), 0u);
  EXPECT_NE(yaml.find("    shape: (4, 40)\n"), std::string::npos) << yaml;
  EXPECT_NE(find(*files, "model.py")->bytes.find("class EpibookModel"), std::string::npos);
}

TEST(KipoiExport, ExampleRowsOfAnotherShapeAreRefused) {
  LoadedCheckpoint c = quick_checkpoint();
  KipoiExportSource source;
  source.example_inputs = nn::Tensor(nn::Shape{2, 4, 30});
  auto files = kipoi_export_files(c, source);
  ASSERT_FALSE(files.is_ok());
  EXPECT_EQ(files.status().message(), "test example: inputs [2, 4, 30] do not fit the model's input [1, 4, 40]");
}

}  // namespace
}  // namespace epibook
