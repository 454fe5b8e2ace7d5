// SPDX-License-Identifier: GPL-2.0-only
#include "util/container_origin.h"

#include <algorithm>
#include <array>

namespace duraudit {

namespace {

// One way a runtime names a container's cgroup directory: prefix, the id,
// suffix. The bare id (cgroupfs drivers) is the last row.
struct ContainerDirPattern {
  std::string_view prefix;
  std::string_view suffix;
};
constexpr std::array kContainerDirs = {
    ContainerDirPattern{"cri-containerd-", ".scope"},  // containerd, kubelet systemd driver
    ContainerDirPattern{"crio-", ".scope"},            // CRI-O
    ContainerDirPattern{"docker-", ".scope"},          // Docker, systemd driver
    ContainerDirPattern{"libpod-", ".scope"},          // Podman
    ContainerDirPattern{"", ""},                       // cgroupfs drivers: kubepods/.../<id>, /docker/<id>
};

// The pod directory: kubepods[-<qos>]-pod<uid with _>.slice (systemd
// driver) or pod<uid> (cgroupfs driver).
constexpr std::string_view kPodSlicePrefix = "kubepods-";
constexpr std::string_view kPodMarker = "pod";
constexpr std::string_view kSliceSuffix = ".slice";

constexpr size_t kContainerIdLen = 64;

bool is_hex_id(std::string_view s) {
  return s.size() == kContainerIdLen &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// A pod UID: 36 characters of hex and dashes (8-4-4-4-12).
bool is_pod_uid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = s[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string_view strip(std::string_view s, std::string_view prefix, std::string_view suffix) {
  if (s.size() < prefix.size() + suffix.size() || s.substr(0, prefix.size()) != prefix ||
      s.substr(s.size() - suffix.size()) != suffix)
    return {};
  return s.substr(prefix.size(), s.size() - prefix.size() - suffix.size());
}

std::string container_in(std::string_view dir) {
  for (const auto& p : kContainerDirs)
    if (std::string_view id = strip(dir, p.prefix, p.suffix); is_hex_id(id)) return std::string(id);
  return {};
}

std::string pod_in(std::string_view dir) {
  std::string uid;
  if (std::string_view slice = strip(dir, kPodSlicePrefix, kSliceSuffix); !slice.empty()) {
    size_t at = slice.rfind(kPodMarker);
    if (at == std::string_view::npos) return {};
    uid = slice.substr(at + kPodMarker.size());
    std::replace(uid.begin(), uid.end(), '_', '-');  // systemd escapes '-' in unit names
  } else if (dir.substr(0, kPodMarker.size()) == kPodMarker) {
    uid = dir.substr(kPodMarker.size());
  }
  return is_pod_uid(uid) ? uid : std::string();
}

}  // namespace

ContainerOrigin parse_container_origin(std::string_view path) {
  ContainerOrigin out;
  bool in_kubepods = false;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view dir = path.substr(i, j - i);
    i = j + 1;
    if (dir.empty()) continue;
    if (dir == "kubepods" || dir == "kubepods.slice") in_kubepods = true;
    if (in_kubepods && out.pod_uid.empty()) out.pod_uid = pod_in(dir);
    if (std::string id = container_in(dir); !id.empty()) out.container_id = std::move(id);
  }
  return out;
}

}  // namespace duraudit
