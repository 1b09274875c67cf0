// Benchmark: per-base values of 10,000 random 1 kb windows from a several-MB bigWig
// written by pyBigWig, read on one thread by pyBigWig, libBigWig and epibook (one query
// per window with the block cache starting empty, already warm, and switched off, and one
// batched call). Checks that all agree on every value and prints windows/s and ratios
// against pyBigWig.
// Run by `make bench`; usage: bigwig_values_bench [DATA_DIR] (default: next to this program).
#include <bigWig.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "epibook/bigwig.h"
#include "epibook/random.h"

namespace {

using epibook::BigWigReader;
using epibook::Region;
using Clock = std::chrono::steady_clock;

constexpr size_t kWindows = 10000;
constexpr uint64_t kWindowLength = 1000;
constexpr uint64_t kSeed = 20240601;

[[noreturn]] void die(const std::string& message) {
  std::cerr << "bigwig_values_bench: " << message << "\n";
  std::exit(1);
}

int run(const std::string& command) { return std::system(command.c_str()); }

std::vector<Region> draw_windows(const BigWigReader& reader) {
  epibook::CounterRng rng(kSeed);
  std::vector<Region> windows;
  const auto& chroms = reader.chroms();
  for (size_t i = 0; i < kWindows; ++i) {
    const auto& chrom = chroms[rng.next_below(chroms.size())];
    const uint64_t start = rng.next_below(chrom.length - kWindowLength);
    windows.push_back({chrom.name, start, start + kWindowLength});
  }
  return windows;
}

double seconds_of(const std::function<void()>& work) {
  const auto began = Clock::now();
  work();
  return std::chrono::duration<double>(Clock::now() - began).count();
}

bool same(float a, float b) { return a == b || (std::isnan(a) && std::isnan(b)); }

size_t count_differences(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return std::max(a.size(), b.size());
  size_t differences = 0;
  for (size_t i = 0; i < a.size(); ++i) differences += !same(a[i], b[i]);
  return differences;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const fs::path data_dir = argc > 1 ? fs::path(argv[1]) : fs::absolute(fs::path(argv[0])).parent_path() / "bench_data";
  fs::create_directories(data_dir);
  const std::string python = EPIBOOK_PYTHON;
  const std::string script = std::string(EPIBOOK_BENCH_DIR) + "/pybigwig_values.py";
  const fs::path bigwig = data_dir / "signal_25bp.bw";
  if (!fs::exists(bigwig)) {
    if (run(python + " " + script + " make " + bigwig.string()) != 0) die("pyBigWig could not write " + bigwig.string());
  }

  auto opened = BigWigReader::open(bigwig.string());
  if (!opened.is_ok()) die(opened.status().message());
  const std::vector<Region> windows = draw_windows(*opened);
  const fs::path windows_path = data_dir / "windows.tsv";
  {
    std::ofstream out(windows_path);
    for (const Region& w : windows) out << w.chrom << "\t" << w.start << "\t" << w.end << "\n";
  }
  const size_t total = kWindows * kWindowLength;

  // (a) pyBigWig, timed inside Python around its loop.
  const fs::path python_values = data_dir / "pybigwig_values.f32";
  const std::string python_command =
      python + " " + script + " time " + bigwig.string() + " " + windows_path.string() + " " + python_values.string();
  FILE* pipe = popen(python_command.c_str(), "r");
  if (pipe == nullptr) die("cannot run " + python_command);
  double python_seconds = -1;
  if (std::fscanf(pipe, "seconds %lf", &python_seconds) != 1 || pclose(pipe) != 0) die("pyBigWig timing failed");
  std::vector<float> from_python(total);
  {
    std::ifstream in(python_values, std::ios::binary);
    in.read(reinterpret_cast<char*>(from_python.data()), static_cast<std::streamsize>(total * sizeof(float)));
    if (!in) die("could not read " + python_values.string());
  }

  // (b) libBigWig in this process.
  std::vector<float> from_libbigwig(total);
  bwInit(1 << 17);
  bigWigFile_t* handle = bwOpen(const_cast<char*>(bigwig.string().c_str()), nullptr, "r");
  if (handle == nullptr) die("libBigWig cannot open " + bigwig.string());
  const double libbigwig_seconds = seconds_of([&] {
    for (size_t i = 0; i < kWindows; ++i) {
      const Region& w = windows[i];
      bwOverlappingIntervals_t* got = bwGetValues(handle, w.chrom.c_str(), w.start, w.end, 1);
      if (got == nullptr) die("libBigWig failed on a window");
      std::copy(got->value, got->value + kWindowLength, from_libbigwig.begin() + i * kWindowLength);
      bwDestroyOverlappingIntervals(got);
    }
  });
  bwClose(handle);
  bwCleanup();

  // (c) epibook, one query per window: fresh readers, so the cache starts empty.
  // passes > 1: the later passes find every block in the cache; only the last is timed.
  auto time_single = [&](size_t cache_bytes, int passes, std::vector<float>& out) {
    auto reader = BigWigReader::open(bigwig.string(), epibook::BigWigReadOptions{cache_bytes});
    if (!reader.is_ok()) die(reader.status().message());
    double seconds = 0;
    for (int pass = 0; pass < passes; ++pass) {
      seconds = seconds_of([&] {
        for (size_t i = 0; i < kWindows; ++i) {
          const epibook::Status status =
              reader->values_into(windows[i], std::span<float>(out.data() + i * kWindowLength, kWindowLength));
          if (!status.is_ok()) die(status.message());
        }
      });
    }
    return seconds;
  };
  const size_t default_cache = epibook::BigWigReadOptions{}.block_cache_bytes;
  std::vector<float> from_single(total), from_warm(total), from_uncached(total), from_batch(total);
  const double single_seconds = time_single(default_cache, 1, from_single);
  const double warm_seconds = time_single(default_cache, 2, from_warm);
  const double uncached_seconds = time_single(0, 1, from_uncached);

  // (d) epibook, all windows in one batched call (cache empty, as above).
  auto batch_reader = BigWigReader::open(bigwig.string());
  if (!batch_reader.is_ok()) die(batch_reader.status().message());
  const double batch_seconds = seconds_of([&] {
    const epibook::Status status = batch_reader->values_batch(windows, from_batch);
    if (!status.is_ok()) die(status.message());
  });

  const size_t differences = count_differences(from_python, from_libbigwig) + count_differences(from_python, from_single) +
                             count_differences(from_python, from_warm) +
                             count_differences(from_python, from_uncached) + count_differences(from_python, from_batch);
  size_t nan_count = 0;
  double checksum = 0;
  for (float v : from_python) {
    if (std::isnan(v)) ++nan_count;
    else checksum += v;
  }

  std::printf("bigWig values: %zu random %llu bp windows, one thread, %s (%.1f MB, written by pyBigWig)\n", kWindows,
              static_cast<unsigned long long>(kWindowLength), bigwig.filename().c_str(),
              static_cast<double>(fs::file_size(bigwig)) / 1e6);
  std::printf("checksum: sum %.6f over %zu values, %zu NaN; values differing from pyBigWig: %zu\n", checksum,
              total - nan_count, nan_count, differences);
  auto line = [&](const char* name, double seconds) {
    std::printf("  %-38s %10.0f windows/s  %8.2f us/window\n", name, kWindows / seconds, seconds * 1e6 / kWindows);
  };
  line("pyBigWig values(numpy=True)", python_seconds);
  line("libBigWig bwGetValues", libbigwig_seconds);
  line("epibook values_into (block cache)", single_seconds);
  line("epibook values_into (cache already warm)", warm_seconds);
  line("epibook values_into (no cache)", uncached_seconds);
  line("epibook values_batch", batch_seconds);
  std::printf("epibook vs pyBigWig: %.1fx (one query per window), %.1fx (no cache), %.1fx (batched)\n",
              python_seconds / single_seconds, python_seconds / uncached_seconds, python_seconds / batch_seconds);
  std::printf("epibook vs libBigWig: %.1fx (one query per window)\n", libbigwig_seconds / single_seconds);
  return differences == 0 ? 0 : 1;
}
