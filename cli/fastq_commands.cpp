// `epibook fastq head`: the first reads of a FASTQ(.gz) file with their Phred scores
// decoded, as chapter 1 shows them, and the quality at each read position over those
// reads. The core (epibook/fastq.h) reads and validates; this file only prints.
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_common.h"
#include "commands.h"
#include "epibook/fastq.h"
#include "epibook/phred_offset.h"

namespace epibook::cli {
namespace {

struct FastqHeadArguments {
  std::string file;
  uint64_t count = 10;
  std::string format = "text";
  std::string phred = "auto";
};

std::string fixed(double value, int decimals) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// 27 -> "27", 18.75 -> "18.75": quartiles are whole scores or halfway between two.
std::string shortest(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

std::string score_list(const std::vector<uint8_t>& scores, const char* separator) {
  std::string out;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (i > 0) out += separator;
    out += std::to_string(scores[i]);
  }
  return out;
}

template <typename Field>
std::string position_list(const QualitySummary& summary, Field field) {
  std::string out = "[";
  for (size_t i = 0; i < summary.positions.size(); ++i) {
    if (i > 0) out += ", ";
    out += field(summary.positions[i]);
  }
  return out + "]";
}

void print_text_record(const FastqRecord& record) {
  std::cout << "ID: " << record.name << "\n"
            << "Sequence: " << record.sequence << "\n"
            << "Quality Scores: [" << score_list(record.quality, ", ") << "]\n\n";
}

void print_text_summary(const QualitySummary& summary) {
  std::cout << "Per-position quality over " << summary.records << (summary.records == 1 ? " record" : " records")
            << " (" << summary.positions.size() << " positions, first base first):\n"
            << "  mean:   " << position_list(summary, [](const PositionQuality& p) { return fixed(p.mean, 1); }) << "\n"
            << "  Q1:     " << position_list(summary, [](const PositionQuality& p) { return shortest(p.q1); }) << "\n"
            << "  median: " << position_list(summary, [](const PositionQuality& p) { return shortest(p.median); })
            << "\n"
            << "  Q3:     " << position_list(summary, [](const PositionQuality& p) { return shortest(p.q3); }) << "\n";
}

void print_tsv_record(uint64_t number, const FastqRecord& record) {
  if (number == 1) std::cout << "record\tname\tsequence\tquality_scores\n";
  std::cout << number << '\t' << record.name << '\t' << record.sequence << '\t' << score_list(record.quality, ",")
            << '\n';
}

// After the records, as '#' lines that table readers can skip (pandas: comment='#').
void print_tsv_summary(const QualitySummary& summary) {
  std::cout << "# per-position quality over " << summary.records << " records\n"
            << "# position\treads\tmean\tq1\tmedian\tq3\tmin\tmax\n";
  for (size_t i = 0; i < summary.positions.size(); ++i) {
    const PositionQuality& p = summary.positions[i];
    std::cout << "# " << i + 1 << '\t' << p.reads << '\t' << fixed(p.mean, 3) << '\t' << shortest(p.q1) << '\t'
              << shortest(p.median) << '\t' << shortest(p.q3) << '\t' << p.min << '\t' << p.max << '\n';
  }
}

nlohmann::ordered_json record_json(const FastqRecord& record, int offset) {
  std::string quality;
  for (uint8_t score : record.quality) quality.push_back(static_cast<char>(score + offset));
  return {{"name", record.name},
          {"id", fastq_read_id(record)},
          {"sequence", record.sequence},
          {"quality", quality},
          {"quality_scores", record.quality}};
}

nlohmann::ordered_json summary_json(const QualitySummary& summary) {
  nlohmann::ordered_json positions = nlohmann::ordered_json::array();
  for (size_t i = 0; i < summary.positions.size(); ++i) {
    const PositionQuality& p = summary.positions[i];
    positions.push_back({{"position", i + 1},
                         {"reads", p.reads},
                         {"mean", p.mean},
                         {"q1", p.q1},
                         {"median", p.median},
                         {"q3", p.q3},
                         {"min", p.min},
                         {"max", p.max}});
  }
  return {{"records", summary.records}, {"positions", positions}};
}

void run_fastq_head(const FastqHeadArguments& a) {
  if (a.format != "text" && a.format != "json" && a.format != "tsv") {
    fail(invalid_argument("--format '" + a.format + "': expected text, json or tsv"));
  }
  if (a.count == 0) fail(invalid_argument("-n 0: ask for at least one record"));
  if (a.phred != "auto" && a.phred != "33" && a.phred != "64") {
    fail(invalid_argument("--phred '" + a.phred + "': expected auto, 33 or 64"));
  }
  FastqReader reader = value_or_fail(FastqReader::open(a.file));
  std::vector<FastqRecord> read;
  FastqRecord record;
  while (read.size() < a.count && value_or_fail(reader.next(record))) read.push_back(record);
  // Old Illumina files (before pipeline 1.8) wrote Phred+64; the offset is decided
  // from the records shown, as a reader looking at them would.
  const int offset = a.phred == "auto" ? detect_phred_offset(read) : std::stoi(a.phred);
  apply_phred_offset(read, offset);
  if (a.format == "text" && offset != 33) std::cout << "(qualities read as Phred+" << offset << ")\n\n";
  QualitySummaryBuilder summary;
  nlohmann::ordered_json records = nlohmann::ordered_json::array();
  for (size_t i = 0; i < read.size(); ++i) {
    summary.add(read[i].quality);
    if (a.format == "text") print_text_record(read[i]);
    if (a.format == "tsv") print_tsv_record(i + 1, read[i]);
    if (a.format == "json") records.push_back(record_json(read[i], offset));
  }
  if (a.format == "text") print_text_summary(summary.summary());
  if (a.format == "tsv") print_tsv_summary(summary.summary());
  if (a.format == "json") {
    const nlohmann::ordered_json out = {
        {"file", a.file}, {"records", records}, {"quality_by_position", summary_json(summary.summary())}};
    std::cout << out.dump(2) << "\n";
  }
}

}  // namespace

void add_fastq_commands(CLI::App& app) {
  CLI::App* fastq = app.add_subcommand("fastq", "Look at sequencing reads (FASTQ, plain or gzip)");
  fastq->require_subcommand(1);

  auto arguments = std::make_shared<FastqHeadArguments>();
  CLI::App* head = fastq->add_subcommand(
      "head",
      "Print the first reads of a FASTQ file with their quality characters decoded to Phred\n"
      "scores (Q = ASCII code - 33; Q20 = 1% chance the base is wrong, Q30 = 0.1%), then the\n"
      "mean and quartiles of the scores at each read position over those reads.\n"
      "Gzip is recognised by the file's bytes, whatever its name.");
  head->add_option("FILE", arguments->file, "FASTQ file (.fq, .fastq, .fq.gz, ...)")->required();
  head->add_option("-n,--records", arguments->count, "How many records to print")->capture_default_str();
  head->add_option("--format", arguments->format, "text, json or tsv")->capture_default_str();
  head->add_option("--phred", arguments->phred,
                   "Quality offset: 33 (Illumina 1.8+), 64 (older Illumina) or auto (decided from the records)")
      ->capture_default_str();
  head->callback([arguments] { run_fastq_head(*arguments); });
}

}  // namespace epibook::cli
