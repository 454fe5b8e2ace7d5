#pragma once

namespace duraudit {
// Parses the command line and runs a subcommand; returns the process exit
// status (DESIGN.md "Exit status").
int cli_main(int argc, char** argv);
}  // namespace duraudit
