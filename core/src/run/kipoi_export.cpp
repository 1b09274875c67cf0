// A checkpoint as a Kipoi model folder (see epibook/kipoi_export.h): the descriptions
// are built from what the checkpoint holds (options, data shapes, the model itself),
// and the test example is computed here, by the same forward pass `epibook predict` runs.
#include "epibook/kipoi_export.h"

#include <cmath>
#include <cstdio>

#include "epibook/nn/state_dict.h"
#include "epibook/npy.h"
#include "epibook/yaml_text.h"

namespace epibook {
namespace {

constexpr const char* kAlphabet = "ACGT";

std::string file_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

int64_t window_length(const LoadedCheckpoint& checkpoint) {
  return checkpoint.input_shape.rank() == 3 ? checkpoint.input_shape[2] : 0;
}

// What the inputs are, in words: the one-hot layout, or the array's shape.
std::string inputs_doc(const LoadedCheckpoint& checkpoint, bool sequence) {
  if (!sequence) {
    return "Rows of the run's input array (" + file_name(checkpoint.options.data.inputs) + "), each " +
           kipoi_shape(checkpoint.input_shape) + ", float32.";
  }
  const std::string unknown = checkpoint.options.data.unknown_base;
  return "One-hot DNA of a " + std::to_string(window_length(checkpoint)) +
         " bp window: channels A, C, G, T (in that order) by position, channels first as PyTorch's "
         "Conv1d takes them; a base other than A, C, G, T is " +
         (unknown == "quarter" ? std::string("0.25 in every channel (quarter).") : std::string("0 in every channel (zeros)."));
}

// What the targets were and what the raw outputs mean.
std::string targets_doc(const LoadedCheckpoint& checkpoint) {
  const DataOptions& data = checkpoint.options.data;
  std::string what;
  if (data.from_genome() && data.target == "label") {
    what = "the window's label (column 5 of " + file_name(data.windows) + ", 1 bound / 0 not)";
  } else if (data.from_genome()) {
    what = "the mean signal of each track";
    what += data.bin > 0 ? " in each " + std::to_string(data.bin) + " bp bin" : std::string(" over the window");
    if (data.normalize == "cpm") what += ", in counts per million of each track's library";
    if (data.transform != "none") what += ", after " + data.transform + " of each base";
  } else {
    what = "the rows of " + file_name(data.targets);
  }
  const std::string transform = output_transform(checkpoint.options.loss);
  std::string meaning = "Raw outputs, trained with the " + checkpoint.options.loss + " loss against " + what + ". ";
  if (transform == "exp") meaning += "Each is a log-rate: exp(output) is the predicted signal (what `epibook predict` writes).";
  if (transform == "sigmoid") meaning += "Each is a logit: sigmoid(output) is the probability of label 1 (what `epibook predict` writes).";
  if (transform == "softmax") meaning += "Class scores: softmax over them gives the class probabilities.";
  if (transform == "none") meaning += "They are on the targets' scale (what `epibook predict` writes).";
  return meaning;
}

nlohmann::ordered_json column_labels(const LoadedCheckpoint& checkpoint) {
  const DataOptions& data = checkpoint.options.data;
  nlohmann::ordered_json labels = nlohmann::ordered_json::array();
  if (data.from_genome() && data.target == "label") {
    labels.push_back("label");
  } else if (data.from_genome()) {
    for (const std::string& track : data.tracks) labels.push_back(file_name(track));
  }
  return labels;
}

std::string trained_on(const LoadedCheckpoint& checkpoint, const KipoiExportSource& source) {
  const DataOptions& data = checkpoint.options.data;
  std::string text;
  if (data.from_genome()) {
    text = "Windows of " + data.windows + " on the genome " + data.genome;
    if (data.target != "label") {
      text += ", signal of";
      for (const std::string& track : data.tracks) text += " " + track;
    }
    text += "; split column of the BED: train / validation / test";
  } else {
    text = "The arrays of " + data.dir + " (" + data.inputs + ", " + data.targets +
           (data.split.empty() ? std::string(")") : ", split " + data.split + ")");
  }
  if (source.manifest != nullptr && source.manifest->contains("data")) {
    const nlohmann::json& d = (*source.manifest)["data"];
    if (d.contains("rows")) text += "; " + d["rows"].dump() + " rows";
    if (d.contains("content_hashes")) text += "; content hashes " + d["content_hashes"].dump();
  }
  return text + ".";
}

std::string training_procedure(const LoadedCheckpoint& checkpoint) {
  const TrainOptions& o = checkpoint.options;
  return std::string("epibook train: ") + o.loss + " loss, " + optimizer_kind_name(o.optimizer) + " at learning rate " +
         number_text(o.schedule.base) + ", batch " + std::to_string(o.batch_size) + ", seed " + std::to_string(o.seed) +
         "; this checkpoint after " + std::to_string(checkpoint.trainer.next_epoch) + " epochs (" +
         std::to_string(checkpoint.trainer.steps) + " steps).";
}

nlohmann::ordered_json authors(const KipoiExportSource& source) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const std::string& name : source.authors) list.push_back({{"name", name}});
  if (list.empty()) list.push_back({{"name", "epibook export"}});
  return list;
}

