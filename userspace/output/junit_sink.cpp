// SPDX-License-Identifier: GPL-2.0-only
#include "output/junit_sink.h"

#include <map>
#include <sstream>

#include "engine/rule_catalogue.h"
#include "output/fingerprint.h"
#include "output/markup_escape.h"
#include "output/text_sink.h"

namespace duraudit {

namespace {

// The finding as text output prints it (names escaped, no colour).
std::string finding_block(const Finding& f) {
  std::ostringstream o;
  TextSink(o, false).on_finding(f);
  return o.str();
}

struct Case {
  std::string fingerprint;
  std::vector<const Finding*> findings;
  bool failed = false;
};

}  // namespace

JunitSink::JunitSink(std::ostream& out, const Config& config, Severity fail_on)
    : DocumentSink(out), fail_on_(fail_on) {
  for (const RuleInfo& r : rule_catalogue()) rules_.emplace_back(std::string(r.id), config.rule_enabled(r.id));
}

void JunitSink::write(std::ostream& out, const std::vector<Finding>& findings, const Summary& s, uint64_t omitted) {
  // Rules in catalogue order, then any other id a finding carries.
  std::vector<std::pair<std::string, bool>> rules = rules_;
  for (const auto& f : findings) {
    bool known = false;
    for (const auto& r : rules) known |= r.first == f.rule;
    if (!known) rules.emplace_back(f.rule, true);
  }
  std::map<std::string, std::vector<Case>> cases;  // by rule, fingerprints in order of first appearance
  for (const auto& f : findings) {
    std::string fp = f.fingerprint.empty() ? fingerprint(f) : f.fingerprint;
    auto& list = cases[f.rule];
    Case* c = nullptr;
    for (auto& k : list)
      if (k.fingerprint == fp) c = &k;
    if (!c) c = &list.emplace_back(Case{fp, {}, false});
    c->findings.push_back(&f);
    if (fail_on_ != Severity::None && f.severity >= fail_on_) c->failed = true;
  }

  std::ostringstream suites;
  uint64_t all_tests = 0, all_failures = 0;
  for (const auto& [rule, enabled] : rules) {
    const auto& list = cases[rule];
    uint64_t tests = list.size(), failures = 0, skipped = 0;
    for (const auto& c : list) failures += c.failed;
    if (!enabled && list.empty()) tests = skipped = 1;
    all_tests += tests;
    all_failures += failures;
    const std::string name = markup_name(rule);
    suites << "  <testsuite name=\"" << name << "\" tests=\"" << tests << "\" failures=\"" << failures
           << "\" errors=\"0\" skipped=\"" << skipped << "\" time=\"0\">\n";
    suites << "    <properties>\n";
    auto property = [&](const std::string& key, const std::string& value) {
      suites << "      <property name=\"" << key << "\" value=\"" << markup_name(value) << "\"/>\n";
    };
    property("events", std::to_string(s.events));
    property("events_lost", std::to_string(s.events_lost()));
    property("processes", std::to_string(s.processes));
    property("incomplete", s.incomplete ? "true" : "false");
    if (s.incomplete && !s.incomplete_reason.empty()) property("incomplete_reason", s.incomplete_reason);
    if (omitted) property("findings_omitted", std::to_string(omitted));
    suites << "    </properties>\n";
    if (!enabled && list.empty())
      suites << "    <testcase name=\"" << name << "\" classname=\"duraudit." << name
             << "\" time=\"0\">\n      <skipped message=\"the rule is disabled by the rules files\"/>\n    </testcase>\n";
    for (const auto& c : list) {
      const Finding& first = *c.findings.front();
      suites << "    <testcase name=\"" << markup_name(first.path) << " [" << c.fingerprint << "]\" classname=\"duraudit."
             << name << "\" time=\"0\">\n";
      std::string body;
      for (const Finding* f : c.findings) body += finding_block(*f);
      if (c.findings.size() > 1) body = std::to_string(c.findings.size()) + " findings with this fingerprint\n\n" + body;
      if (c.failed) {
        suites << "      <failure type=\"" << severity_name(first.severity) << "\" message=\""
               << markup_name(first.message) << "\">" << markup_escape(body) << "</failure>\n";
      } else {
        suites << "      <system-out>" << markup_escape(body) << "</system-out>\n";
      }
      suites << "    </testcase>\n";
    }
    suites << "  </testsuite>\n";
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"duraudit\" tests=\"" << all_tests << "\" failures=\"" << all_failures
      << "\" errors=\"0\" time=\"0\">\n";
  out << suites.str();
  out << "</testsuites>\n";
}

}  // namespace duraudit
