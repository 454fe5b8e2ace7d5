// SPDX-License-Identifier: GPL-2.0-only
// `duraudit rules list`: the rule catalogue as the effective config sees it.
#pragma once

#include <ostream>

#include "config/config.h"

namespace duraudit {

// An aligned table: ID, SEVERITY (effective; "(default X)" when overridden),
// ENABLED, SUMMARY.
void print_rule_catalogue(std::ostream& out, const Config& cfg);

// JSON Lines, one object per rule:
// {"type":"rule","id":...,"severity":...,"default_severity":...,"enabled":...,"summary":...,"fix":...}
void print_rule_catalogue_json(std::ostream& out, const Config& cfg);

}  // namespace duraudit