nlohmann::ordered_json input_schema(const LoadedCheckpoint& checkpoint, bool sequence) {
  nlohmann::ordered_json inputs;
  inputs["name"] = sequence ? "seq" : "inputs";
  inputs["shape"] = kipoi_shape(checkpoint.input_shape);
  if (sequence) inputs["special_type"] = "DNASeq";
  inputs["doc"] = inputs_doc(checkpoint, sequence);
  inputs["associated_metadata"] = sequence ? "ranges" : "row";
  return inputs;
}

// [k, ...] of the model's outputs for the example rows, in eval mode.
Result<nn::Tensor> example_outputs(LoadedCheckpoint& checkpoint, const nn::Tensor& inputs) {
  if (inputs.rank() != checkpoint.input_shape.rank() || inputs.dim(0) == 0) {
    return invalid_argument("test example: inputs " + inputs.shape().text() + " do not fit the model's input " +
                            checkpoint.input_shape.text());
  }
  for (int axis = 1; axis < inputs.rank(); ++axis) {
    if (inputs.dim(axis) != checkpoint.input_shape[axis]) {
      return invalid_argument("test example: inputs " + inputs.shape().text() + " do not fit the model's input " +
                              checkpoint.input_shape.text());
    }
  }
  return predict(*checkpoint.model, inputs, checkpoint.options.batch_size);
}

std::string npy_of(const nn::Tensor& tensor) {
  const std::vector<uint64_t> shape = tensor.shape().as_npy_shape();
  return npy_bytes(NpyDtype::kFloat32, shape, tensor.data(), static_cast<size_t>(tensor.size()));
}

std::string row_name(const KipoiExportSource& source, size_t i) {
  return "row" + std::to_string(i < source.example_rows.size() ? source.example_rows[i] : i);
}

// The example windows as FASTA records (one per window, named by its place) and a BED
// of whole records, so the sequence dataloader rebuilds test/inputs.npy from text.
std::pair<std::string, std::string> example_sequences(const KipoiExportSource& source) {
  const nn::Tensor& x = source.example_inputs;
  const int64_t length = x.dim(2);
  std::string fasta, bed;
  for (int64_t n = 0; n < x.dim(0); ++n) {
    const auto i = static_cast<size_t>(n);
    const std::string record = i < source.example_regions.size()
                                   ? source.example_regions[i].chrom + ":" + std::to_string(source.example_regions[i].start) +
                                         "-" + std::to_string(source.example_regions[i].end)
                                   : row_name(source, i);
    std::string bases(static_cast<size_t>(length), 'N');
    for (int64_t l = 0; l < length; ++l) {
      for (int c = 0; c < 4; ++c) {
        if (x.at(n, c, l) == 1.0f) bases[static_cast<size_t>(l)] = kAlphabet[c];
      }
    }
    fasta += ">" + record + "\n";
    for (size_t at = 0; at < bases.size(); at += 60) fasta += bases.substr(at, 60) + "\n";
    bed += record + "\t0\t" + std::to_string(length) + "\t" + row_name(source, i) + "\n";
  }
  return {fasta, bed};
}

