// Being written (see cli/commands.h); registers nothing yet.
#include "commands.h"

namespace epibook::cli {
void add_fastq_commands(CLI::App&) {}
}  // namespace epibook::cli
