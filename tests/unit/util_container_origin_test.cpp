// SPDX-License-Identifier: GPL-2.0-only
// Container and pod from a cgroup v2 path, for each runtime's layout
// (util/container_origin.h), and the paths that name none.
#include <gtest/gtest.h>

#include <algorithm>

#include "util/container_origin.h"

namespace duraudit {
namespace {

constexpr const char* kId = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00998877665544332211";
constexpr const char* kPod = "0c3b6a1e-2d4f-4e5a-9b8c-7d6e5f4a3b2c";

struct Case {
  std::string path;
  std::string container_id;
  std::string pod_uid;
};

TEST(ContainerOrigin, EachRuntimesLayout) {
  const std::string id = kId;
  const std::string pod = kPod;
  std::string pod_ = pod;
  std::replace(pod_.begin(), pod_.end(), '-', '_');
  const Case cases[] = {
      // containerd under kubelet, systemd driver (burstable, besteffort, guaranteed)
      {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + pod_ + ".slice/cri-containerd-" + id +
           ".scope",
       id, pod},
      {"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + pod_ + ".slice/cri-containerd-" + id +
           ".scope",
       id, pod},
      {"/kubepods.slice/kubepods-pod" + pod_ + ".slice/cri-containerd-" + id + ".scope", id, pod},
      // CRI-O
      {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + pod_ + ".slice/crio-" + id + ".scope", id,
       pod},
      // kubelet, cgroupfs driver
      {"/kubepods/burstable/pod" + pod + "/" + id, id, pod},
      {"/kubepods/pod" + pod + "/" + id, id, pod},
      // the pod's own cgroup: a pod, no container
      {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + pod_ + ".slice", "", pod},
      // Docker, systemd and cgroupfs drivers
      {"/system.slice/docker-" + id + ".scope", id, ""},
      {"/docker/" + id, id, ""},
      // Podman, rootful and rootless
      {"/machine.slice/libpod-" + id + ".scope", id, ""},
      {"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + id + ".scope", id, ""},
      // conmon's scope is not the container
      {"/machine.slice/libpod-conmon-" + id + ".scope", "", ""},
      // plain systemd services and sessions
      {"/system.slice/postgresql@15-main.service", "", ""},
      {"/user.slice/user-1000.slice/session-3.scope", "", ""},
      {"/", "", ""},
      {"", "", ""},
      // look-alikes: a short or upper-case id, a pod outside kubepods
      {"/system.slice/docker-3f4e5d.scope", "", ""},
      {"/system.slice/docker-" + std::string(64, 'A') + ".scope", "", ""},
      {"/pods/pod" + pod + "/x", "", ""},
  };
  for (const auto& c : cases) {
    ContainerOrigin o = parse_container_origin(c.path);
    EXPECT_EQ(o.container_id, c.container_id) << c.path;
    EXPECT_EQ(o.pod_uid, c.pod_uid) << c.path;
  }
}

}  // namespace
}  // namespace duraudit
