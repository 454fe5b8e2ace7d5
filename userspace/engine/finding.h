// SPDX-License-Identifier: GPL-2.0-only
// A verdict: what every rule produces and every sink (text, JSON, metrics,
// baseline) consumes. Field meanings: docs/output.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/severity.h"

namespace duraudit {

struct RelatedFile {
  std::string path;
  std::string role;   // "source" | "replacement" | "deleted" | "directory"
  std::string state;  // "data-not-durable" | "entry-not-durable" | "durable"
};

// One frame of the user stack at an evidence call (docs/stacks.md).
struct StackFrame {
  std::string function;  // demangled; "" when no symbol covers the address
  std::string module;    // path of the binary; "" when the address is in none (JIT code)
  std::string file;      // source file, from debug info; "" without
  uint32_t line = 0;     // 0 without debug info
  uint64_t offset = 0;   // the address in the module (its ELF virtual address), or the raw address
};

// One syscall that proves the finding, as shown in the evidence timeline.
struct EvidenceEvent {
  uint64_t seq = 0;
  uint64_t ts_ns = 0;
  int32_t pid = 0;
  int32_t tid = 0;
  std::string syscall;
  std::string args;   // human-readable argument summary: `"/d/f.tmp", O_WRONLY|O_CREAT`
  int64_t ret = 0;
  // What the call is, for machines (the HTML report's timeline): the
  // operation ("write", "fsync", "rename"...: syscall_op_name()), the file
  // it acted on (an fd's file, else its first path) and its second path
  // (a rename's or link's new name); empty when unknown.
  std::string op;
  std::string file;
  std::string file2;
  std::vector<StackFrame> stack;  // the user stack at the call, innermost first; empty when not captured
};

struct Finding {
  std::string rule;
  Severity severity = Severity::Warning;
  int32_t pid = 0;
  int32_t tid = 0;
  std::string comm;
  std::string path;       // absolute path the finding is about
  std::string message;    // one sentence
  std::string fix;        // remediation line
  std::vector<RelatedFile> related;
  std::vector<EvidenceEvent> evidence;
  std::string fingerprint;  // filled by fingerprint() (output/fingerprint.h)
  // Rule-specific extras rendered into JSON as-is: e.g. rename-without-fsync's
  // replaced, missing-dir-fsync's entries count.
  std::optional<bool> replaced;
  std::optional<uint64_t> entries;
  // unlink-before-durable: how the successor was identified
  // ("same-path" | "data-flow" | "name-pattern" | "directory-swap").
  std::string successor_evidence;
  // Ordering findings (rename-without-fsync, unlink-before-durable) whose
  // window the program closed itself: how long the data was exposed, and
  // the call that made it durable. A closed window is reported at warning.
  std::optional<uint64_t> window_ns;
  std::optional<EvidenceEvent> closed_by;
  // rename-without-fsync: the published file was also closed unsynced (the
  // one finding for that data; close-without-fsync does not repeat it).
  bool closed_unsynced = false;
  // The verdict rests on incomplete data (events were lost, or state it needs
  // was evicted); sinks say so.
  bool incomplete = false;
  std::string incomplete_reason;
  // Where in the program the deciding call was made: the innermost frame
  // outside the C runtime with a file:line (else with a function) of the
  // last evidence call that has a stack (output/stack_format.h). Set by the
  // FindingReporter.
  std::optional<StackFrame> source;
  uint64_t ts_ns = 0;     // when the verdict was settled (the evidence's clock); JSON settled_ns
  // Where and when, set by the FindingReporter (docs/output.md): the host
  // the events came from ("" when unknown), and what to add to the
  // evidence's ts_ns for ns since the Unix epoch (none when the source's
  // clock has no date: event/wall_clock.h).
  std::string host;
  std::optional<int64_t> wall_offset_ns;
  // Who made it and where it ran (event/process_identity.h), set by the
  // pipeline when known: the executable, real uid, mount namespace, cgroup
  // v2 path and the container and pod named in it; and, when the process's
  // view (mount namespace, root) is not the agent's, where `path` is for
  // the host. `path` itself is always the path as the process saw it.
  std::string exe;
  std::optional<uint32_t> uid;
  uint64_t mnt_ns = 0;
  std::string cgroup;
  std::string container_id;
  std::string pod_uid;
  std::string host_path;
  // attach folds a finding that recurs (same fingerprint) within a window:
  // the next time it is reported, `repeats` says how many were folded.
  uint64_t repeats = 0;
};

}  // namespace duraudit
