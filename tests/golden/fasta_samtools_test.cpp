// Golden tests of the .fai builder and region fetches against samtools faidx (1.16,
// Debian's; scripts/setup-deps installs it). Randomised FASTA layouts: the .fai we
// build must equal samtools' byte for byte, files samtools refuses we refuse too, and
// every fetched region must hold the bases samtools prints for it.
#include <gtest/gtest.h>

#include <sstream>

#include "epibook/fasta.h"
#include "epibook/random.h"
#include "support/test_support.h"

namespace epibook {
namespace {

bool samtools_present() { return testing::run_command("samtools --version").exit_code == 0; }

// A FASTA layout: how lines are cut and ended, and what sits between sequences.
struct Layout {
  uint64_t line_width = 60;
  bool crlf = false;
  bool final_newline = true;
  bool leading_blank_lines = false;
  bool trailing_blank_lines = false;
  bool empty_sequence_in_the_middle = false;
};

std::string random_bases(CounterRng& rng, uint64_t length) {
  static const char kLetters[] = "ACGTNacgtn";
  std::string bases(length, 'A');
  for (char& c : bases) c = kLetters[rng.next_below(10)];
  return bases;
}

std::string fasta_text(const Layout& layout, const std::vector<std::pair<std::string, std::string>>& sequences) {
  const std::string eol = layout.crlf ? "\r\n" : "\n";
  std::string out;
  if (layout.leading_blank_lines) out += eol + eol;
  for (size_t s = 0; s < sequences.size(); ++s) {
    if (layout.empty_sequence_in_the_middle && s == 1) out += ">gap no bases" + eol;
    out += ">" + sequences[s].first + " sequence " + std::to_string(s) + "\tdescription" + eol;
    const std::string& bases = sequences[s].second;
    for (uint64_t at = 0; at < bases.size(); at += layout.line_width) {
      out += bases.substr(at, layout.line_width) + eol;
    }
  }
  if (layout.trailing_blank_lines) out += eol + eol;
  if (!layout.final_newline) out.resize(out.size() - eol.size());
  return out;
}

std::string quoted(const std::string& path) {
  std::string out = "'";
  out += path;
  out += "'";
  return out;
}

TEST(FaiGolden, RandomLayouts_IndexEqualsSamtoolsFaidxByteForByte) {
  ASSERT_TRUE(samtools_present()) << "samtools not found: scripts/setup-deps installs it";
  const std::string dir = testing::scratch_dir("fai");
  CounterRng rng(20240601);
  for (int file = 0; file < 40; ++file) {
    Layout layout;
    const uint64_t widths[] = {1, 7, 50, 60, 61, 70, 80};
    layout.line_width = widths[rng.next_below(7)];
    layout.crlf = rng.next_below(3) == 0;
    layout.final_newline = rng.next_below(4) != 0;
    layout.leading_blank_lines = rng.next_below(4) == 0;
    layout.trailing_blank_lines = layout.final_newline && rng.next_below(4) == 0;
    layout.empty_sequence_in_the_middle = rng.next_below(4) == 0;
    std::vector<std::pair<std::string, std::string>> sequences;
    const uint64_t count = 1 + rng.next_below(4);
    for (uint64_t s = 0; s < count; ++s) {
      // Lengths on, just before and just after a line break, and random ones.
      uint64_t length = 1 + rng.next_below(400);
      if (rng.next_below(3) == 0) length = layout.line_width * (1 + rng.next_below(4)) + rng.next_below(3) - 1;
      if (length == 0) length = 1;
      sequences.emplace_back("chr" + std::to_string(s + 1), random_bases(rng, length));
    }
    const std::string path = dir + "/layout" + std::to_string(file) + ".fa";
    testing::write_file(path, fasta_text(layout, sequences));
    const auto samtools = testing::run_command("samtools faidx " + quoted(path));
    ASSERT_EQ(samtools.exit_code, 0) << path << ": " << samtools.output;
    auto ours = build_fai(path);
    ASSERT_TRUE(ours.is_ok()) << ours.status().message();
    EXPECT_EQ(format_fai(*ours), testing::read_file(path + ".fai")) << path;
  }
}

TEST(FaiGolden, FilesSamtoolsRefuses_WeRefuseToo) {
  ASSERT_TRUE(samtools_present()) << "samtools not found: scripts/setup-deps installs it";
  const std::string dir = testing::scratch_dir("fai");
  const std::vector<std::string> broken = {
      ">a\nACGTA\nACGTAC\nA\n",        // a longer line after the first
      ">a\nACGTA\nACG\nACGTA\n",       // more sequence after a short line
      ">a\nACGTA\n\nACGTA\n",          // a blank line inside
      "ACGT\n>a\nACGT\n",              // bases before the first header
      ">a\nACGT\r\nACGT\nAC\n",        // line endings change inside a sequence
  };
  for (size_t i = 0; i < broken.size(); ++i) {
    const std::string path = dir + "/broken" + std::to_string(i) + ".fa";
    testing::write_file(path, broken[i]);
    EXPECT_NE(testing::run_command("samtools faidx " + quoted(path)).exit_code, 0) << "samtools accepted " << path;
    EXPECT_FALSE(build_fai(path).is_ok()) << "we accepted " << path;
  }
}

// samtools faidx FILE REGION... prints ">REGION" then the bases in lines of 60.
std::vector<std::string> samtools_sequences(const std::string& output) {
  std::vector<std::string> sequences;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line[0] == '>') {
      sequences.emplace_back();
    } else if (!sequences.empty()) {
      sequences.back() += line;
    }
  }
  return sequences;
}

TEST(FastaGolden, RandomRegions_HoldTheBasesSamtoolsPrints) {
  ASSERT_TRUE(samtools_present()) << "samtools not found: scripts/setup-deps installs it";
  const std::string dir = testing::scratch_dir("fetch");
  CounterRng rng(77);
  for (bool crlf : {false, true}) {
    Layout layout;
    layout.line_width = 61;
    layout.crlf = crlf;
    std::vector<std::pair<std::string, std::string>> sequences = {{"chrA", random_bases(rng, 5000)},
                                                                   {"chrB", random_bases(rng, 1234)}};
    const std::string path = dir + (crlf ? "/crlf.fa" : "/lf.fa");
    testing::write_file(path, fasta_text(layout, sequences));
    auto reader = FastaReader::open(path);
    ASSERT_TRUE(reader.is_ok()) << reader.status().message();
    std::vector<Region> regions;
    std::string command = "samtools faidx " + quoted(path);
    for (int i = 0; i < 60; ++i) {
      const auto& [name, bases] = sequences[rng.next_below(2)];
      const uint64_t start = rng.next_below(bases.size());
      const uint64_t end = start + 1 + rng.next_below(std::min<uint64_t>(bases.size() - start, 300));
      regions.push_back({name, start, end});
      // samtools regions are 1-based and closed.
      command += " " + name + ":" + std::to_string(start + 1) + "-" + std::to_string(end);
    }
    const auto samtools = testing::run_command(command + " 2>/dev/null");
    ASSERT_EQ(samtools.exit_code, 0);
    const std::vector<std::string> expected = samtools_sequences(samtools.output);
    ASSERT_EQ(expected.size(), regions.size());
    for (size_t i = 0; i < regions.size(); ++i) {
      auto bases = reader->fetch(regions[i]);
      ASSERT_TRUE(bases.is_ok()) << bases.status().message();
      EXPECT_EQ(*bases, expected[i]) << format_region(regions[i]) << (crlf ? " (CRLF)" : "");
    }
  }
}

}  // namespace
}  // namespace epibook
