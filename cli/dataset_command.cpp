// `epibook dataset`: the window dataset (core: epibook/dataset.h) written as the arrays
// numpy and PyTorch readers load: inputs.npy (one-hot [N, 4, L]), targets.npy, split.npy,
// windows.bed (the window of each row) and manifest.json. Streams a chunk of rows at a
// time into a staging folder that replaces OUT only when complete.
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "commands.h"
#include "epibook/dataset.h"
#include "epibook/npy.h"
#include "epibook/prep.h"
#include "epibook/split.h"

namespace epibook::cli {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kRowsPerChunk = 256;

struct DatasetArguments {
  DataOptions data;
  std::string out;
  bool quiet = false;
};

// "dataset: 40,960 / 409,600 rows (10%)", on a terminal rewritten in place.
class ProgressLine {
 public:
  explicit ProgressLine(bool quiet) : quiet_(quiet), terminal_(isatty(STDERR_FILENO) != 0) {}
  void operator()(const char* what, uint64_t done, uint64_t total) {
    if (quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done != total && now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    std::cerr << (terminal_ ? "\r" : "") << "epibook dataset: " << what << " " << with_thousands(done) << " / "
              << with_thousands(total) << " (" << done * 100 / std::max<uint64_t>(total, 1) << "%)"
              << (terminal_ && done != total ? "" : "\n") << std::flush;
  }

 private:
  bool quiet_, terminal_;
  std::chrono::steady_clock::time_point last_{};
};

// An .npy file written as a header and then rows appended in order.
class NpyRowWriter {
 public:
  NpyRowWriter(const fs::path& path, NpyDtype dtype, const nn::Shape& shape) : path_(path.string()) {
    out_.open(path, std::ios::binary);
    const std::vector<uint64_t> dims = shape.as_npy_shape();
    const char none = 0;
    out_ << npy_bytes(dtype, dims, &none, 0);
  }
  void append(const void* bytes, size_t size) { out_.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(size)); }
  Status close() {
    out_.close();
    return out_ ? Status::ok() : io_error(path_ + ": write failed");
  }

 private:
  std::string path_;
  std::ofstream out_;
};

struct Written {
  uint64_t fingerprint = 0;
  std::array<uint64_t, 3> rows_per_split{};
};

Result<Written> write_arrays(const WindowDataset& data, const fs::path& dir, ProgressLine& progress) {
  const auto n = static_cast<int64_t>(data.rows());
  NpyRowWriter inputs_file(dir / "inputs.npy", NpyDtype::kFloat32, data.input_shape(n));
  NpyRowWriter targets_file(dir / "targets.npy", NpyDtype::kFloat32, data.target_shape(n));
  std::ofstream windows_file(dir / "windows.bed", std::ios::binary);
  DataFingerprint fingerprint(data.input_shape(n), data.target_shape(n));
  Written written;
  nn::Tensor inputs, targets;
  std::vector<uint32_t> rows;
  for (uint64_t first = 0; first < data.rows(); first += kRowsPerChunk) {
    const uint64_t count = std::min<uint64_t>(kRowsPerChunk, data.rows() - first);
    rows.resize(count);
    for (uint64_t i = 0; i < count; ++i) rows[i] = static_cast<uint32_t>(first + i);
    EPIBOOK_RETURN_IF_ERROR(data.gather(rows, inputs, targets));
    inputs_file.append(inputs.data(), static_cast<size_t>(inputs.size()) * sizeof(float));
    targets_file.append(targets.data(), static_cast<size_t>(targets.size()) * sizeof(float));
    const std::span<const int8_t> split(data.split().data() + first, count);
    fingerprint.add_rows(inputs, targets, split);
    for (uint64_t i = 0; i < count; ++i) {
      const Region& w = data.regions()[data.window_of_row(first + i)];
      windows_file << w.chrom << '\t' << w.start << '\t' << w.end << '\t' << split_name(static_cast<Split>(split[i]))
                   << '\n';
      ++written.rows_per_split[static_cast<size_t>(split[i])];
    }
    progress("rows", first + count, data.rows());
  }
  EPIBOOK_RETURN_IF_ERROR(inputs_file.close());
  EPIBOOK_RETURN_IF_ERROR(targets_file.close());
  windows_file.close();
  if (!windows_file) return io_error((dir / "windows.bed").string() + ": write failed");
  const std::vector<uint64_t> split_shape{data.rows()};
  EPIBOOK_RETURN_IF_ERROR(write_npy((dir / "split.npy").string(), std::span<const int8_t>(data.split()), split_shape));
  written.fingerprint = fingerprint.finish();
  return written;
}

std::string manifest_json(const DatasetArguments& a, const FileDataset& files, const Written& written) {
  const WindowDataset& data = *files.dataset;
  const auto n = static_cast<int64_t>(data.rows());
  nlohmann::ordered_json m;
  m["tool"] = "epibook dataset";
  m["epibook_version"] = EPIBOOK_VERSION;
  m["data"] = {{"genome", a.data.genome},       {"tracks", a.data.tracks},         {"windows", a.data.windows},
               {"target", a.data.target},       {"bin", a.data.bin},               {"transform", a.data.transform},
               {"normalize", a.data.normalize}, {"count_bin", a.data.count_bin},
               {"unknown_base", a.data.unknown_base}, {"missing", a.data.missing}};
  nlohmann::ordered_json sources = nlohmann::ordered_json::array();
  for (const std::string& path : files.paths) {
    std::error_code ec;
    const uint64_t size = fs::file_size(path, ec);
    const Result<uint64_t> hash = file_content_hash(path);
    sources.push_back({{"path", path}, {"size", ec ? 0 : size}, {"content_hash", hash.is_ok() ? hex64(*hash) : ""}});
  }
  m["sources"] = sources;
  m["content_hash_method"] = "stable_hash (FNV-1a 64 + SplitMix64), seed 0";
  m["windows"] = data.window_count();
  m["rows"] = data.rows();
  m["rows_dropped_for_missing_targets"] = data.window_count() - data.rows();
  m["rows_per_split"] = {{"train", written.rows_per_split[0]},
                         {"validation", written.rows_per_split[1]},
                         {"test", written.rows_per_split[2]}};
  m["arrays"] = {{"inputs.npy", {{"shape", data.input_shape(n).text()}, {"dtype", "float32"},
                                 {"channels", "A, C, G, T one-hot"}}},
                 {"targets.npy", {{"shape", data.target_shape(n).text()}, {"dtype", "float32"}}},
                 {"split.npy", {{"shape", nn::Shape{n}.text()}, {"dtype", "int8"},
                                {"values", "0 train, 1 validation, 2 test"}}},
                 {"windows.bed", "the window of each row: chrom, start, end, split"}};
  m["fingerprint"] = hex64(written.fingerprint);
  m["fingerprint_method"] = "data_fingerprint (epibook/dataset.h): shapes, then per row inputs, targets, split";
  return m.dump(2) + "\n";
}

void run_dataset(const DatasetArguments& a) {
  check(validate_dataset_options(value_or_fail(dataset_options(a.data))));
  const fs::path out(a.out);
  std::error_code ec;
  if (fs::exists(out, ec) && !replaceable(out, "epibook dataset")) {
    fail(invalid_argument(a.out + ": exists and is not an earlier `epibook dataset` output; remove it or choose "
                          "another -o"));
  }
  ProgressLine progress(a.quiet);
  const FileDataset files = value_or_fail(open_file_dataset(
      a.data, "", [&progress](uint64_t done, uint64_t total) { progress("windows checked", done, total); }));
  if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
  StagingDirectory staging(out);
  check(staging.create());
  const Written written = value_or_fail(write_arrays(*files.dataset, staging.path(), progress));
  // The manifest goes last: a folder with a manifest is a complete dataset.
  check(write_file_atomically((staging.path() / "manifest.json").string(), manifest_json(a, files, written)));
  check(staging.publish());
  const WindowDataset& data = *files.dataset;
  const auto n = static_cast<int64_t>(data.rows());
  std::cout << "wrote " << a.out << ": " << with_thousands(data.rows()) << " rows of "
            << with_thousands(data.window_count()) << " windows; inputs " << data.input_shape(n).text() << ", targets "
            << data.target_shape(n).text() << "; train " << with_thousands(written.rows_per_split[0])
            << ", validation " << with_thousands(written.rows_per_split[1]) << ", test "
            << with_thousands(written.rows_per_split[2]) << "; fingerprint " << hex64(written.fingerprint) << "\n";
}

}  // namespace

