// `epibook bw info | values | stats | correlate`: a bigWig's header, its per-base (or
// binned) values over regions as TSV or a NumPy array, pyBigWig-compatible summary
// statistics, and the correlation of two tracks as the bin grows (resolution.h).
// The core (epibook/bigwig.h) reads; this file parses arguments, bins and prints.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_common.h"
#include "commands.h"
#include "epibook/bigwig.h"
#include "epibook/npy.h"
#include "epibook/resolution.h"

namespace epibook::cli {
namespace {

// Shortest text that reads back as the same float; "nan" for missing data (pandas and
// numpy read it as NaN).
void append_number(std::string& out, double value, bool single_precision) {
  if (std::isnan(value)) {
    out += "nan";
    return;
  }
  char buffer[64];
  auto result = single_precision ? std::to_chars(buffer, buffer + sizeof buffer, static_cast<float>(value))
                                 : std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

nlohmann::ordered_json json_number(double value) {
  if (std::isnan(value) || std::isinf(value)) return nullptr;
  return value;
}

void write_text(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return;
  }
  check(write_file_atomically(path, text));
}

// ---------------------------------------------------------------------------------
// bw info

struct InfoArguments {
  std::string file;
};

void run_info(const InfoArguments& a) {
  const BigWigReader reader = value_or_fail(BigWigReader::open(a.file));
  const BigWigHeader& header = reader.header();
  nlohmann::ordered_json zooms = nlohmann::ordered_json::array();
  for (size_t i = 0; i < reader.zoom_levels().size(); ++i) {
    zooms.push_back({{"level", i}, {"reduction_level", reader.zoom_levels()[i].reduction_level}});
  }
  nlohmann::ordered_json chroms = nlohmann::ordered_json::array();
  for (const BigWigChrom& chrom : reader.chroms()) chroms.push_back({{"name", chrom.name}, {"length", chrom.length}});

  const BigWigSummary& s = header.summary;
  const double n = static_cast<double>(s.bases_covered);
  const double mean = n > 0 ? s.sum / n : NAN;
  // Sample standard deviation over bases, as UCSC's bigWigInfo reports it.
  const double std_dev = n > 1 ? std::sqrt(std::max(0.0, (s.sum_squares - s.sum * s.sum / n) / (n - 1))) : NAN;
  const nlohmann::ordered_json out = {
      {"file", a.file},
      {"version", header.version},
      {"compressed", header.uncompress_buf_size != 0},
      {"zoom_levels", zooms},
      {"chromosomes", chroms},
      {"summary",
       {{"bases_covered", s.bases_covered},
        {"mean", json_number(mean)},
        {"min", n > 0 ? json_number(s.min) : nullptr},
        {"max", n > 0 ? json_number(s.max) : nullptr},
        {"std", json_number(std_dev)},
        {"sum", s.sum}}}};
  std::cout << out.dump(2) << "\n";
}

// ---------------------------------------------------------------------------------
// bw values

struct ValuesArguments {
  std::string file;
  std::vector<std::string> regions;
  uint64_t bin = 1;
  std::string format = "tsv";
  std::string output;
};

// How many values one read holds at most (4 MB of floats, and their text): regions are
// read in pieces of at most this many bases, several short regions per read (at most
// kPiecesPerRead), so a whole-genome BED or a whole chromosome runs in bounded memory.
constexpr uint64_t kValuesPerRead = uint64_t{1} << 20;
constexpr size_t kPiecesPerRead = size_t{1} << 16;

// Means of the non-NaN values in consecutive `bin`-base bins of one region, fed in
// pieces; the last bin may be shorter and averages the bases it has; NaN where a bin
// has no data. Sums in base order, so the bits do not depend on how the region is cut.
class BinMeans {
 public:
  BinMeans(const Region& region, uint64_t bin) : region_(region), bin_(bin), bin_start_(region.start) {}