std::string readme(const LoadedCheckpoint& checkpoint, const KipoiExportSource& source, bool sequence) {
  return "# An epibook model as a Kipoi model folder\n\n"
         "Written by `epibook export` from " + source.checkpoint_name + " (" + training_procedure(checkpoint) + ")\n\n"
         "- model.yaml: the model (defined_as model.EpibookModel), its input and output shapes, info, dependencies, test.\n"
         "- dataloader.yaml: how inputs are made (" +
         (sequence ? std::string("dataloader.py::SequenceWindows, FASTA + BED to one-hot") : std::string("dataloader.py::ArrayRows, an .npy of inputs")) +
         ").\n"
         "- model.npz: the weights as a PyTorch state_dict; load_epibook_weights.py rebuilds the torch.nn.Sequential.\n"
         "- test/: the example inputs and the outputs epibook computed for them (test/expected.npy).\n\n"
         "Without Kipoi, in this folder:\n\n"
         "    python3 -c \"import numpy as np; from model import EpibookModel; "
         "print(EpibookModel('model.npz').predict_on_batch(np.load('test/inputs.npy')))\"\n";
}

}  // namespace

bool inputs_are_one_hot_dna(const nn::Tensor& inputs) {
  if (inputs.rank() != 3 || inputs.dim(1) != 4 || inputs.dim(0) == 0) return false;
  for (int64_t n = 0; n < inputs.dim(0); ++n) {
    for (int64_t l = 0; l < inputs.dim(2); ++l) {
      int ones = 0, quarters = 0;
      for (int64_t c = 0; c < 4; ++c) {
        const float v = inputs.at(n, c, l);
        if (v == 1.0f) {
          ++ones;
        } else if (v == 0.25f) {
          ++quarters;
        } else if (v != 0.0f) {
          return false;
        }
      }
      if (!(quarters == 4 || (quarters == 0 && ones <= 1))) return false;
    }
  }
  return true;
}

std::string kipoi_shape(const nn::Shape& shape) {
  std::string text = "(";
  for (int axis = 1; axis < shape.rank(); ++axis) {
    if (axis > 1) text += ", ";
    text += std::to_string(shape[axis]);
  }
  return text + (shape.rank() == 2 ? ",)" : ")");
}

std::string output_transform(const std::string& loss) {
  if (outputs_log_rates(loss)) return "exp";
  if (loss == "bce") return "sigmoid";
  if (loss == "cross_entropy") return "softmax";
  return "none";
}

nlohmann::ordered_json kipoi_model_description(const LoadedCheckpoint& checkpoint, const KipoiExportSource& source,
                                               bool sequence_loader) {
  nlohmann::ordered_json model;
  model["defined_as"] = "model.EpibookModel";
  model["args"] = {{"weights", "model.npz"}};
  model["default_dataloader"] = ".";
  nlohmann::ordered_json info;
  info["authors"] = authors(source);
  info["doc"] = "An epibook model (conv_layers " + std::to_string(checkpoint.options.model.conv_layers) + ", channels " +
                std::to_string(checkpoint.options.model.channels) + ", kernel " +
                std::to_string(checkpoint.options.model.kernel_size) + ", head " + checkpoint.options.model.head +
                ") exported from " + source.checkpoint_name + ". " + targets_doc(checkpoint);
  if (!source.cite_as.empty()) info["cite_as"] = source.cite_as;
  info["trained_on"] = trained_on(checkpoint, source);
  info["training_procedure"] = training_procedure(checkpoint);
  if (!source.license.empty()) info["license"] = source.license;
  info["tags"] = {"epibook", checkpoint.options.loss};
  model["info"] = info;
  model["dependencies"] = {{"conda", {"python>=3.9", "numpy>=1.21", "pytorch>=1.13"}}};
  nlohmann::ordered_json targets;
  targets["name"] = "outputs";
  targets["shape"] = kipoi_shape(checkpoint.target_shape);
  targets["doc"] = targets_doc(checkpoint);
  const nlohmann::ordered_json labels = column_labels(checkpoint);
  if (!labels.empty()) targets["column_labels"] = labels;
  model["schema"] = {{"inputs", input_schema(checkpoint, sequence_loader)}, {"targets", targets}};
  model["test"] = {{"expect", "test/expected.npy"}, {"precision_decimal", kKipoiPrecisionDecimal}};
  return model;
}