void add_dataset_command(CLI::App& app) {
  auto arguments = std::make_shared<DatasetArguments>();
  DatasetArguments& a = *arguments;
  CLI::App* cmd = app.add_subcommand(
      "dataset",
      "Write the arrays a model trains on, for numpy and PyTorch: each window of `epibook regions`\n"
      "becomes a row with its one-hot sequence from the FASTA (inputs.npy, float32 [N, 4, L], A C G T)\n"
      "and its targets (targets.npy, float32): the mean of each track per --bin bp after --transform\n"
      "([N, T, L/bin], or [N, T] with --bin 0), or the window's label (--target label, [N, 1]). Also\n"
      "split.npy (int8 [N]: 0 train, 1 validation, 2 test), windows.bed (the window of each row) and\n"
      "manifest.json (options, sources with content hashes, shapes, the data fingerprint). Rows with\n"
      "a bin without data are dropped unless --missing zero. The same numbers `epibook train` streams\n"
      "with the same [data] keys; OUT appears only when complete.");
  cmd->add_option("--genome", a.data.genome, "Genome FASTA the windows lie on (data.genome)")->required();
  cmd->add_option("--tracks", a.data.tracks, "bigWig files, one target channel each (data.tracks; repeatable)")
      ->delimiter(',');
  cmd->add_option("--windows", a.data.windows, "BED of `epibook regions`: chrom, start, end, split, label")->required();
  cmd->add_option("--target", a.data.target, "signal (default: track means) or label (column 5, for bce)");
  cmd->add_option("--bin", a.data.bin, "bp per target bin (default 0: one value per track per window)");
  cmd->add_option("--transform", a.data.transform, "none (default), arcsinh or log1p, per base before binning");
  cmd->add_option("--normalize", a.data.normalize,
                  "none (default) or cpm: each track as counts per million of its library, before the transform");
  cmd->add_option("--count-bin", a.data.count_bin, "bp per count in the tracks, for cpm's library size (default 25)");
  cmd->add_option("--unknown-base", a.data.unknown_base, "What N becomes: zeros (default) or quarter (0.25 each)");
  cmd->add_option("--missing", a.data.missing, "drop (default: a row with a bin without data) or zero");
  cmd->add_option("-o,--out", a.out, "Output folder")->required();
  cmd->add_flag("-q,--quiet", a.quiet, "No progress on stderr");
  cmd->callback([arguments] { run_dataset(*arguments); });
}

}  // namespace epibook::cli
