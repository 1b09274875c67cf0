// `epibook`: the native command-line face of the core. Parses arguments with CLI11,
// hands the work to the core, prints results and readable errors.
#include <CLI/CLI.hpp>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"epibook " EPIBOOK_VERSION ": machine learning in genomics, from bigWig to trained model.\n"
               "Coordinates are 0-based and half-open, as in BED and bigWig: chr2R:7,000,000-7,100,000.",
               "epibook"};
  app.set_version_flag("--version", std::string("epibook ") + EPIBOOK_VERSION);
  app.require_subcommand(1);

  CLI::App* bw = app.add_subcommand("bw", "Read and write bigWig signal tracks");
  bw->require_subcommand(1);
  epibook::cli::add_bw_read_commands(*bw);
  epibook::cli::add_bw_write_command(*bw);
  epibook::cli::add_fastq_commands(app);
  epibook::cli::add_prep_command(app);
  epibook::cli::add_regions_command(app);
  epibook::cli::add_audit_command(app);
  epibook::cli::add_simulate_command(app);
  epibook::cli::add_load_command(app);
  epibook::cli::add_dataset_command(app);
  epibook::cli::add_train_command(app);
  epibook::cli::add_eval_command(app);
  epibook::cli::add_predict_command(app);
  epibook::cli::add_runs_command(app);
  epibook::cli::add_export_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
