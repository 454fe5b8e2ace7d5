// SPDX-License-Identifier: GPL-2.0-only
#include "output/baseline.h"

#include <algorithm>
#include <sstream>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "output/fingerprint.h"
#include "output/json_line.h"
#include "util/bounded_read.h"
#include "util/text_escape.h"

namespace duraudit {

namespace {
bool is_fingerprint(const std::string& s) {
  if (s.size() != 16) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}
}  // namespace

bool Baseline::load(const std::string& path, Baseline& out, std::string& error) {
  std::string text, why;
  if (!read_bounded_regular_file(path, kMaxBaselineBytes, "baseline", text, why)) {
    error = path + ": " + why;
    return false;
  }
  return parse(text, path, out, error);
}

bool Baseline::parse(std::string_view text, const std::string& path, Baseline& out, std::string& error) {
  std::istringstream in{std::string(text)};
  Baseline b;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::string where = path + ":" + std::to_string(lineno) + ": ";
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      error = where + "not a JSON object (a baseline has one {\"fingerprint\":...} object per line; "
                      "re-create it with --write-baseline)";
      return false;
    }
    auto fp = j.find("fingerprint");
    if (fp == j.end() || !fp->is_string() || !is_fingerprint(fp->get<std::string>())) {
      error = where + "missing or malformed \"fingerprint\" (expected 16 lowercase hex digits)";
      return false;
    }
    auto str = [&](const char* key) {
      auto it = j.find(key);
      return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    // rule, comm and path in the JSON encoding of docs/output.md: back to
    // bytes (what write() escaped, read back as it was).
    b.add(fp->get<std::string>(),
          Entry{unescape_json_bytes(str("rule")), unescape_json_bytes(str("comm")), unescape_json_bytes(str("path"))});
  }
  out = std::move(b);
  return true;
}

void Baseline::add(const Finding& f) {
  add(f.fingerprint.empty() ? fingerprint(f) : f.fingerprint, Entry{f.rule, f.comm, f.path});
}

void Baseline::add(const std::string& fp, Entry entry) { entries_.try_emplace(fp, std::move(entry)); }

bool Baseline::contains(std::string_view fp) const { return entries_.find(fp) != entries_.end(); }

void Baseline::write(std::ostream& out) const {
  std::vector<std::pair<const std::string*, const Entry*>> rows;
  for (const auto& [fp, e] : entries_) rows.emplace_back(&fp, &e);
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second->rule, a.second->path, *a.first) < std::tie(b.second->rule, b.second->path, *b.first);
  });
  for (const auto& [fp, e] : rows) {
    nlohmann::ordered_json j{{"fingerprint", *fp}, {"rule", e->rule}, {"comm", e->comm}, {"path", e->path}};
    out << json_line(std::move(j)) << '\n';
  }
}

}  // namespace duraudit