  // Adds the values of the next bases of the region; calls emit(start, end, mean) for each bin completed.
  template <typename Emit>
  void add(std::span<const float> values, Emit&& emit) {
    for (const float value : values) {
      if (!std::isnan(value)) {
        sum_ += value;
        ++count_;
      }
      if (++filled_ == bin_) flush(emit);
    }
    if (bin_start_ + filled_ == region_.end && filled_ > 0) flush(emit);
  }

 private:
  template <typename Emit>
  void flush(Emit& emit) {
    const float mean = count_ > 0 ? static_cast<float>(sum_ / static_cast<double>(count_))
                                  : std::numeric_limits<float>::quiet_NaN();
    emit(bin_start_, bin_start_ + filled_, mean);
    bin_start_ += filled_;
    filled_ = 0;
    sum_ = 0;
    count_ = 0;
  }

  const Region& region_;
  uint64_t bin_;
  uint64_t bin_start_;
  uint64_t filled_ = 0;
  double sum_ = 0;
  uint64_t count_ = 0;
};

// A stretch of one region read in one go.
struct RegionPiece {
  size_t region_index;
  Region piece;
};

// Every region checked against the file before anything is written: a region on a
// chromosome the file lacks, or past its end, is reported with the BED line it came from.
void check_regions(const BigWigReader& reader, const std::vector<RegionArgument>& regions) {
  for (const RegionArgument& argument : regions) {
    const Status status = reader.check_region(argument.region);
    if (!status.is_ok()) fail(argument.source.empty() ? status : status.with_context(argument.source));
  }
}

void run_values(const ValuesArguments& a) {
  if (a.format != "tsv" && a.format != "npy") fail(invalid_argument("--format '" + a.format + "': expected tsv or npy"));
  if (a.bin == 0) fail(invalid_argument("--bin 0: a bin holds at least one base"));
  if (a.format == "npy" && (a.output.empty() || a.output == "-")) {
    fail(invalid_argument("--format npy writes a binary file: give it a name with -o OUT.npy"));
  }
  const BigWigReader reader = value_or_fail(BigWigReader::open(a.file));
  const std::vector<RegionArgument> regions = value_or_fail(read_region_arguments_with_sources(a.regions));
  if (regions.empty()) fail(invalid_argument("no regions given"));
  check_regions(reader, regions);
  const Region& first = regions.front().region;
  const bool npy = a.format == "npy";
  if (npy) {
    for (const RegionArgument& argument : regions) {
      const Region& region = argument.region;
      if (region.length() != first.length()) {
        fail(invalid_argument("--format npy needs regions of one length, but " + format_region(first) + " has " +
                              with_thousands(first.length()) + " bp and " + format_region(region) + " has " +
                              with_thousands(region.length()) + " bp (use --format tsv)"));
      }
    }
  }

  StreamedOutput output;
  check(output.open(a.output));
  if (npy) {
    const uint64_t shape[2] = {regions.size(), (first.length() + a.bin - 1) / a.bin};
    check(output.write(npy_header(NpyDtype::kFloat32, shape)));
  }
  std::string pending;  // text or float bytes not yet written
  auto emit = [&](const Region& region, uint64_t start, uint64_t end, float mean) {
    if (npy) {
      pending.append(reinterpret_cast<const char*>(&mean), sizeof mean);
      return;
    }
    pending += region.chrom;
    pending += '\t';
    pending += std::to_string(start);
    pending += '\t';
    pending += std::to_string(end);
    pending += '\t';
    append_number(pending, mean, true);
    pending += '\n';
  };

  // Regions in order, cut into pieces, gathered into reads of at most kValuesPerRead values.
  std::vector<RegionPiece> pieces;
  std::vector<Region> piece_regions;
  std::vector<float> values;
  std::optional<BinMeans> bins;
  size_t bins_of = regions.size();
  auto read_pieces = [&] {
    if (pieces.empty()) return;
    uint64_t total = 0;
    piece_regions.clear();
    for (const RegionPiece& p : pieces) {
      piece_regions.push_back(p.piece);
      total += p.piece.length();
    }
    values.resize(total);
    check(reader.values_batch(piece_regions, values));
    size_t offset = 0;
    for (const RegionPiece& p : pieces) {
      const Region& region = regions[p.region_index].region;
      if (bins_of != p.region_index) {
        bins.emplace(region, a.bin);
        bins_of = p.region_index;
      }
      bins->add(std::span<const float>(values.data() + offset, p.piece.length()),
                [&](uint64_t start, uint64_t end, float mean) { emit(region, start, end, mean); });
      offset += p.piece.length();
    }
    pieces.clear();
    check(output.write(pending));
    pending.clear();
  };
  uint64_t gathered = 0;
  for (size_t i = 0; i < regions.size(); ++i) {
    const Region& region = regions[i].region;
    for (uint64_t start = region.start; start < region.end;) {
      const uint64_t room = kValuesPerRead - gathered;
      const uint64_t end = std::min(region.end, start + room);
      pieces.push_back({i, Region{region.chrom, start, end}});
      gathered += end - start;
      start = end;
      if (gathered == kValuesPerRead || pieces.size() == kPiecesPerRead) {
        read_pieces();
        gathered = 0;
      }
    }
  }
  read_pieces();
  check(output.finish());
}

// ---------------------------------------------------------------------------------
// bw stats

struct StatsArguments {
  std::string file;
  std::vector<std::string> regions;
  std::string type = "mean";
  bool exact = false;
  uint32_t bins = 1;
};

void run_stats(const StatsArguments& a) {
  const SummaryStat stat = value_or_fail(parse_summary_stat(a.type));
  const BigWigReader reader = value_or_fail(BigWigReader::open(a.file));
  const std::vector<RegionArgument> regions = value_or_fail(read_region_arguments_with_sources(a.regions));
  if (regions.empty()) fail(invalid_argument("no regions given"));
  check_regions(reader, regions);
  std::string text;
  for (const RegionArgument& argument : regions) {
    const Region& region = argument.region;
    const std::vector<double> answers = value_or_fail(reader.stats(region, stat, a.bins, a.exact));
    uint64_t start = region.start;
    for (uint32_t i = 0; i < a.bins; ++i) {
      // The bin edges pyBigWig uses: truncated fractions of the region.
      const uint64_t end = static_cast<uint64_t>(
          static_cast<double>(region.start) + static_cast<double>(region.length()) * (i + 1) / a.bins);
      text += region.chrom + '\t' + std::to_string(start) + '\t' + std::to_string(end) + '\t';
      append_number(text, answers[i], false);
      text += '\n';
      start = end;
    }
  }
  write_text("", text);
}

// ---------------------------------------------------------------------------------
// bw correlate

struct CorrelateArguments {
  std::string first, second;
  std::string region;
  std::vector<uint32_t> bins = {1, 2, 4, 8, 16, 32, 64, 128};
};

void run_correlate(const CorrelateArguments& a) {
  const BigWigReader first = value_or_fail(BigWigReader::open(a.first));
  const BigWigReader second = value_or_fail(BigWigReader::open(a.second));
  const Region region = value_or_fail(parse_region(a.region));
  if (region.end <= region.start) fail(invalid_argument(a.region + ": an empty region"));
  const std::vector<float> x = value_or_fail(first.values(region));
  const std::vector<float> y = value_or_fail(second.values(region));
  const std::vector<BinScore> scores = value_or_fail(pearson_by_bin(x, y, a.bins));
  const std::vector<BinScore> kept = value_or_fail(shape_kept_by_bin(x, a.bins));
  std::string text = "bin\tbins\tpearson\tshape_kept\n";
  for (size_t i = 0; i < scores.size(); ++i) {
    char line[96];
    std::snprintf(line, sizeof line, "%u\t%llu\t%.4f\t%.4f\n", scores[i].bin,
                  static_cast<unsigned long long>(scores[i].bins), scores[i].pearson, kept[i].pearson);
    text += line;
  }
  write_text("", text);
}

}  // namespace

void add_bw_read_commands(CLI::App& bw) {
  const std::string region_help =
      "Regions: chr:start-end (0-based, half-open, ',' allowed in numbers) or BED files whose rows are regions";

  auto info = std::make_shared<InfoArguments>();
  CLI::App* info_command = bw.add_subcommand(
      "info",
      "Print a bigWig's header as JSON: version, whether blocks are compressed, zoom levels\n"
      "with their reduction levels (bases per zoom record), chromosomes with lengths, and the\n"
      "file-wide summary (bases covered, mean, min, max, sample standard deviation, sum).");
  info_command->add_option("FILE", info->file, "bigWig file")->required();
  info_command->callback([info] { run_info(*info); });

  auto values = std::make_shared<ValuesArguments>();
  CLI::App* values_command = bw.add_subcommand(
      "values",
      "Print the values of a bigWig over regions, base by base or in bins.\n"
      "tsv (default): one row per base or bin: chrom, start, end, value (no header line;\n"
      "  'nan' where the file has no data).\n"
      "npy: a float32 array [regions, bins per region] written to -o; the regions must\n"
      "  then share one length.\n"
      "--bin N: the mean of the bases with data in each N-bp bin from the region start\n"
      "  (NaN if none has data); a last, shorter bin averages the bases it has.");
  values_command->add_option("FILE", values->file, "bigWig file")->required();
  values_command->add_option("REGION", values->regions, region_help)->required();
  values_command->add_option("--bin", values->bin, "Bases per bin")->capture_default_str();
  values_command->add_option("--format", values->format, "tsv or npy")->capture_default_str();
  values_command->add_option("-o,--output", values->output, "Output file (tsv: default standard output)");
  values_command->callback([values] { run_values(*values); });

  auto stats = std::make_shared<StatsArguments>();
  CLI::App* stats_command = bw.add_subcommand(
      "stats",
      "Print a summary statistic of a bigWig over regions, as pyBigWig's stats() computes it:\n"
      "one row per bin: chrom, bin start, bin end, value ('nan' for a bin without data).\n"
      "Without --exact the answer comes from the zoom level whose records are at most half a\n"
      "bin long (fast, approximate at bin edges), and from the raw data when none is that\n"
      "short. Zoom 'sum' is pyBigWig's: only records wholly inside a bin count, each as its\n"
      "mean; use --exact for true sums. std is the sample standard deviation over bases.\n"
      "coverage is the fraction of the bin's bases that have data.");
  stats_command->add_option("FILE", stats->file, "bigWig file")->required();
  stats_command->add_option("REGION", stats->regions, region_help)->required();
  stats_command->add_option("--type", stats->type, "mean, min, max, sum, std or coverage")->capture_default_str();
  stats_command->add_flag("--exact", stats->exact, "Compute from the raw data, not from zoom levels");
  stats_command->add_option("--bins", stats->bins, "Split each region into this many bins")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1u << 20));
  stats_command->callback([stats] { run_stats(*stats); });

  auto correlate = std::make_shared<CorrelateArguments>();
  CLI::App* correlate_command = bw.add_subcommand(
      "correlate",
      "Pearson's r between two bigWigs over one region as the bin grows: for each bin size,\n"
      "the mean of each whole bin of each track (bases without data left out, a bin without\n"
      "data on either side skipped), then r over the bins. One row per bin size: bin, bins\n"
      "scored, pearson, and shape_kept: r between the first track and its own bin means\n"
      "spread back over their bases (how much of its shape survives the averaging).");
  correlate_command->add_option("FIRST", correlate->first, "bigWig file")->required();
  correlate_command->add_option("SECOND", correlate->second, "bigWig file")->required();
  correlate_command->add_option("REGION", correlate->region, "chr:start-end (0-based, half-open)")->required();
  correlate_command->add_option("--bins", correlate->bins, "Bin sizes in bp, comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  correlate_command->callback([correlate] { run_correlate(*correlate); });
}

}  // namespace epibook::cli
