// Benchmark: samples/s of batches of 64 x 1 kb windows, each a one-hot sequence and
// eight bigWig tracks written by pyBigWig (35 Mb genome), loaded by epibook's
// BatchLoader (1 and 2 worker threads, block cache on and off) against a PyTorch
// DataLoader over pyBigWig + pysam + numpy (1 and 2 workers): same windows, same order,
// same files, one run. Prints ratios, checksums showing all agree, and the share of the
// loader's thread time spent inflating bigWig blocks (the decompression limit).
// Run by `make bench`; usage: loader_bench [DATA_DIR] (default: next to this program).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#if __has_include(<libdeflate.h>)
#include <libdeflate.h>
#define LOADER_BENCH_HAVE_LIBDEFLATE 1
#endif
#include <zlib.h>

#include "epibook/bigwig.h"
#include "epibook/fasta.h"
#include "epibook/loader.h"
#include "epibook/random.h"

namespace {

namespace fs = std::filesystem;
using namespace epibook;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kWindows = 6400;
constexpr uint64_t kWindowLength = 1000;
constexpr uint32_t kBatch = 64;
constexpr int kTracks = 8;
constexpr uint64_t kSeed = 20240601;
// bigwig-loader (Retel et al. 2024) on a GPU, for comparable windows and tracks.
constexpr double kBigwigLoaderGpuSamplesPerSecond = 2050;

[[noreturn]] void die(const std::string& message) {
  std::cerr << "loader_bench: " << message << "\n";
  std::exit(1);
}

// A file source that remembers every byte range the reader asked for, so the blocks it
// inflated can be inflated again, alone, to time decompression.
class RecordingSource : public ByteSource {
 public:
  explicit RecordingSource(std::unique_ptr<ByteSource> inner) : inner_(std::move(inner)) {}
  Status read_at(uint64_t offset, size_t size, void* out) const override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      reads_.push_back({offset, size});
    }
    return inner_->read_at(offset, size, out);
  }
  uint64_t size() const override { return inner_->size(); }
  const std::string& name() const override { return inner_->name(); }
  std::vector<std::pair<uint64_t, size_t>> reads() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return reads_;
  }
  const ByteSource& inner() const { return *inner_; }

 private:
  std::unique_ptr<ByteSource> inner_;
  mutable std::mutex mutex_;
  mutable std::vector<std::pair<uint64_t, size_t>> reads_;
};

struct Checksum {
  int64_t sum = 0;      // sum of round(100 * value) over non-NaN targets
  int64_t nan = 0;
  int64_t ones = 0;     // ones in the one-hot arrays
  int64_t samples = 0;
  bool operator==(const Checksum&) const = default;
  std::string text() const {
    return "checksum " + std::to_string(sum) + " nan " + std::to_string(nan) + " ones " + std::to_string(ones);
  }
};

void add_to(Checksum& checksum, const Batch& batch) {
  for (float v : batch.targets) {
    if (std::isnan(v)) ++checksum.nan;
    else checksum.sum += std::llround(static_cast<double>(v) * 100.0);
  }
  for (float v : batch.sequence) checksum.ones += v == 1.0f ? 1 : 0;
  checksum.samples += batch.size;
}

struct Decompression {
  uint64_t blocks = 0;
  uint64_t bytes_out = 0;
  double seconds = 0;
};

// Inflates again every range the reader read that is a zlib stream (the data blocks;
// index nodes and headers are not), each as often as it was read.
Decompression time_inflation(const RecordingSource& source, uint32_t buffer_size) {
  Decompression d;
  std::vector<uint8_t> in, out(std::max<uint32_t>(buffer_size, 1));
#ifdef LOADER_BENCH_HAVE_LIBDEFLATE
  libdeflate_decompressor* inflater = libdeflate_alloc_decompressor();
#endif
  for (const auto& [offset, size] : source.reads()) {
    if (size < 2) continue;
    in.resize(size);
    if (!source.inner().read_at(offset, size, in.data()).is_ok() || in[0] != 0x78) continue;
    const Clock::time_point start = Clock::now();
    size_t produced = 0;
#ifdef LOADER_BENCH_HAVE_LIBDEFLATE
    const bool ok = libdeflate_zlib_decompress(inflater, in.data(), size, out.data(), out.size(), &produced) ==
                    LIBDEFLATE_SUCCESS;
#else
    uLongf length = out.size();
    const bool ok = uncompress(out.data(), &length, in.data(), size) == Z_OK;
    produced = length;
#endif
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (!ok) continue;
    d.seconds += seconds;
    d.bytes_out += produced;
    ++d.blocks;
  }
#ifdef LOADER_BENCH_HAVE_LIBDEFLATE
  libdeflate_free_decompressor(inflater);
#endif
  return d;
}

