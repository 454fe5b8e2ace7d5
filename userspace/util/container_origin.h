// SPDX-License-Identifier: GPL-2.0-only
// The container and Kubernetes pod a cgroup v2 path names, for findings'
// container_id and pod_uid. Parsed from the path alone (never an API call:
// this runs for every exec on the node), for the layouts the common
// runtimes make:
//   containerd / CRI-O under kubelet, systemd driver:
//     /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_with_underscores>.slice/
//       cri-containerd-<id>.scope   (CRI-O: crio-<id>.scope)
//   kubelet, cgroupfs driver:       /kubepods/burstable/pod<uid>/<id>
//   Docker:                         /system.slice/docker-<id>.scope, /docker/<id>
//   Podman:                         /machine.slice/libpod-<id>.scope, also under user@UID.service
// where <id> is the runtime's 64-hex container id. A path none of these
// name (a systemd service, a user session) gives empty fields; conmon's own
// scopes (libpod-conmon-<id>.scope) are not the container.
#pragma once

#include <string>
#include <string_view>

namespace duraudit {

struct ContainerOrigin {
  std::string container_id;  // 64 lowercase hex; "" when the path names no container
  std::string pod_uid;       // the pod's UID with dashes; "" outside Kubernetes
};

ContainerOrigin parse_container_origin(std::string_view cgroup_path);

}  // namespace duraudit
