// The simulator's driver (see epibook/sim.h): plans the run, then streams each
// chromosome in 1 Mb chunks into the FASTA and every signal track at once, and
// finally writes peaks, truth and reads. Only the plan and one chunk are in memory.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "epibook/bigwig_writer.h"
#include "epibook/fasta.h"
#include "sim/count_noise.h"
#include "sim/output_file.h"
#include "sim/run_plan.h"

namespace epibook::sim {
namespace {

constexpr uint64_t kChunkBases = 1'000'000;
constexpr uint64_t kFastaLineBases = 60;
// Peaks are summed out to this many sd from their centre.
constexpr double kPeakReachSd = 5.0;

// ---------------------------------------------------------------------------------
// FASTA written in 60-base lines across chunk boundaries, with its .fai kept as it goes.
class FastaStream {
 public:
  explicit FastaStream(OutputFile file) : file_(std::move(file)) {}

  Status begin(const std::string& name, uint64_t length) {
    const std::string header = ">" + name + "\n";
    EPIBOOK_RETURN_IF_ERROR(file_.write(header));
    index_.entries.push_back({name, length, file_.bytes_written(), kFastaLineBases, kFastaLineBases + 1});
    column_ = 0;
    return Status::ok();
  }

  Status add(std::string_view bases) {
    std::string text;
    text.reserve(bases.size() + bases.size() / kFastaLineBases + 2);
    for (char base : bases) {
      text.push_back(base);
      if (++column_ == kFastaLineBases) {
        text.push_back('\n');
        column_ = 0;
      }
    }
    return file_.write(text);
  }

  Status end() {
    if (column_ == 0) return Status::ok();
    column_ = 0;
    return file_.write("\n");
  }

  Status commit(const std::string& fai_path) {
    EPIBOOK_RETURN_IF_ERROR(file_.commit());
    return write_fai(fai_path, index_);
  }

 private:
  OutputFile file_;
  FastaIndex index_;
  uint64_t column_ = 0;
};

// ---------------------------------------------------------------------------------
// One signal track being written: a cell type at a depth.
struct TrackSample {
  uint32_t cell = 0;
  double depth = 1;
  uint64_t noise_stream = 0;
  bool expected = false;  // writes the expected counts, no noise (SimOptions::write_expected)
  std::optional<BigWigWriter> writer;
};

// GC fraction of [from, to) of `bases`, whose first base is at `bases_start`, through
// a prefix count over the chunk's bases.
class GcWindows {
 public:
  GcWindows(std::string_view bases, uint64_t bases_start) : start_(bases_start), prefix_(bases.size() + 1, 0) {
    for (size_t i = 0; i < bases.size(); ++i) {
      prefix_[i + 1] = prefix_[i] + ((bases[i] == 'G' || bases[i] == 'C') ? 1 : 0);
    }
  }
  double fraction(uint64_t from, uint64_t to) const {
    from = std::clamp(from, start_, start_ + prefix_.size() - 1);
    to = std::clamp(to, from, start_ + prefix_.size() - 1);
    if (to == from) return 0.45;
    return static_cast<double>(prefix_[to - start_] - prefix_[from - start_]) / static_cast<double>(to - from);
  }

