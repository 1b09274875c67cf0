// `epibook bw write`: a bedGraph or wig file to a bigWig, as UCSC's bedGraphToBigWig /
// wigToBigWig do. The core (epibook/signal_text.h, epibook/bigwig_writer.h) parses,
// checks and writes; this file reads the arguments and reports progress on stderr.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cli_common.h"
#include "commands.h"
#include "epibook/bigwig_writer.h"
#include "epibook/signal_text.h"

namespace epibook::cli {
namespace {

// Inputs at least this large get a line per chromosome on stderr.
constexpr uintmax_t kProgressBytes = uintmax_t{16} << 20;

struct WriteArguments {
  std::string input;
  std::string chrom_sizes;
  std::string output;
  std::string format;
  BigWigWriteOptions options;
  bool no_compress = false;
  bool quiet = false;
  bool progress = false;
};

void run_write(const WriteArguments& a) {
  const SignalTextFormat format = value_or_fail(a.format.empty() ? signal_text_format_from_path(a.input)
                                                                 : parse_signal_text_format(a.format));
  const std::vector<BigWigChrom> chroms = value_or_fail(read_chrom_sizes(a.chrom_sizes));
  BigWigWriteOptions options = a.options;
  options.compress = !a.no_compress;
  check(validate(options));

  std::error_code error;
  const uintmax_t input_bytes = std::filesystem::file_size(a.input, error);
  const bool report = !a.quiet && (a.progress || (!error && input_bytes >= kProgressBytes));
  ChromProgressHandler on_chrom;
  if (report) {
    on_chrom = [](std::string_view chrom, uint64_t items_so_far) {
      std::cerr << "epibook bw write: " << chrom << " (" << with_thousands(items_so_far) << " items so far)\n";
    };
  }
  check(convert_to_bigwig(a.input, format, chroms, a.output, options, on_chrom));
  if (report) std::cerr << "epibook bw write: wrote " << a.output << "\n";
}

}  // namespace

void add_bw_write_command(CLI::App& bw) {
  auto write = std::make_shared<WriteArguments>();
  CLI::App* command = bw.add_subcommand(
      "write",
      "Write a bigWig from a bedGraph or wig file (like UCSC's bedGraphToBigWig and\n"
      "wigToBigWig). bedGraph lines become bedGraph sections, fixedStep and variableStep\n"
      "blocks keep their section types. Items must be sorted by start within a chromosome,\n"
      "must not overlap, and each chromosome's lines must be together (sort -k1,1 -k2,2n);\n"
      "every chromosome must be in the sizes file and every item within its length.\n"
      "Zoom levels (summaries for wide views) start at 16x the mean item span and grow 4x.\n"
      "The output appears only when complete: a failed run leaves nothing behind.");
  command->add_option("INPUT", write->input, "bedGraph (.bedGraph, .bg) or wig (.wig) file")->required();
  command->add_option("--chrom-sizes", write->chrom_sizes, "Chromosome sizes: name<TAB>length per line")->required();
  command->add_option("-o,--output", write->output, "The bigWig to write")->required();
  command->add_option("--format", write->format, "bedgraph or wig (default: from INPUT's extension)");
  command->add_option("--zoom-levels", write->options.max_zoom_levels, "Most zoom levels to write (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0u, 32u));
  command->add_option("--items-per-slot", write->options.items_per_slot,
                      "Items per data section and zoom records per zoom block")
      ->capture_default_str()
      ->check(CLI::Range(1u, 65535u));
  command->add_option("--block-size", write->options.block_size, "Children per index node")
      ->capture_default_str()
      ->check(CLI::Range(2u, 65535u));
  command->add_flag("--no-compress", write->no_compress, "Store data and zoom blocks uncompressed");
  command->add_flag("--progress", write->progress, "Report each chromosome on stderr (default: for inputs of 16 MiB or more)");
  command->add_flag("-q,--quiet", write->quiet, "No progress on stderr");
  command->callback([write] { run_write(*write); });
}

}  // namespace epibook::cli
