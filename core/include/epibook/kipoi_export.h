// A checkpoint as a Kipoi model folder (Avsec et al. 2019, doi:10.1038/s41587-019-0140-0):
// the weights as a PyTorch state dict (.npz), the Python that rebuilds the model and
// reads its inputs, model.yaml and dataloader.yaml in Kipoi's form with the shapes the
// model really takes and returns, and a test example (a few input windows and the
// outputs epibook computed for them). Bytes only, no file system, so `epibook export`
// and a lab in the page write the same folder.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "epibook/nn/tensor.h"
#include "epibook/region.h"
#include "epibook/status.h"
#include "epibook/train.h"

namespace epibook {

// One file of the folder: its path inside the folder ("test/inputs.npy") and bytes.
struct ExportedFile {
  std::string path;
  std::string bytes;
};

// What the description says beyond the checkpoint itself.
struct KipoiExportSource {
  std::string checkpoint_name;     // as the reader named it, for info.doc ("run/best.ckpt")
  const nlohmann::json* manifest = nullptr;  // the run's manifest.json, when there is one
  // The test example: rows of the run's data ([k, ...input shape]) and, when known,
  // each row's place on the genome and its row number in the dataset (for `epibook
  // predict`'s output, which lists every row in order).
  nn::Tensor example_inputs;
  std::vector<Region> example_regions;
  std::vector<uint64_t> example_rows;
  // info: authors (default "epibook export"), cite_as and license (left out when empty).
  std::vector<std::string> authors;
  std::string cite_as;
  std::string license;
};

// The digits of agreement the test example promises (numpy's assert_almost_equal:
// |expected - actual| < 1.5 * 10^-decimal): float32 forward passes of the same weights
// in two libraries differ in the last bits of each sum.
inline constexpr int kKipoiPrecisionDecimal = 4;

// Whether [k, 4, L] inputs are one-hot DNA in epibook's order (A, C, G, T): each
// position all 0 or 1 with at most one 1, or all 0.25 (an unknown base, "quarter").
bool inputs_are_one_hot_dna(const nn::Tensor& inputs);

// The per-row shape Kipoi writes, batch axis left out: "(4, 200)", "(1,)".
std::string kipoi_shape(const nn::Shape& shape_with_batch);

// What exp / sigmoid turns the model's raw output into (`epibook predict`'s numbers):
// "exp", "sigmoid", "softmax" or "none".
std::string output_transform(const std::string& loss);

// model.yaml and dataloader.yaml as JSON (what the YAML files hold), for a reader that
// checks or shows them; `sequence_loader` picks the FASTA + BED dataloader over the
// array one.
nlohmann::ordered_json kipoi_model_description(const LoadedCheckpoint& checkpoint, const KipoiExportSource& source,
                                               bool sequence_loader);
nlohmann::ordered_json kipoi_dataloader_description(const LoadedCheckpoint& checkpoint,
                                                    const KipoiExportSource& source, bool sequence_loader);

// Every file of the folder, in a fixed order: model.yaml, dataloader.yaml, model.npz,
// model.py, dataloader.py, load_epibook_weights.py, README.md, test/inputs.npy,
// test/expected.npy, and for DNA inputs test/sequences.fa and test/intervals.bed (for
// array inputs the dataloader reads test/inputs.npy). The expected outputs are the
// model's raw outputs (eval mode) for the example rows. Fails when the example rows do
// not fit the model's input shape or the model fails on them.
Result<std::vector<ExportedFile>> kipoi_export_files(LoadedCheckpoint& checkpoint, const KipoiExportSource& source);

// The Python files the folder carries, as the tree holds them (scripts/).
const std::string& epibook_weights_loader_py();
const std::string& kipoi_model_py();
const std::string& kipoi_dataloader_py();

}  // namespace epibook