 private:
  uint64_t start_;
  std::vector<uint32_t> prefix_;
};

// The peak part of the expected counts (depth 1, no GC bias) in each bin of a chunk,
// for one cell type: each effect's Gaussian evaluated at the bin centres.
std::vector<double> peak_signal(const RunPlan& plan, uint32_t chrom, uint32_t cell, uint64_t chunk_start,
                                uint64_t bins) {
  const SimOptions& o = plan.options;
  std::vector<double> signal(bins, 0.0);
  const double reach = kPeakReachSd * o.peak_sd;
  const double chunk_end = static_cast<double>(chunk_start + bins * o.bin_size);
  for (const Effect& effect : plan.effects[chrom]) {
    if (effect.cell != cell) continue;
    const double center = static_cast<double>(plan.site_of(effect).center());
    if (center + reach < static_cast<double>(chunk_start) || center - reach > chunk_end) continue;
    const double first = std::max(0.0, std::floor((center - reach - static_cast<double>(chunk_start)) / o.bin_size));
    for (uint64_t bin = static_cast<uint64_t>(first); bin < bins; ++bin) {
      const double bin_center = static_cast<double>(chunk_start + bin * o.bin_size) + o.bin_size / 2.0;
      const double distance = bin_center - center;
      if (distance > reach) break;
      signal[bin] += effect.contribution * std::exp(-distance * distance / (2.0 * o.peak_sd * o.peak_sd));
    }
  }
  return signal;
}

// One chunk of one chromosome: its bases to the FASTA, its bins to every track.
Status write_chunk(const RunPlan& plan, uint32_t chrom, uint64_t chunk_start, uint64_t chunk_end,
                   FastaStream& fasta, std::vector<TrackSample>& samples) {
  const SimOptions& o = plan.options;
  const ChromLayout& layout = plan.layouts[chrom];
  const uint64_t margin = o.fragment_length / 2 + o.bin_size;
  const uint64_t with_margin_start = chunk_start > margin ? chunk_start - margin : 0;
  const std::string bases = chromosome_bases(o, layout, with_margin_start, chunk_end + margin);
  EPIBOOK_RETURN_IF_ERROR(fasta.add(std::string_view(bases).substr(chunk_start - with_margin_start,
                                                                   chunk_end - chunk_start)));
  const GcWindows gc(bases, with_margin_start);
  const uint64_t bins = (chunk_end - chunk_start + o.bin_size - 1) / o.bin_size;
  std::vector<double> gc_factor(bins);
  for (uint64_t bin = 0; bin < bins; ++bin) {
    const uint64_t center = chunk_start + bin * o.bin_size + o.bin_size / 2;
    const uint64_t half = o.fragment_length / 2;
    const double fraction = gc.fraction(center > half ? center - half : 0, center + half);
    gc_factor[bin] = o.gc_bias == 0 ? 1.0 : std::exp(o.gc_bias * 10.0 * (fraction - 0.45));
  }
  std::vector<std::vector<double>> peaks(o.cell_types);
  for (uint32_t cell = 0; cell < o.cell_types; ++cell) peaks[cell] = peak_signal(plan, chrom, cell, chunk_start, bins);

  const uint64_t first_bin = chunk_start / o.bin_size;
  std::vector<float> counts(bins);
  for (TrackSample& sample : samples) {
    for (uint64_t bin = 0; bin < bins; ++bin) {
      const double mean = sample.depth * gc_factor[bin] * (o.background + peaks[sample.cell][bin]);
      if (sample.expected) {
        counts[bin] = static_cast<float>(mean);
        continue;
      }
      CounterRng rng(o.seed, sample.noise_stream + (static_cast<uint64_t>(chrom) << 40) + first_bin + bin);
      counts[bin] = static_cast<float>(draw_negative_binomial(mean, o.dispersion, rng));
    }
    // Whole bins as fixedStep; a last bin cut short by the chromosome end as an interval.
    const bool ragged = chunk_end == layout.length && layout.length % o.bin_size != 0;
    const uint64_t whole = ragged ? bins - 1 : bins;
    if (whole > 0) {
      EPIBOOK_RETURN_IF_ERROR(sample.writer->add_fixed_step(layout.name, static_cast<uint32_t>(chunk_start), o.bin_size,
                                                            o.bin_size, std::span<const float>(counts.data(), whole)));
    }
    if (ragged) {
      const BigWigInterval last{static_cast<uint32_t>(chunk_start + whole * o.bin_size),
                                static_cast<uint32_t>(layout.length), counts[bins - 1]};
      EPIBOOK_RETURN_IF_ERROR(sample.writer->add_intervals(layout.name, std::span<const BigWigInterval>(&last, 1)));
    }
  }
  return Status::ok();
}

Status write_genome_and_tracks(const RunPlan& plan, const std::string& dir, const SimProgressHandler& progress) {
  const SimOptions& o = plan.options;
  std::vector<BigWigChrom> chroms;
  for (const ChromLayout& layout : plan.layouts) {
    chroms.push_back({layout.name, layout.index, static_cast<uint32_t>(layout.length)});
  }
  const std::vector<std::string> files = sim_track_files(o);
  std::vector<TrackSample> samples;
  for (uint32_t cell = 0; cell < o.cell_types; ++cell) {
    for (size_t d = 0; d < o.depths.size(); ++d) {
      // Replicates share the expected counts; the noise stream is keyed by the file name.
      for (uint32_t replicate = 0; replicate < o.replicates; ++replicate) {
        TrackSample sample;
        sample.cell = cell;
        sample.depth = o.depths[d];
        sample.noise_stream = stable_hash(files[samples.size()], o.seed);
        EPIBOOK_ASSIGN_OR_RETURN(BigWigWriter writer, BigWigWriter::create(dir + "/" + files[samples.size()], chroms));
        sample.writer.emplace(std::move(writer));
        samples.push_back(std::move(sample));
      }
    }
  }
  // The truth beside them: same cells, depths and bins, the expected counts themselves.
  const std::vector<std::string> expected_files = sim_expected_files(o);
  for (size_t e = 0; e < expected_files.size(); ++e) {
    TrackSample sample;
    sample.cell = static_cast<uint32_t>(e / o.depths.size());
    sample.depth = o.depths[e % o.depths.size()];
    sample.expected = true;
    EPIBOOK_ASSIGN_OR_RETURN(BigWigWriter writer, BigWigWriter::create(dir + "/" + expected_files[e], chroms));
    sample.writer.emplace(std::move(writer));
    samples.push_back(std::move(sample));
  }
  EPIBOOK_ASSIGN_OR_RETURN(OutputFile fasta_file, OutputFile::create(dir + "/genome.fa"));
  FastaStream fasta(std::move(fasta_file));
  uint64_t done = 0;
  for (const ChromLayout& layout : plan.layouts) {
    EPIBOOK_RETURN_IF_ERROR(fasta.begin(layout.name, layout.length));
    // Chunks hold whole bins, so only the chromosome's last bin can be short.
    const uint64_t chunk = (kChunkBases + o.bin_size - 1) / o.bin_size * o.bin_size;
    for (uint64_t start = 0; start < layout.length; start += chunk) {
      const uint64_t end = std::min(layout.length, start + chunk);
      EPIBOOK_RETURN_IF_ERROR(write_chunk(plan, layout.index, start, end, fasta, samples));
      done += end - start;
      if (progress) progress({"genome and tracks", done, plan.genome_bases});
    }
    EPIBOOK_RETURN_IF_ERROR(fasta.end());
  }
  EPIBOOK_RETURN_IF_ERROR(fasta.commit(dir + "/genome.fa.fai"));
  for (TrackSample& sample : samples) EPIBOOK_RETURN_IF_ERROR(sample.writer->finish());
  return Status::ok();
}

// Binding strength grows exponentially with the match, as affinity does with binding
// energy: the consensus gets peak_height, a site scoring 0.75 about a third of it.
double peak_height_for(const SimOptions& options, double score) {
  return options.peak_height * std::exp(4.0 * (score - 1.0));
}

}  // namespace

RunPlan plan_run(const SimOptions& options) {
  RunPlan plan;
  plan.options = options;
  plan.motifs = options.motifs.empty() ? default_motifs() : options.motifs;
  const uint32_t motif_count = static_cast<uint32_t>(plan.motifs.size());
  uint64_t next_site_id = 0;
  for (uint32_t index = 0; index < options.chromosome_lengths.size(); ++index) {
    ChromLayout layout = plan_chromosome(options, plan.motifs, index, next_site_id);
    next_site_id += layout.sites.size();
    plan.genome_bases += layout.length;
    std::vector<Effect> effects;
    for (size_t s = 0; s < layout.sites.size(); ++s) {
      const PlantedSite& site = layout.sites[s];
      for (uint32_t cell = 0; cell < options.cell_types; ++cell) {
        if (!is_motif_active(options, cell, site.motif, motif_count)) continue;
        if (!is_accessible(options, layout, cell, site.center())) continue;
        effects.push_back({index, s, cell, peak_height_for(options, site.score)});
      }
    }
    plan.layouts.push_back(std::move(layout));
    plan.effects.push_back(std::move(effects));
  }
  return plan;
}

Region peak_region(const RunPlan& plan, const Effect& effect) {
  const PlantedSite& site = plan.site_of(effect);
  const uint64_t reach = static_cast<uint64_t>(std::ceil(2.0 * plan.options.peak_sd));
  const uint64_t center = site.center();
  return {plan.layouts[effect.chrom].name, center > reach ? center - reach : 0,
          std::min(plan.layouts[effect.chrom].length, center + reach)};
}

std::vector<BedRecord> cell_type_peaks(const RunPlan& plan, uint32_t cell) {
  std::vector<BedRecord> peaks;
  for (const std::vector<Effect>& effects : plan.effects) {
    for (const Effect& effect : effects) {
      if (effect.cell != cell) continue;
      BedRecord record;
      record.region = peak_region(plan, effect);
      record.name = sim_cell_type_name(cell) + "_site" + std::to_string(plan.site_of(effect).id);
      record.score = std::min(1000.0, std::round(1000.0 * effect.contribution / std::max(plan.options.peak_height, 1e-9)));
      record.signal_value = effect.contribution;
      record.peak = static_cast<int64_t>(plan.site_of(effect).center() - record.region.start);
      peaks.push_back(std::move(record));
    }
  }
  return peaks;
}

std::string json_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

}  // namespace epibook::sim

