// deploy/: the systemd unit and the Kubernetes DaemonSet keep the properties
// docs/production.md promises (hardening, the capability set, metrics port).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace duraudit {
namespace {

std::string source_dir() {
  const char* dir = std::getenv("DURAUDIT_SOURCE_DIR");
  return dir ? dir : ".";
}

// [Section] Key=Value lines of a systemd unit; comments and blanks skipped.
std::map<std::string, std::string> unit_settings(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::map<std::string, std::string> out;
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      section = line.substr(1, line.find(']') - 1);
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    EXPECT_FALSE(out.count(section + "." + line.substr(0, eq))) << "repeated " << line;
    out[section + "." + line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

std::set<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::set<std::string> out;
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

const std::set<std::string> kCapabilities = {"CAP_BPF", "CAP_PERFMON", "CAP_SYS_RESOURCE",
                                             "CAP_DAC_READ_SEARCH", "CAP_SYS_PTRACE"};

TEST(SystemdUnit, IsHardenedAndHoldsOnlyTheNeededCapabilities) {
  auto u = unit_settings(source_dir() + "/deploy/duraudit.service");
  EXPECT_EQ(u["Service.NoNewPrivileges"], "yes");
  EXPECT_EQ(u["Service.ProtectSystem"], "strict");
  EXPECT_EQ(u["Service.ProtectHome"], "read-only");
  EXPECT_EQ(u["Service.PrivateTmp"], "yes");
  EXPECT_EQ(u["Service.LimitMEMLOCK"], "infinity");
  EXPECT_EQ(u["Service.Restart"], "on-failure");
  EXPECT_EQ(u["Service.LogsDirectory"], "duraudit");
  EXPECT_EQ(u["Service.ExecReload"], "/bin/kill -HUP $MAINPID");
  EXPECT_EQ(words(u["Service.CapabilityBoundingSet"]), kCapabilities);
  EXPECT_EQ(words(u["Service.AmbientCapabilities"]), kCapabilities);
  EXPECT_FALSE(u.count("Service.PrivateUsers")) << "a user namespace would void the capabilities";
  const std::string exec = u["Service.ExecStart"];
  for (const char* part : {"/usr/local/bin/duraudit attach", "--all", "--metrics-listen 127.0.0.1:9464",
                           "--format json", "-o /var/log/duraudit/findings.jsonl"})
    EXPECT_NE(exec.find(part), std::string::npos) << part << " in " << exec;
  EXPECT_EQ(u["Install.WantedBy"], "multi-user.target");
}

YAML::Node daemonset() {
  for (const YAML::Node& doc : YAML::LoadAllFromFile(source_dir() + "/deploy/kubernetes/daemonset.yaml"))
    if (doc["kind"].as<std::string>() == "DaemonSet") return doc;
  ADD_FAILURE() << "no DaemonSet in deploy/kubernetes/daemonset.yaml";
  return {};
}

TEST(KubernetesDaemonSet, RunsOnEveryNodeWithHostPidAndMetricsPort) {
  YAML::Node ds = daemonset();
  ASSERT_TRUE(ds);
  const YAML::Node pod = ds["spec"]["template"];
  const YAML::Node spec = pod["spec"];
  EXPECT_TRUE(spec["hostPID"].as<bool>());
  EXPECT_FALSE(spec["hostNetwork"] && spec["hostNetwork"].as<bool>());
  EXPECT_EQ(spec["tolerations"][0]["operator"].as<std::string>(), "Exists");
  EXPECT_FALSE(spec["serviceAccountName"].as<std::string>("").empty());
  EXPECT_EQ(pod["metadata"]["annotations"]["prometheus.io/scrape"].as<std::string>(), "true");
  EXPECT_EQ(pod["metadata"]["annotations"]["prometheus.io/port"].as<std::string>(), "9464");
  // The selector must match the pod labels or the API server rejects it.
  for (const auto& kv : ds["spec"]["selector"]["matchLabels"])
    EXPECT_EQ(pod["metadata"]["labels"][kv.first.as<std::string>()].as<std::string>(""),
              kv.second.as<std::string>());

  const YAML::Node c = spec["containers"][0];
  EXPECT_EQ(c["ports"][0]["containerPort"].as<int>(), 9464);
  std::string args;
  for (const YAML::Node& a : c["args"]) args += a.as<std::string>() + " ";
  EXPECT_NE(args.find("attach --all --metrics-listen 0.0.0.0:9464"), std::string::npos) << args;
  EXPECT_TRUE(c["resources"]["requests"]["memory"]);
  EXPECT_TRUE(c["resources"]["limits"]["memory"]);
  EXPECT_TRUE(c["resources"]["limits"]["cpu"]);

  const YAML::Node sc = c["securityContext"];
  EXPECT_FALSE(sc["privileged"].as<bool>());
  EXPECT_FALSE(sc["allowPrivilegeEscalation"].as<bool>());
  EXPECT_TRUE(sc["readOnlyRootFilesystem"].as<bool>());
  EXPECT_EQ(sc["capabilities"]["drop"][0].as<std::string>(), "ALL");
  std::set<std::string> added;
  for (const YAML::Node& cap : sc["capabilities"]["add"]) added.insert("CAP_" + cap.as<std::string>());
  EXPECT_EQ(added, kCapabilities);

  std::map<std::string, std::string> mounts;
  for (const YAML::Node& m : c["volumeMounts"]) {
    EXPECT_TRUE(m["readOnly"].as<bool>()) << m["mountPath"];
    mounts[m["name"].as<std::string>()] = m["mountPath"].as<std::string>();
  }
  EXPECT_EQ(mounts["btf"], "/sys/kernel/btf");
  EXPECT_EQ(mounts["cgroup"], "/sys/fs/cgroup");
  for (const YAML::Node& v : spec["volumes"])
    EXPECT_TRUE(mounts.count(v["name"].as<std::string>())) << v["name"];
}

}  // namespace
}  // namespace duraudit
