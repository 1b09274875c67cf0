// truth.json: the answer key of a simulation. It lists the options, the chromosomes,
// the GC segments and CpG islands, each cell type's active motifs and open domains,
// the track files, every planted motif (chrom, start, end, strand, motif, score) and
// every effect (cell type, peak, contribution), so chapters can score a model or a
// motif finder against what was really planted. Streamed: a 200 Mb run has ~60k sites.
#include <algorithm>

#include "sim/output_file.h"
#include "sim/run_plan.h"

namespace epibook::sim {
namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string options_json(const RunPlan& plan) {
  const SimOptions& o = plan.options;
  std::string lengths, depths;
  for (uint64_t length : o.chromosome_lengths) lengths += (lengths.empty() ? "" : ", ") + std::to_string(length);
  for (double depth : o.depths) depths += (depths.empty() ? "" : ", ") + json_number(depth);
  return "{\"seed\": " + std::to_string(o.seed) + ", \"chromosome_lengths\": [" + lengths +
         "], \"isochore_mean_length\": " + std::to_string(o.isochore_mean_length) +
         ", \"gc_low\": " + json_number(o.gc_low) + ", \"gc_high\": " + json_number(o.gc_high) +
         ", \"cpg_islands_per_mb\": " + json_number(o.cpg_islands_per_mb) +
         ", \"cpg_island_length\": " + std::to_string(o.cpg_island_length) +
         ", \"cpg_island_gc\": " + json_number(o.cpg_island_gc) + ", \"cpg_decay\": " + json_number(o.cpg_decay) +
         ", \"motif_sites_per_mb\": " + json_number(o.motif_sites_per_mb) +
         ", \"cell_types\": " + std::to_string(o.cell_types) +
         ", \"motif_active_fraction\": " + json_number(o.motif_active_fraction) +
         ", \"accessible_domain_length\": " + std::to_string(o.accessible_domain_length) +
         ", \"accessible_fraction\": " + json_number(o.accessible_fraction) +
         ", \"accessible_gc_slope\": " + json_number(o.accessible_gc_slope) +
         ", \"bin_size\": " + std::to_string(o.bin_size) + ", \"background\": " + json_number(o.background) +
         ", \"peak_height\": " + json_number(o.peak_height) + ", \"peak_sd\": " + json_number(o.peak_sd) +
         ", \"dispersion\": " + json_number(o.dispersion) + ", \"gc_bias\": " + json_number(o.gc_bias) +
         ", \"fragment_length\": " + std::to_string(o.fragment_length) + ", \"depths\": [" + depths +
         "], \"fastq_reads\": " + std::to_string(o.fastq_reads) +
         ", \"fastq_read_length\": " + std::to_string(o.fastq_read_length) +
         ", \"chip_reads\": " + std::to_string(o.chip_reads) + ", \"control_reads\": " + std::to_string(o.control_reads) +
         ", \"chip_read_length\": " + std::to_string(o.chip_read_length) +
         ", \"chip_fraction_in_peaks\": " + json_number(o.chip_fraction_in_peaks) +
         ", \"chip_sticky_per_mb\": " + json_number(o.chip_sticky_per_mb) +
         ", \"chip_sticky_length\": " + std::to_string(o.chip_sticky_length) +
         ", \"chip_sticky_enrichment\": " + json_number(o.chip_sticky_enrichment) + "}";
}

// Writes `items` as the elements of a JSON array, one per line.
class JsonArray {
 public:
  JsonArray(OutputFile& file, const std::string& key) : file_(file) { status_ = file_.write("  " + quoted(key) + ": [\n"); }
  void add(const std::string& element) {
    if (!status_.is_ok()) return;
    status_ = file_.write((first_ ? "    " : ",\n    ") + element);
    first_ = false;
  }
  Status close(bool last_key) {
    if (status_.is_ok()) status_ = file_.write(std::string(first_ ? "" : "\n") + "  ]" + (last_key ? "\n" : ",\n"));
    return status_;
  }

