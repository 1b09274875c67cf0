// Being written (see cli/commands.h); registers nothing yet.
#include "commands.h"

namespace epibook::cli {
void add_bw_write_command(CLI::App&) {}
}  // namespace epibook::cli
