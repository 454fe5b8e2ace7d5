// SPDX-License-Identifier: GPL-2.0-only
#include "cli/cli.h"

int main(int argc, char** argv) { return duraudit::cli_main(argc, argv); }