 private:
  OutputFile& file_;
  Status status_;
  bool first_ = true;
};

std::string span_json(const std::string& chrom, uint64_t start, uint64_t end) {
  return "{\"chrom\": " + quoted(chrom) + ", \"start\": " + std::to_string(start) + ", \"end\": " + std::to_string(end);
}

// Open domains of a cell type, merged into runs.
void add_open_domains(const RunPlan& plan, uint32_t cell, std::string& out) {
  const uint64_t size = plan.options.accessible_domain_length;
  bool first = true;
  for (const ChromLayout& layout : plan.layouts) {
    uint64_t run_start = 0;
    bool open_run = false;
    for (uint64_t start = 0; start < layout.length; start += size) {
      const bool open = is_accessible(plan.options, layout, cell, start);
      if (open && !open_run) run_start = start;
      if (!open && open_run) {
        out += std::string(first ? "" : ", ") + "[" + quoted(layout.name) + ", " + std::to_string(run_start) + ", " +
               std::to_string(start) + "]";
        first = false;
      }
      open_run = open;
    }
    if (open_run) {
      out += std::string(first ? "" : ", ") + "[" + quoted(layout.name) + ", " + std::to_string(run_start) + ", " +
             std::to_string(layout.length) + "]";
      first = false;
    }
  }
}

std::string cell_type_json(const RunPlan& plan, uint32_t cell, const std::vector<std::string>& files) {
  std::string motifs;
  for (uint32_t m = 0; m < plan.motifs.size(); ++m) {
    if (!is_motif_active(plan.options, cell, m, static_cast<uint32_t>(plan.motifs.size()))) continue;
    motifs += (motifs.empty() ? "" : ", ") + quoted(plan.motifs[m].name);
  }
  std::string tracks;
  for (size_t d = 0; d < plan.options.depths.size(); ++d) {
    tracks += std::string(d == 0 ? "" : ", ") + "{\"file\": " + quoted(files[cell * plan.options.depths.size() + d]) +
              ", \"depth\": " + json_number(plan.options.depths[d]) + "}";
  }
  std::string open;
  add_open_domains(plan, cell, open);
  return "{\"name\": " + quoted(sim_cell_type_name(cell)) + ", \"active_motifs\": [" + motifs + "], \"tracks\": [" +
         tracks + "], \"peaks_file\": " + quoted(sim_cell_type_name(cell) + ".narrowPeak") +
         ", \"open_domains\": [" + open + "]}";
}

}  // namespace

Status write_truth(const RunPlan& plan, const std::string& path) {
  EPIBOOK_ASSIGN_OR_RETURN(OutputFile file, OutputFile::create(path));
  EPIBOOK_RETURN_IF_ERROR(file.write("{\n  \"generator\": \"epibook simulate\",\n  \"coordinates\": \"0-based, half-open\",\n"));
  EPIBOOK_RETURN_IF_ERROR(file.write("  \"options\": " + options_json(plan) + ",\n"));

  JsonArray chroms(file, "chromosomes");
  for (const ChromLayout& layout : plan.layouts) {
    chroms.add("{\"name\": " + quoted(layout.name) + ", \"length\": " + std::to_string(layout.length) + "}");
  }
  EPIBOOK_RETURN_IF_ERROR(chroms.close(false));

  JsonArray motifs(file, "motifs");
  for (const Pwm& pwm : plan.motifs) {
    motifs.add("{\"name\": " + quoted(pwm.name) + ", \"length\": " + std::to_string(pwm.length()) + "}");
  }
  EPIBOOK_RETURN_IF_ERROR(motifs.close(false));

  const std::vector<std::string> files = sim_track_files(plan.options);
  JsonArray cells(file, "cell_types");
  for (uint32_t cell = 0; cell < plan.options.cell_types; ++cell) cells.add(cell_type_json(plan, cell, files));
  EPIBOOK_RETURN_IF_ERROR(cells.close(false));

  JsonArray segments(file, "gc_segments");
  for (const ChromLayout& layout : plan.layouts) {
    for (const GcSegment& s : layout.segments) segments.add(span_json(layout.name, s.start, s.end) + ", \"gc\": " + json_number(s.gc) + "}");
  }
  EPIBOOK_RETURN_IF_ERROR(segments.close(false));

  JsonArray islands(file, "cpg_islands");
  for (const ChromLayout& layout : plan.layouts) {
    for (const Span& s : layout.islands) islands.add(span_json(layout.name, s.start, s.end) + "}");
  }
  EPIBOOK_RETURN_IF_ERROR(islands.close(false));

  JsonArray sites(file, "planted_motifs");
  for (const ChromLayout& layout : plan.layouts) {
    for (const PlantedSite& site : layout.sites) {
      sites.add("{\"id\": " + std::to_string(site.id) + ", " + span_json(layout.name, site.start, site.end()).substr(1) +
                ", \"strand\": \"" + site.strand + "\", \"motif\": " + quoted(plan.motifs[site.motif].name) +
                ", \"score\": " + json_number(site.score) + ", \"bases\": " + quoted(site.bases) + "}");
    }
  }
  EPIBOOK_RETURN_IF_ERROR(sites.close(false));

  JsonArray effects(file, "effects");
  for (const auto& chrom_effects : plan.effects) {
    for (const Effect& effect : chrom_effects) {
      const Region peak = peak_region(plan, effect);
      effects.add("{\"cell_type\": " + quoted(sim_cell_type_name(effect.cell)) +
                  ", \"motif_id\": " + std::to_string(plan.site_of(effect).id) + ", \"peak\": " +
                  span_json(peak.chrom, peak.start, peak.end) + ", \"summit\": " +
                  std::to_string(plan.site_of(effect).center()) + "}, \"contribution\": " +
                  json_number(effect.contribution) + "}");
    }
  }
  EPIBOOK_RETURN_IF_ERROR(effects.close(true));
  EPIBOOK_RETURN_IF_ERROR(file.write("}\n"));
  return file.commit();
}

}  // namespace epibook::sim
