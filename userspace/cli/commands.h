// SPDX-License-Identifier: GPL-2.0-only
// One function per subcommand; each gets the arguments after its name and
// the command to run (after `--`), and returns the exit status.
#pragma once

#include <string>
#include <vector>

namespace duraudit {

using Args = std::vector<std::string>;

int cmd_run(const Args& args, const Args& command);
int cmd_trace(const Args& args, const Args& command);
int cmd_rules(const Args& args, const Args& command);
int cmd_record(const Args& args, const Args& command);
int cmd_replay(const Args& args, const Args& command);
int cmd_attach(const Args& args, const Args& command);
int cmd_report(const Args& args, const Args& command);

}  // namespace duraudit
