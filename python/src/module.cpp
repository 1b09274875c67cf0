// `import epibook`: the engine's bigWig reader, batched loader and leakage audit for
// Python, bound with pybind11. Arrays come back as numpy arrays that own the buffers
// the C++ code wrote into (no copy); errors are Python exceptions carrying the same
// messages as the CLI. The loader's worker threads run without the GIL.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "epibook/audit.h"
#include "epibook/bigwig.h"
#include "epibook/fasta.h"
#include "epibook/loader.h"
#include "epibook/prep.h"
#include "epibook/region.h"
#include "epibook/status.h"

namespace py = pybind11;

namespace epibook::python {
namespace {

// Status codes become the Python exception a reader would expect for them.
[[noreturn]] void raise(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kNotFound:
      throw py::key_error(status.message());
    case ErrorCode::kIo:
      throw std::ios_base::failure(status.message());  // OSError
    case ErrorCode::kUnsupported:
      throw py::type_error(status.message());
    default:
      throw py::value_error(status.message());  // bad arguments, corrupt files
  }
}

// Opening a file: "not found" is the file itself.
template <typename T>
T take_file(Result<T> result) {
  if (!result.is_ok() && result.status().code() == ErrorCode::kNotFound) {
    PyErr_SetString(PyExc_FileNotFoundError, result.status().message().c_str());
    throw py::error_already_set();
  }
  if (!result.is_ok()) raise(result.status());
  return std::move(result).value();
}

void check(const Status& status) {
  if (!status.is_ok()) raise(status);
}

template <typename T>
T take(Result<T> result) {
  if (!result.is_ok()) raise(result.status());
  return std::move(result).value();
}

// A numpy array that owns a C++ vector: the vector's buffer is handed over, not copied.
template <typename T>
py::array_t<T> to_numpy(std::vector<T>&& values, std::vector<py::ssize_t> shape) {
  auto* owned = new std::vector<T>(std::move(values));
  py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(shape, owned->data(), free_when_done);
}

Region region_of(const std::string& chrom, uint64_t start, uint64_t end) {
  if (end <= start) {
    raise(invalid_argument(chrom + ":" + std::to_string(start) + "-" + std::to_string(end) +
                           ": the end must be after the start (0-based, half-open)"));
  }
  return Region{chrom, start, end};
}

// Regions from a list of (chrom, start, end) tuples or of "chr:start-end" strings.
std::vector<Region> regions_of(const py::sequence& items) {
  std::vector<Region> regions;
  regions.reserve(py::len(items));
  for (const py::handle item : items) {
    if (py::isinstance<py::str>(item)) {
      regions.push_back(take(parse_region(item.cast<std::string>())));
    } else {
      const auto t = item.cast<std::tuple<std::string, uint64_t, uint64_t>>();
      regions.push_back(region_of(std::get<0>(t), std::get<1>(t), std::get<2>(t)));
    }
  }
  return regions;
}

// ---------------------------------------------------------------------------------
// bigWig: named and shaped like pyBigWig's methods so that code moves over with few edits.
class PyBigWig {
 public:
  explicit PyBigWig(const std::string& path) : reader_(take_file(BigWigReader::open(path))) {}

  py::dict chroms() const {
    py::dict out;
    for (const BigWigChrom& c : reader_.chroms()) out[py::str(c.name)] = c.length;
    return out;
  }

  py::array_t<float> values(const std::string& chrom, uint64_t start, uint64_t end) const {
    const Region region = region_of(chrom, start, end);
    std::vector<float> out(region.length());
    {
      py::gil_scoped_release unlocked;
      check(reader_.values_into(region, out));
    }
    const auto n = static_cast<py::ssize_t>(out.size());
    return to_numpy(std::move(out), {n});
  }

  // Every region read into one [n, L] array (all regions the same length) in one pass
  // over the file's blocks: what a data loader needs.
  py::array_t<float> values_batch(const py::sequence& items) const {
    std::vector<Region> regions = regions_of(items);
    if (regions.empty()) return py::array_t<float>(std::vector<py::ssize_t>{0, 0});
    const uint64_t length = regions.front().length();
    for (const Region& r : regions) {
      if (r.length() != length) {
        raise(invalid_argument(r.chrom + ":" + std::to_string(r.start) + "-" + std::to_string(r.end) + " is " +
                               std::to_string(r.length()) + " bp, the first region " + std::to_string(length) +
                               ": values_batch needs regions of one length"));
      }
    }
    std::vector<float> out(regions.size() * length);
    {
      py::gil_scoped_release unlocked;
      check(reader_.values_batch(regions, out));
    }
    return to_numpy(std::move(out), {static_cast<py::ssize_t>(regions.size()), static_cast<py::ssize_t>(length)});
  }

  // pyBigWig's stats(): a list with None where a bin has no data.
  py::list stats(const std::string& chrom, uint64_t start, uint64_t end, const std::string& type, uint32_t bins,
                 bool exact) const {
    const SummaryStat stat = take(parse_summary_stat(type));
    std::vector<double> values;
    {
      py::gil_scoped_release unlocked;
      values = take(reader_.stats(region_of(chrom, start, end), stat, bins, exact));
    }
    py::list out;
    for (double v : values) {
      if (std::isnan(v)) out.append(py::none());
      else out.append(v);
    }
    return out;
  }