struct EpibookRun {
  double seconds = 0;
  Checksum checksum;
  Decompression decompression;
};

struct Files {
  fs::path dir;
  std::vector<Region> windows;
};

EpibookRun run_epibook(const Files& files, uint32_t threads, size_t cache_bytes) {
  auto fasta = FastaReader::open((files.dir / "genome.fa").string());
  if (!fasta.is_ok()) die(fasta.status().message());
  BigWigReadOptions read_options;
  read_options.block_cache_bytes = cache_bytes;
  std::vector<const RecordingSource*> sources;
  std::vector<BigWigReader> readers;
  for (int t = 0; t < kTracks; ++t) {
    auto file = open_file_source((files.dir / ("track" + std::to_string(t) + ".bw")).string());
    if (!file.is_ok()) die(file.status().message());
    auto recording = std::make_unique<RecordingSource>(std::move(file).value());
    sources.push_back(recording.get());
    auto reader = BigWigReader::open(std::move(recording), read_options);
    if (!reader.is_ok()) die(reader.status().message());
    readers.push_back(std::move(reader).value());
  }
  LoaderInputs inputs;
  inputs.windows = files.windows;
  inputs.sequence = &*fasta;
  for (const BigWigReader& reader : readers) inputs.tracks.push_back(bigwig_signal_source(reader));
  LoaderOptions options = loader_preset("benchmark").value();
  options.batch_size = kBatch;
  options.threads = threads;
  options.sampler.seed = kSeed;
  auto loader = BatchLoader::create(std::move(inputs), options);
  if (!loader.is_ok()) die(loader.status().message());

  EpibookRun run;
  const Clock::time_point start = Clock::now();
  if (Status started = loader->start_epoch(0); !started.is_ok()) die(started.message());
  while (true) {
    auto batch = loader->next();
    if (!batch.is_ok()) die(batch.status().message());
    if (!batch->has_value()) break;
    add_to(run.checksum, **batch);
    loader->recycle(std::move(**batch));
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (size_t t = 0; t < readers.size(); ++t) {
    const Decompression d = time_inflation(*sources[t], readers[t].header().uncompress_buf_size);
    run.decompression.blocks += d.blocks;
    run.decompression.bytes_out += d.bytes_out;
    run.decompression.seconds += d.seconds;
  }
  return run;
}

struct PythonRun {
  double seconds = 0;
  Checksum checksum;
};

PythonRun run_python(const std::string& script, const Files& files, const fs::path& windows_tsv, int workers) {
  const std::string command = std::string(EPIBOOK_PYTHON) + " " + script + " time " + files.dir.string() + " " +
                              windows_tsv.string() + " " + std::to_string(kBatch) + " " + std::to_string(workers);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) die("cannot run " + command);
  PythonRun run;
  long long samples = 0, sum = 0, nan = 0, ones = 0;
  const int parsed = std::fscanf(pipe, "seconds %lf samples %lld checksum %lld nan %lld ones %lld", &run.seconds,
                                 &samples, &sum, &nan, &ones);
  if (pclose(pipe) != 0 || parsed != 5) die("the PyTorch DataLoader run failed: " + command);
  run.checksum = {sum, nan, ones, samples};
  return run;
}

// Random 1 kb windows over the genome, then put in the loader's epoch-0 order so the
// DataLoader (shuffle=False) reads the same windows in the same batches.
std::vector<Region> draw_windows(const FastaReader& fasta) {
  CounterRng rng(kSeed);
  std::vector<Region> windows;
  const auto& entries = fasta.index().entries;
  for (uint64_t i = 0; i < kWindows; ++i) {
    const FaiEntry& chrom = entries[rng.next_below(entries.size())];
    const uint64_t start = rng.next_below(chrom.length - kWindowLength);
    windows.push_back({chrom.name, start, start + kWindowLength});
  }
  SamplerOptions sampler;
  sampler.seed = kSeed;
  SamplerInput input;
  input.example_count = windows.size();
  const std::vector<uint64_t> order = sample_epoch(input, sampler, 0).value();
  std::vector<Region> ordered;
  for (uint64_t i : order) ordered.push_back(windows[i]);
  return ordered;
}

// Other work on the machine slows every loader here; the figures are only comparable
// within one run, and the load says how much the run was disturbed.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five;
  in >> one >> five;
  return in ? one + " (1 min), " + five + " (5 min)" : "unknown";
}

