// SPDX-License-Identifier: GPL-2.0-only
#pragma once

namespace duraudit {
// Parses the command line and runs a subcommand; returns the process exit
// status (README.md, "Using it").
int cli_main(int argc, char** argv);
}  // namespace duraudit