  py::list intervals(const std::string& chrom, uint64_t start, uint64_t end) const {
    py::list out;
    for (const BigWigInterval& i : take(reader_.intervals(region_of(chrom, start, end)))) {
      out.append(py::make_tuple(i.start, i.end, i.value));
    }
    return out;
  }

  const BigWigReader& reader() const { return reader_; }

 private:
  BigWigReader reader_;
};

// ---------------------------------------------------------------------------------
// The batched loader. It keeps the FASTA and bigWig readers it reads from; the loader's
// own threads prefetch batches while Python trains on the last one.
LoaderOptions loader_options(uint32_t batch_size, uint32_t bin, const std::string& transform,
                             const std::string& unknown_base, bool reverse_complement, uint32_t max_shift,
                             bool missing_as_zero, bool drop_last, const std::string& sampler, uint64_t seed,
                             uint32_t threads, uint32_t prefetch) {
  LoaderOptions o;
  o.batch_size = batch_size;
  o.bin = bin;
  o.transform = take(parse_signal_transform(transform));
  o.unknown_base = take(parse_unknown_base(unknown_base));
  o.reverse_complement = reverse_complement;
  o.max_shift = max_shift;
  o.missing_as_zero = missing_as_zero;
  o.drop_last = drop_last;
  o.sampler.scheme = take(parse_sampling_scheme(sampler));
  o.sampler.seed = seed;
  o.threads = threads;
  o.prefetch_batches = prefetch;
  check(validate_loader_options(o));
  return o;
}

py::dict batch_dict(Batch&& b) {
  py::dict out;
  const auto B = static_cast<py::ssize_t>(b.size);
  out["epoch"] = b.epoch;
  out["number"] = b.number;
  if (!b.sequence.empty()) out["sequence"] = to_numpy(std::move(b.sequence), {B, 4, static_cast<py::ssize_t>(b.length)});
  out["targets"] = to_numpy(std::move(b.targets), {B, static_cast<py::ssize_t>(b.tracks), static_cast<py::ssize_t>(b.bins)});
  if (!b.labels.empty()) out["labels"] = to_numpy(std::move(b.labels), {B});
  if (!b.loss_weights.empty()) out["loss_weights"] = to_numpy(std::move(b.loss_weights), {B});
  out["examples"] = to_numpy(std::move(b.examples), {B});
  py::list regions;
  for (const Region& r : b.regions) regions.append(py::make_tuple(r.chrom, r.start, r.end));
  out["regions"] = regions;
  return out;
}

class PyLoader {
 public:
  PyLoader(const std::optional<std::string>& fasta, const std::vector<std::string>& tracks, const py::sequence& windows,
           const std::vector<int32_t>& labels, const LoaderOptions& options) {
    if (fasta) fasta_ = std::make_unique<FastaReader>(take_file(FastaReader::open(*fasta)));
    for (const std::string& path : tracks) {
      readers_.push_back(std::make_unique<BigWigReader>(take_file(BigWigReader::open(path))));
    }
    LoaderInputs inputs;
    inputs.windows = regions_of(windows);
    inputs.sequence = fasta_.get();
    for (const auto& reader : readers_) inputs.tracks.push_back(bigwig_signal_source(*reader));
    inputs.labels = labels;
    loader_ = std::make_unique<BatchLoader>(take(BatchLoader::create(std::move(inputs), options)));
  }

  uint64_t window_count() const { return loader_->window_count(); }
  uint32_t window_length() const { return loader_->window_length(); }
  uint64_t batches_in_epoch(uint64_t epoch) const { return take(loader_->batches_in_epoch(epoch)); }

  void start_epoch(uint64_t epoch) { check(loader_->start_epoch(epoch)); }

  // The next batch of the epoch started last, or None at its end.
  py::object next() {
    std::optional<Batch> batch;
    {
      py::gil_scoped_release unlocked;
      batch = take(loader_->next());
    }
    if (!batch) return py::none();
    return batch_dict(std::move(*batch));
  }

  // Batch `number` of `epoch`, assembled on the calling thread: the same bits as next()
  // gives, in any order, so that DataLoader workers can share out an epoch.
  py::dict batch(uint64_t epoch, uint64_t number) const {
    Batch b;
    {
      py::gil_scoped_release unlocked;
      b = take(loader_->batch(epoch, number));
    }
    return batch_dict(std::move(b));
  }