void print_line(const std::string& name, double seconds, const Checksum& checksum, double reference_rate) {
  const double rate = static_cast<double>(checksum.samples) / seconds;
  std::printf("  %-44s %9.0f samples/s  %6.2fx   %s\n", name.c_str(), rate, rate / reference_rate,
              checksum.text().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path data_dir =
      argc > 1 ? fs::path(argv[1]) : fs::absolute(fs::path(argv[0])).parent_path() / "bench_data" / "loader";
  fs::create_directories(data_dir);
  const std::string script = std::string(EPIBOOK_BENCH_DIR) + "/loader_dataloader.py";
  if (!fs::exists(data_dir / ("track" + std::to_string(kTracks - 1) + ".bw"))) {
    std::cerr << "loader_bench: writing the genome and 8 tracks with pyBigWig into " << data_dir << " (once)\n";
    if (std::system((std::string(EPIBOOK_PYTHON) + " " + script + " make " + data_dir.string()).c_str()) != 0) {
      die("pyBigWig could not write the benchmark's tracks");
    }
  }
  Files files{data_dir, {}};
  {
    auto fasta = FastaReader::open((data_dir / "genome.fa").string());
    if (!fasta.is_ok()) die(fasta.status().message());
    files.windows = draw_windows(*fasta);
  }
  const fs::path windows_tsv = data_dir / "windows.tsv";
  {
    std::ofstream out(windows_tsv);
    for (const Region& w : files.windows) out << w.chrom << "\t" << w.start << "\t" << w.end << "\n";
  }

  std::printf("%llu windows of %llu bp in batches of %u: one-hot sequence + %d bigWig tracks (pyBigWig-written, "
              "35 Mb genome)\n",
              static_cast<unsigned long long>(kWindows), static_cast<unsigned long long>(kWindowLength), kBatch,
              kTracks);
  const PythonRun torch1 = run_python(script, files, windows_tsv, 1);
  const PythonRun torch2 = run_python(script, files, windows_tsv, 2);
  const EpibookRun epi1 = run_epibook(files, 1, BigWigReadOptions{}.block_cache_bytes);
  const EpibookRun epi2 = run_epibook(files, 2, BigWigReadOptions{}.block_cache_bytes);
  const EpibookRun epi2_uncached = run_epibook(files, 2, 0);

  const double base = static_cast<double>(torch1.checksum.samples) / torch1.seconds;
  std::printf("  (ratios against the PyTorch DataLoader with 1 worker)\n");
  print_line("PyTorch DataLoader + pyBigWig, 1 worker", torch1.seconds, torch1.checksum, base);
  print_line("PyTorch DataLoader + pyBigWig, 2 workers", torch2.seconds, torch2.checksum, base);
  print_line("epibook BatchLoader, 1 thread", epi1.seconds, epi1.checksum, base);
  print_line("epibook BatchLoader, 2 threads", epi2.seconds, epi2.checksum, base);
  print_line("epibook BatchLoader, 2 threads, no block cache", epi2_uncached.seconds, epi2_uncached.checksum, base);
  const double torch2_rate = static_cast<double>(torch2.checksum.samples) / torch2.seconds;
  const double epi2_rate = static_cast<double>(epi2.checksum.samples) / epi2.seconds;
  std::printf("  epibook 2 threads vs DataLoader 2 workers: %.2fx\n", epi2_rate / torch2_rate);
  std::printf("  reference: bigwig-loader on a GPU (Retel et al. 2024): ~%.0f samples/s; epibook on 2 threads: "
              "%.2fx that\n", kBigwigLoaderGpuSamplesPerSecond, epi2_rate / kBigwigLoaderGpuSamplesPerSecond);
  auto report_decompression = [](const char* name, const EpibookRun& run, uint32_t threads) {
    std::printf("  decompression, %s: %llu blocks (%.1f MB) inflated in %.3f s = %.1f%% of the loader's thread time\n",
                name, static_cast<unsigned long long>(run.decompression.blocks), run.decompression.bytes_out / 1e6,
                run.decompression.seconds, 100.0 * run.decompression.seconds / (run.seconds * threads));
  };
  report_decompression("2 threads", epi2, 2);
  report_decompression("2 threads, no cache", epi2_uncached, 2);
  std::printf("  machine load average at the end: %s on %u cores\n", load_average().c_str(),
              std::thread::hardware_concurrency());
  const bool agree = torch1.checksum == torch2.checksum && torch1.checksum == epi1.checksum &&
                     torch1.checksum == epi2.checksum && torch1.checksum == epi2_uncached.checksum;
  std::printf("  all five loaders agree on every value: %s\n", agree ? "yes" : "NO");
  return agree ? 0 : 1;
}