nlohmann::ordered_json kipoi_dataloader_description(const LoadedCheckpoint& checkpoint,
                                                    const KipoiExportSource& source, bool sequence_loader) {
  nlohmann::ordered_json loader;
  loader["type"] = "Dataset";
  nlohmann::ordered_json args;
  nlohmann::ordered_json metadata;
  if (sequence_loader) {
    loader["defined_as"] = "dataloader.py::SequenceWindows";
    args["intervals_file"] = {{"doc", "BED of windows (chrom, start, end, optional name), each " +
                                          std::to_string(window_length(checkpoint)) + " bp"},
                              {"type", "str"},
                              {"example", "test/intervals.bed"}};
    args["fasta_file"] = {{"doc", "FASTA of the genome the windows lie on (uncompressed)"},
                          {"type", "str"},
                          {"example", "test/sequences.fa"}};
    args["window_length"] = {{"doc", "Window length in bp, as the model was trained"},
                             {"type", "int"},
                             {"default", window_length(checkpoint)},
                             {"optional", true}};
    args["unknown_base"] = {{"doc", "What a base other than A, C, G, T becomes: zeros or quarter"},
                            {"type", "str"},
                            {"default", checkpoint.options.data.unknown_base},
                            {"optional", true}};
    metadata["ranges"] = {{"type", "GenomicRanges"}, {"doc", "Where each window lies (chr, start, end, id)"}};
  } else {
    loader["defined_as"] = "dataloader.py::ArrayRows";
    args["inputs_file"] = {{"doc", "An .npy array of model inputs, [rows, ...] as the schema says"},
                           {"type", "str"},
                           {"example", "test/inputs.npy"}};
    metadata["row"] = {{"type", "int"}, {"doc", "The row of the array"}};
  }
  loader["args"] = args;
  nlohmann::ordered_json info;
  info["authors"] = authors(source);
  info["doc"] = sequence_loader ? "Reads windows of a genome (BED + FASTA) and one-hot encodes them as epibook does "
                                  "(A, C, G, T channels first)."
                                : "Serves the rows of an .npy array of inputs.";
  if (!source.license.empty()) info["license"] = source.license;
  loader["info"] = info;
  loader["dependencies"] = {{"conda", {"python>=3.9", "numpy>=1.21"}}};
  loader["output_schema"] = {{"inputs", input_schema(checkpoint, sequence_loader)}, {"metadata", metadata}};
  return loader;
}

Result<std::vector<ExportedFile>> kipoi_export_files(LoadedCheckpoint& checkpoint, const KipoiExportSource& source) {
  EPIBOOK_ASSIGN_OR_RETURN(const nn::Tensor outputs, example_outputs(checkpoint, source.example_inputs));
  const bool sequence = inputs_are_one_hot_dna(source.example_inputs);
  const std::string header = "Written by epibook export (epibook " EPIBOOK_VERSION ") from " + source.checkpoint_name +
                             "\nin Kipoi's form (https://kipoi.org/docs/contributing/).";
  const nlohmann::json architecture = checkpoint.model->describe();
  EPIBOOK_ASSIGN_OR_RETURN(std::string weights,
                           nn::state_dict_npz_bytes(nn::ModelState::of(*checkpoint.model), &architecture));
  std::vector<ExportedFile> files;
  files.push_back({"model.yaml", yaml_text(kipoi_model_description(checkpoint, source, sequence), header)});
  files.push_back({"dataloader.yaml", yaml_text(kipoi_dataloader_description(checkpoint, source, sequence), header)});
  files.push_back({"model.npz", std::move(weights)});
  files.push_back({"model.py", kipoi_model_py()});
  files.push_back({"dataloader.py", kipoi_dataloader_py()});
  files.push_back({"load_epibook_weights.py", epibook_weights_loader_py()});
  files.push_back({"README.md", readme(checkpoint, source, sequence)});
  files.push_back({"test/inputs.npy", npy_of(source.example_inputs)});
  files.push_back({"test/expected.npy", npy_of(outputs)});
  if (sequence) {
    auto [fasta, bed] = example_sequences(source);
    files.push_back({"test/sequences.fa", std::move(fasta)});
    files.push_back({"test/intervals.bed", std::move(bed)});
  }
  return files;
}

}  // namespace epibook