 private:
  std::unique_ptr<FastaReader> fasta_;
  std::vector<std::unique_ptr<BigWigReader>> readers_;
  std::unique_ptr<BatchLoader> loader_;
};

// ---------------------------------------------------------------------------------
// The leakage audit of `epibook audit`, returning its JSON report as a dict.
py::object audit(const std::string& windows_path, const std::optional<std::string>& genome,
                 const std::optional<std::string>& bigwig, uint64_t adjacency) {
  SplitWindows data = take_file(read_split_windows(windows_path));
  AuditInputs inputs;
  AuditOptions options;
  options.adjacency_bp = adjacency;
  std::optional<FastaReader> fasta;
  std::optional<BigWigReader> reader;
  if (genome) fasta.emplace(take_file(FastaReader::open(*genome)));
  if (bigwig) reader.emplace(take_file(BigWigReader::open(*bigwig)));
  std::string json;
  {
    py::gil_scoped_release unlocked;  // the C++ below throws only pybind11's own exception types
    if (fasta) inputs.sequence = take(sequence_features(*fasta, data.windows, options.minhash));
    if (reader) inputs.depth = take(mean_signal_per_window(*reader, data.windows));
    inputs.data = data;
    const LeakageReport report = take(audit_splits(inputs, options));
    json = leakage_report_json(report, data, options);
  }
  return py::module_::import("json").attr("loads")(json);
}

}  // namespace
}  // namespace epibook::python

PYBIND11_MODULE(_epibook, m) {
  using namespace epibook;
  using namespace epibook::python;
  m.doc() = "epibook's engine: bigWig reading, batched loading and leakage audits (see help(epibook))";

  py::class_<PyBigWig>(m, "BigWig", "A bigWig file, read as pyBigWig reads it (0-based, half-open coordinates).")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def("chroms", &PyBigWig::chroms, "Chromosome names and lengths, as a dict.")
      .def("values", &PyBigWig::values, py::arg("chrom"), py::arg("start"), py::arg("end"),
           "Per-base values as a float32 numpy array; NaN where the file has no data.")
      .def("values_batch", &PyBigWig::values_batch, py::arg("regions"),
           "Values of many regions of one length, as a float32 array [n, length]: a list of (chrom, start, end) or "
           "'chr:start-end'. Each compressed block is read once however many regions touch it.")
      .def("stats", &PyBigWig::stats, py::arg("chrom"), py::arg("start"), py::arg("end"), py::arg("type") = "mean",
           py::arg("nBins") = 1, py::arg("exact") = false,
           "pyBigWig's stats(): mean, max, min, coverage, std or sum over nBins bins; None where a bin has no data.")
      .def("intervals", &PyBigWig::intervals, py::arg("chrom"), py::arg("start"), py::arg("end"),
           "The stored (start, end, value) intervals overlapping the region, unclipped.");

  py::class_<PyLoader>(m, "_Loader")
      .def(py::init([](const std::optional<std::string>& fasta, const std::vector<std::string>& tracks,
                       const py::sequence& windows, const std::vector<int32_t>& labels, uint32_t batch_size,
                       uint32_t bin, const std::string& transform, const std::string& unknown_base,
                       bool reverse_complement, uint32_t max_shift, bool missing_as_zero, bool drop_last,
                       const std::string& sampler, uint64_t seed, uint32_t threads, uint32_t prefetch) {
             return std::make_unique<PyLoader>(
                 fasta, tracks, windows, labels,
                 loader_options(batch_size, bin, transform, unknown_base, reverse_complement, max_shift,
                                missing_as_zero, drop_last, sampler, seed, threads, prefetch));
           }),
           py::arg("fasta"), py::arg("tracks"), py::arg("windows"), py::arg("labels"), py::arg("batch_size"),
           py::arg("bin"), py::arg("transform"), py::arg("unknown_base"), py::arg("reverse_complement"),
           py::arg("max_shift"), py::arg("missing_as_zero"), py::arg("drop_last"), py::arg("sampler"),
           py::arg("seed"), py::arg("threads"), py::arg("prefetch"))
      .def_property_readonly("window_count", &PyLoader::window_count)
      .def_property_readonly("window_length", &PyLoader::window_length)
      .def("batches_in_epoch", &PyLoader::batches_in_epoch, py::arg("epoch"))
      .def("start_epoch", &PyLoader::start_epoch, py::arg("epoch"))
      .def("next", &PyLoader::next)
      .def("batch", &PyLoader::batch, py::arg("epoch"), py::arg("number"));

  m.def("audit", &audit, py::arg("windows"), py::arg("genome") = py::none(), py::arg("bigwig") = py::none(),
        py::arg("adjacency") = 0,
        "The leakage audit of `epibook audit` on a BED of windows with their split (chrom, start, end, split "
        "[, label]); genome enables the near-duplicate and GC checks, bigwig the depth check. Returns the report "
        "as a dict (its 'checks' list has each check's name, level (PASS, WARN, FAIL, SKIPPED) and summary).");
  m.def("tile", [](const py::sequence& regions, uint32_t width, uint32_t stride) {
        std::vector<Region> windows = take(tile_windows(regions_of(regions), width, stride == 0 ? width : stride));
        py::list out;
        for (const Region& r : windows) out.append(py::make_tuple(r.chrom, r.start, r.end));
        return out;
      }, py::arg("regions"), py::arg("width"), py::arg("stride") = 0,
      "Windows of `width` bp every `stride` bp (default: width) over regions, as `epibook load` tiles them.");
}