namespace epibook {

Result<SimSummary> simulate(const SimOptions& options, const std::string& out_dir, const SimProgressHandler& progress) {
  EPIBOOK_RETURN_IF_ERROR(validate(options));
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) return io_error(out_dir + ": cannot create the output directory (" + error.message() + ")");

  const sim::RunPlan plan = sim::plan_run(options);
  SimSummary summary;
  summary.genome_bases = plan.genome_bases;
  for (const sim::ChromLayout& layout : plan.layouts) summary.motif_sites += layout.sites.size();
  for (const auto& effects : plan.effects) summary.peaks += effects.size();

  EPIBOOK_RETURN_IF_ERROR(sim::write_genome_and_tracks(plan, out_dir, progress));
  summary.files = {"genome.fa", "genome.fa.fai"};
  for (const std::string& file : sim_track_files(options)) summary.files.push_back(file);
  for (const std::string& file : sim_expected_files(options)) summary.files.push_back(file);
  for (uint32_t cell = 0; cell < options.cell_types; ++cell) {
    const std::string file = sim_cell_type_name(cell) + ".narrowPeak";
    EPIBOOK_RETURN_IF_ERROR(write_bed(out_dir + "/" + file, sim::cell_type_peaks(plan, cell), true));
    summary.files.push_back(file);
  }
  EPIBOOK_RETURN_IF_ERROR(sim::write_truth(plan, out_dir + "/truth.json"));
  summary.files.push_back("truth.json");
  if (options.fastq_reads > 0) {
    EPIBOOK_RETURN_IF_ERROR(sim::write_fastq_reads(plan, out_dir + "/reads.fastq.gz", progress));
    summary.files.push_back("reads.fastq.gz");
  }
  if (options.chip_reads > 0) {
    std::filesystem::create_directories(out_dir + "/chipseq", error);
    if (error) return io_error(out_dir + "/chipseq: cannot create the directory (" + error.message() + ")");
    EPIBOOK_RETURN_IF_ERROR(sim::write_chipseq_reads(plan, out_dir + "/chipseq"));
    for (const char* file : {"chipseq/treat.bed", "chipseq/control.bed", "chipseq/truth_peaks.bed"}) {
      summary.files.push_back(file);
    }
  }
  return summary;
}

}  // namespace epibook
