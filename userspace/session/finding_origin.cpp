// SPDX-License-Identifier: GPL-2.0-only
#include "session/finding_origin.h"

#include "resolve/path_view.h"

namespace duraudit {

namespace {

void strip_evidence(EvidenceEvent& e) {
  strip_view_qualifiers(e.args);
  strip_view_qualifiers(e.file);
  strip_view_qualifiers(e.file2);
}

}  // namespace

void annotate_origin(Finding& f, const Resolver& resolver) {
  const ProcessOrigin origin = resolver.origin_of(f.pid);
  if (const ProcessIdentity* id = origin.identity.get()) {
    f.exe = id->exe;
    f.uid = id->uid;
    f.mnt_ns = id->view.mnt_ns;
    f.cgroup = id->cgroup;
    f.container_id = id->container_id;
    f.pod_uid = id->pod_uid;
  }
  if (view_of_path(f.path) != kAgentView)
    if (auto host = resolver.host_path(f.path)) f.host_path = std::move(*host);
  strip_view_qualifiers(f.path);
  strip_view_qualifiers(f.message);
  strip_view_qualifiers(f.fix);
  for (auto& r : f.related) strip_view_qualifiers(r.path);
  for (auto& e : f.evidence) strip_evidence(e);
  if (f.closed_by) strip_evidence(*f.closed_by);
  strip_view_qualifiers(f.incomplete_reason);
}

}  // namespace duraudit
