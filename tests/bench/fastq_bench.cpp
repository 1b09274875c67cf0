// Benchmark: reading a gzip FASTQ and decoding every Phred score, epibook's streaming
// reader against the way chapter 1's seed script does it (Python's gzip module, four
// lines at a time, [ord(c) - 33 for c in quality]) and against `gzip -dc` alone, the
// floor set by inflating. All three must count the same reads and score total.
// Run by `make bench`; usage: fastq_bench [READS] (default 200,000 reads of 100 bases).
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "epibook/fastq.h"
#include "epibook/random.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Illumina-like reads: random bases, scores that drift down along the read.
bool write_reads(const std::string& path, uint64_t reads, uint64_t read_length) {
  gzFile out = gzopen(path.c_str(), "wb6");
  if (out == nullptr) return false;
  epibook::CounterRng rng(2024);
  std::string record;
  for (uint64_t r = 0; r < reads; ++r) {
    record = "@BENCH:1:1101:" + std::to_string(1000 + r % 20000) + ":" + std::to_string(r) + " 1:N:0:ACGTAC\n";
    for (uint64_t i = 0; i < read_length; ++i) record.push_back("ACGT"[rng.next_below(4)]);
    record += "\n+\n";
    for (uint64_t i = 0; i < read_length; ++i) {
      const int top = 40 - static_cast<int>(i * 12 / read_length);
      record.push_back(static_cast<char>('!' + 2 + rng.next_below(static_cast<uint64_t>(top - 1))));
    }
    record.push_back('\n');
    if (gzwrite(out, record.data(), static_cast<unsigned>(record.size())) != static_cast<int>(record.size())) {
      gzclose(out);
      return false;
    }
  }
  return gzclose(out) == Z_OK;
}

std::string run(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  pclose(pipe);
  return output;
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t reads = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  const uint64_t read_length = 100;
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "epibook-fastq-bench";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "reads.fq.gz").string();
  if (!write_reads(path, reads, read_length)) {
    std::cerr << "fastq_bench: cannot write " << path << "\n";
    return 1;
  }
  const double mb = static_cast<double>(reads) * (read_length * 2 + 40) / 1e6;  // about, uncompressed

  auto start = Clock::now();
  auto reader = epibook::FastqReader::open(path);
  if (!reader.is_ok()) {
    std::cerr << "fastq_bench: " << reader.status().message() << "\n";
    return 1;
  }
  epibook::FastqRecord record;
  uint64_t ours_reads = 0, ours_total = 0;
  while (true) {
    auto more = reader->next(record);
    if (!more.is_ok()) {
      std::cerr << "fastq_bench: " << more.status().message() << "\n";
      return 1;
    }
    if (!*more) break;
    ++ours_reads;
    for (uint8_t q : record.quality) ours_total += q;
  }
  const double ours = seconds_since(start);

  start = Clock::now();
  const std::string python = run(
      std::string(EPIBOOK_PYTHON) +
      " -c \"import gzip,sys\n"
      "n=t=0\n"
      "with gzip.open(sys.argv[1],'rt') as f:\n"
      "  while True:\n"
      "    h=f.readline()\n"
      "    if not h: break\n"
      "    s=f.readline(); p=f.readline(); q=f.readline().rstrip('\\n')\n"
      "    t+=sum([ord(c)-33 for c in q]); n+=1\n"
      "print(n,t)\" '" + path + "'");
  const double python_seconds = seconds_since(start);

  start = Clock::now();
  run("gzip -dc '" + path + "' > /dev/null");
  const double gzip_seconds = seconds_since(start);

  const std::string expected = std::to_string(ours_reads) + " " + std::to_string(ours_total) + "\n";
  if (python != expected) {
    std::cerr << "fastq_bench: Python counted '" << python << "', epibook '" << expected << "'\n";
    return 1;
  }
  std::printf("FASTQ.gz, %llu reads of %llu bases (about %.0f MB uncompressed), one thread\n",
              static_cast<unsigned long long>(reads), static_cast<unsigned long long>(read_length), mb);
  std::printf("  epibook FastqReader + scores: %7.3f s  %7.1f MB/s\n", ours, mb / ours);
  std::printf("  Python gzip + ord(c)-33:      %7.3f s  %7.1f MB/s  (epibook is %.1fx faster)\n", python_seconds,
              mb / python_seconds, python_seconds / ours);
  std::printf("  gzip -dc > /dev/null:         %7.3f s  %7.1f MB/s  (epibook time / this: %.2f)\n",
              gzip_seconds, mb / gzip_seconds, ours / gzip_seconds);
  std::filesystem::remove_all(dir);
  return 0;
}
