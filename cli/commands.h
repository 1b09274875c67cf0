// The subcommands of `epibook`, one file each; main.cpp wires them into the app.
#pragma once

#include <CLI/CLI.hpp>

namespace epibook::cli {

void add_bw_read_commands(CLI::App& bw);   // bw info, values, stats, correlate (bw_read_commands.cpp)
void add_bw_write_command(CLI::App& bw);   // bw write                       (bw_write_command.cpp)
void add_fastq_commands(CLI::App& app);    // fastq head                     (fastq_commands.cpp)
void add_prep_command(CLI::App& app);      // prep                           (prep_command.cpp)
void add_regions_command(CLI::App& app);   // regions                        (regions_command.cpp)
void add_audit_command(CLI::App& app);     // audit                          (audit_command.cpp)
void add_simulate_command(CLI::App& app);  // simulate                       (simulate_command.cpp)
void add_load_command(CLI::App& app);      // load                           (load_command.cpp)
void add_dataset_command(CLI::App& app);   // dataset                        (dataset_command.cpp)
void add_train_command(CLI::App& app);    // train                          (train_command.cpp)
void add_eval_command(CLI::App& app);     // eval                           (eval_command.cpp)
void add_predict_command(CLI::App& app);  // predict                        (predict_command.cpp)
void add_runs_command(CLI::App& app);     // runs                           (runs_command.cpp)
void add_export_command(CLI::App& app);   // export                         (export_command.cpp)

}  // namespace epibook::cli
