// SPDX-License-Identifier: GPL-2.0-only
// Where the debug info of a binary is, without a network: the standard
// Debian places (/usr/lib/debug/.build-id/xx/rest.debug, and the
// .gnu_debuglink name next to the file, in .debug/ beside it, or under
// /usr/lib/debug). elfutils' own lookup would also ask a debuginfod server
// when DEBUGINFOD_URLS is set; an auditor must not make network requests.
#pragma once

#include <elfutils/libdwfl.h>

namespace duraudit {

// A Dwfl_Callbacks::find_debuginfo.
int find_local_debuginfo(Dwfl_Module* mod, void** userdata, const char* modname, Dwarf_Addr base,
                         const char* file_name, const char* debuglink_file, GElf_Word debuglink_crc,
                         char** debuginfo_file_name);

// The callbacks every duraudit Dwfl uses.
const Dwfl_Callbacks* dwfl_callbacks();

}  // namespace duraudit
