// `epibook regions` and `epibook audit` held to an independent Python reading of their
// output (/usr/bin/python3 with numpy and scipy): every window's split recomputed from
// its coordinates with the hash written again in Python (a stable split in two tools),
// GC per window from the FASTA, scipy.stats.ks_2samp between splits against the
// audit's KS statistics, and negatives checked against the peaks.
#include <gtest/gtest.h>

#include "support/test_support.h"
#include "unit/audit_test_genome.h"

namespace epibook {
namespace {

// Reads the genome, the peaks, the regions BED and the audit JSON; prints "ok" or the
// first disagreements. Arguments: genome peaks regions.bed audit.json seed fractions
// hash_block val_chroms test_chroms (the last two comma-separated or "-").
constexpr const char* kReference = R"PY(
import json, sys
import numpy as np
from scipy.stats import ks_2samp

MASK = (1 << 64) - 1

def finalise(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)

def hashed(text, seed):
    h = 0xCBF29CE484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001B3) & MASK
    return finalise(h ^ finalise(seed))

genome_path, peaks_path, bed_path, report_path, seed, fractions, block, val, test = sys.argv[1:10]
seed, block = int(seed), int(block)
train_f, val_f, _ = (float(x) for x in fractions.split(","))
val = set() if val == "-" else set(val.split(","))
test = set() if test == "-" else set(test.split(","))

def expected_split(chrom, start, end):
    if val or test:
        return "test" if chrom in test else "validation" if chrom in val else "train"
    key = "%s:%d-%d" % ((chrom, start // block * block, start // block * block + block) if block else (chrom, start, end))
    u = (hashed(key, seed) >> 11) * 2.0 ** -53
    return "train" if u < train_f else "validation" if u < train_f + val_f else "test"

genome, name = {}, None
for line in open(genome_path):
    line = line.strip()
    if line.startswith(">"):
        name = line[1:].split()[0]; genome[name] = []
    else:
        genome[name].append(line)
genome = {k: "".join(v).upper() for k, v in genome.items()}
peaks = [(f[0], int(f[1]), int(f[2])) for f in (l.split("\t") for l in open(peaks_path))]

problems, gc, seen = [], {"train": [], "validation": [], "test": []}, set()
for line in open(bed_path):
    chrom, start, end, split, label = line.rstrip("\n").split("\t")
    start, end, label = int(start), int(end), int(label)
    if split != expected_split(chrom, start, end):
        problems.append("%s:%d-%d is %s, expected %s" % (chrom, start, end, split, expected_split(chrom, start, end)))
    seq = genome[chrom][start:end]
    strong, weak = sum(seq.count(b) for b in "GC"), sum(seq.count(b) for b in "AT")
    gc[split].append(strong / (strong + weak))
    touches_peak = any(c == chrom and s < end and start < e for c, s, e in peaks)
    if label == 0 and touches_peak:
        problems.append("negative %s:%d-%d overlaps a peak" % (chrom, start, end))
    seen.add(split)

report = json.load(open(report_path))
for pair in report["gc"]["pairs"]:
    expected = ks_2samp(np.array(gc[pair["first"]]), np.array(gc[pair["second"]])).statistic
    if abs(expected - pair["ks"]) > 1e-12:
        problems.append("KS %s vs %s: %r, scipy %r" % (pair["first"], pair["second"], pair["ks"], expected))
    if pair["n_first"] != len(gc[pair["first"]]):
        problems.append("n of %s differs" % pair["first"])
for split, values in gc.items():
    mean = report["gc"]["mean"][split]
    if values and abs(np.mean(values) - mean) > 1e-9:
        problems.append("GC mean of %s: %r, numpy %r" % (split, mean, np.mean(values)))
if len(report["gc"]["pairs"]) != 3 or len(seen) != 3:
    problems.append("not every split has windows: %s" % sorted(seen))
print("ok" if not problems else "\n".join(problems[:10]))
)PY";

class RegionsGolden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::scratch_dir("regions-golden"));
    CounterRng rng(31);
    std::vector<std::pair<std::string, std::string>> chroms;
    std::string peaks;
    for (const char* name : {"chr2L", "chr2R", "chr3L"}) {
      std::string sequence;
      for (int block = 0; block < 40; ++block) sequence += testing::random_bases(rng, 5000, 0.3 + 0.01 * (block % 30));
      chroms.push_back({name, sequence});
      for (int p = 0; p < 30; ++p) {
        const uint64_t start = 1000 + rng.next_below(195000);
        peaks += std::string(name) + "\t" + std::to_string(start) + "\t" + std::to_string(start + 200) +
                 "\tpeak\t0\t.\t5\t-1\t-1\t100\n";
      }
    }
    testing::write_genome(*dir_, chroms);
    testing::write_file(*dir_ + "/peaks.narrowPeak", peaks);
    testing::write_file(*dir_ + "/reference.py", kReference);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  // Runs regions then audit, then the Python reading of both.
  static void expect_python_agrees(const std::string& options, const std::string& seed, const std::string& fractions,
                                   const std::string& block, const std::string& val, const std::string& test) {
    const std::string work = testing::scratch_dir("run");
    const std::string genome = *dir_ + "/genome.fa", peaks = *dir_ + "/peaks.narrowPeak";
    const auto regions = testing::run_command(std::string(EPIBOOK_CLI) + " regions -q --genome " + genome +
                                              " --peaks " + peaks + " -o " + work + "/regions.bed " + options);
    ASSERT_EQ(regions.exit_code, 0) << regions.output;
    const auto audit = testing::run_command(std::string(EPIBOOK_CLI) + " audit -q --windows " + work +
                                            "/regions.bed --genome " + genome + " --json " + work + "/audit.json");
    ASSERT_EQ(audit.exit_code, 0) << audit.output;
    const auto python = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + *dir_ + "/reference.py " + genome +
                                             " " + peaks + " " + work + "/regions.bed " + work + "/audit.json " +
                                             seed + " " + fractions + " " + block + " " + val + " " + test);
    EXPECT_EQ(python.output, "ok\n");
    EXPECT_EQ(python.exit_code, 0);
  }

  static std::string* dir_;
};

std::string* RegionsGolden::dir_ = nullptr;

TEST_F(RegionsGolden, HashSplitOfGcMatchedPeakWindowsMatchesPython) {
  expect_python_agrees("--seed 13 --fractions 0.6,0.2,0.2 --negatives 2 --jitter 40", "13", "0.6,0.2,0.2", "0", "-",
                       "-");
}

TEST_F(RegionsGolden, GroupedHashSplitOfATilingMatchesPython) {
  expect_python_agrees("--preset tiling --hash-block 40000 --seed 3 --width 500", "3", "0.8,0.1,0.1", "40000", "-",
                       "-");
}

TEST_F(RegionsGolden, ChromosomeSplitMatchesPython) {
  expect_python_agrees("--val-chroms chr2R --test-chroms chr3L", "1", "0.8,0.1,0.1", "0", "chr2R", "chr3L");
}

}  // namespace
}  // namespace epibook
