// A window dataset whose sources are files (epibook/dataset.h): what `epibook train`,
// `eval`, `predict` and `dataset` open from a config's [data] keys. The browser opens
// the same readers over its own bytes and calls WindowDataset::create directly.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "epibook/bigwig.h"
#include "epibook/dataset.h"
#include "epibook/fasta.h"
#include "epibook/normalize.h"

namespace epibook {

FileDataset::FileDataset() = default;
FileDataset::FileDataset(FileDataset&&) noexcept = default;
FileDataset::~FileDataset() = default;

std::string path_under(const std::string& root, const std::string& path) {
  if (root.empty() || path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(root) / path).lexically_normal().string();
}

namespace {

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(path + ": cannot open the windows file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return io_error(path + ": read failed");
  return text.str();
}

}  // namespace

Result<FileDataset> open_file_dataset(const DataOptions& data, const std::string& root,
                                      const std::function<void(uint64_t done, uint64_t total)>& on_scan) {
  if (data.windows.empty()) return invalid_argument("data.windows is not set (the BED of `epibook regions`)");
  if (data.genome.empty()) return invalid_argument("data.genome is not set (the FASTA the windows lie on)");
  EPIBOOK_ASSIGN_OR_RETURN(const DatasetOptions options, dataset_options(data));
  FileDataset files;
  const std::string genome_path = path_under(root, data.genome);
  EPIBOOK_ASSIGN_OR_RETURN(FastaReader genome, FastaReader::open(genome_path));
  files.genome = std::make_unique<FastaReader>(std::move(genome));
  files.paths.push_back(genome_path);
  std::vector<SignalSource> sources;
  if (options.target == TargetKind::kSignal) {
    for (const std::string& track : data.tracks) {
      const std::string path = path_under(root, track);
      EPIBOOK_ASSIGN_OR_RETURN(BigWigReader reader, BigWigReader::open(path));
      files.tracks.push_back(std::make_unique<BigWigReader>(std::move(reader)));
      sources.push_back(bigwig_signal_source(*files.tracks.back()));
      if (data.normalize == "cpm") {
        EPIBOOK_ASSIGN_OR_RETURN(const double library, bigwig_library_size(*files.tracks.back(), data.count_bin));
        EPIBOOK_ASSIGN_OR_RETURN(const double factor, cpm_factor(library));
        sources.back() = scaled_signal_source(std::move(sources.back()), factor);
      }
      files.paths.push_back(path);
    }
  }
  const std::string windows_path = path_under(root, data.windows);
  EPIBOOK_ASSIGN_OR_RETURN(const std::string text, read_text(windows_path));
  EPIBOOK_ASSIGN_OR_RETURN(GenomeWindows windows, parse_genome_windows(text, windows_path));
  files.paths.push_back(windows_path);
  EPIBOOK_ASSIGN_OR_RETURN(WindowDataset dataset,
                           WindowDataset::create(files.genome.get(), std::move(sources), std::move(windows), options));
  files.dataset = std::make_unique<WindowDataset>(std::move(dataset));
  constexpr uint64_t kScanChunk = 4096;
  while (true) {
    EPIBOOK_ASSIGN_OR_RETURN(const bool done, files.dataset->scan(kScanChunk));
    if (on_scan) on_scan(files.dataset->windows_scanned(), files.dataset->window_count());
    if (done) break;
  }
  return files;
}

}  // namespace epibook
