// SPDX-License-Identifier: GPL-2.0-only
// deploy/: the systemd unit and the Kubernetes DaemonSet keep the properties
// docs/production.md promises (hardening, the capability set, metrics port).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "config/config.h"
#include "config/rules_dir.h"
#include "config/rules_file.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

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
    // Environment= is a list (unit_lines() below reads it); any other key
    // given twice is a mistake: the second silently replaces the first.
    if (section + "." + line.substr(0, eq) == "Service.Environment") continue;
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
  EXPECT_EQ(u["Install.WantedBy"], "multi-user.target");
}

// Every [Section] Key=Value line, repeated keys included, in order.
std::vector<std::pair<std::string, std::string>> unit_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::pair<std::string, std::string>> out;
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      section = line.substr(1, line.find(']') - 1);
      continue;
    }
    auto eq = line.find('=');
    if (eq != std::string::npos) out.emplace_back(section + "." + line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

// Type=notify with a watchdog, and every attach setting an operator may
// change comes from the environment (defaults here, /etc/default/duraudit
// over them), none from the command line, which would win over both.
TEST(SystemdUnit, NotifiesReadinessFeedsAWatchdogAndTakesItsSettingsFromTheEnvironment) {
  std::map<std::string, std::string> env;
  std::string environment_file;
  std::map<std::string, std::string> u;
  for (const auto& [key, value] : unit_lines(source_dir() + "/deploy/duraudit.service")) {
    if (key == "Service.Environment") {
      auto eq = value.find('=');
      env[value.substr(0, eq)] = value.substr(eq + 1);
      EXPECT_TRUE(environment_file.empty()) << "Environment= after EnvironmentFile= reads as if it could win";
    } else if (key == "Service.EnvironmentFile") {
      environment_file = value;
    } else {
      u[key] = value;
    }
  }
  EXPECT_EQ(u["Service.Type"], "notify");
  EXPECT_EQ(u["Service.NotifyAccess"], "main");
  EXPECT_FALSE(u["Service.WatchdogSec"].empty());
  EXPECT_EQ(environment_file, "-/etc/default/duraudit");
  EXPECT_EQ(env["DURAUDIT_ALL"], "true");
  EXPECT_EQ(env["DURAUDIT_METRICS_LISTEN"], "127.0.0.1:10464");
  EXPECT_EQ(env["DURAUDIT_FORMAT"], "json");
  EXPECT_EQ(env["DURAUDIT_OUTPUT"], "/var/log/duraudit/findings.jsonl");
  EXPECT_EQ(u["Service.ExecStart"], "/usr/local/bin/duraudit attach") << "options here would override /etc/default";
  // AF_UNIX: sd_notify's datagrams go to systemd's socket.
  EXPECT_TRUE(words(u["Service.RestrictAddressFamilies"]).count("AF_UNIX"));
}

// systemd's own checker accepts the unit: no unknown setting or value
// (which systemd would merely warn about and ignore) and an executable
// ExecStart (the built binary stands in for /usr/local/bin/duraudit).
TEST(SystemdUnit, SystemdAnalyzeVerifyPasses) {
  if (std::system("command -v systemd-analyze >/dev/null 2>&1") != 0) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL() << "systemd-analyze not found (scripts/setup.sh installs systemd)";
    GTEST_SKIP() << "systemd-analyze not found (scripts/setup.sh installs systemd)";
  }
  char dir[] = "/tmp/duraudit-unit-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string unit = std::string(dir) + "/duraudit.service";
  {
    std::ifstream in(source_dir() + "/deploy/duraudit.service");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(text.empty());
    const std::string from = "ExecStart=/usr/local/bin/duraudit ";
    auto at = text.find(from);
    ASSERT_NE(at, std::string::npos);
    text.replace(at, from.size(), std::string("ExecStart=") + DURAUDIT_TEST_BIN + " ");
    std::ofstream(unit) << text;
  }
  const std::string out = std::string(dir) + "/verify.out";
  int rc = std::system(("systemd-analyze verify --man=no " + unit + " > " + out + " 2>&1").c_str());
  std::ifstream in(out);
  std::string said((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << said;
  EXPECT_EQ(said, "") << "systemd-analyze warned: systemd would ignore those lines";
  std::remove(out.c_str());
  std::remove(unit.c_str());
  rmdir(dir);
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
  EXPECT_EQ(pod["metadata"]["annotations"]["prometheus.io/port"].as<std::string>(), "10464");
  // The selector must match the pod labels or the API server rejects it.
  for (const auto& kv : ds["spec"]["selector"]["matchLabels"])
    EXPECT_EQ(pod["metadata"]["labels"][kv.first.as<std::string>()].as<std::string>(""),
              kv.second.as<std::string>());

  const YAML::Node c = spec["containers"][0];
  EXPECT_EQ(c["ports"][0]["containerPort"].as<int>(), 10464);
  std::string args;
  for (const YAML::Node& a : c["args"]) args += a.as<std::string>() + " ";
  EXPECT_NE(args.find("attach --all --metrics-listen 0.0.0.0:10464"), std::string::npos) << args;
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
  EXPECT_EQ(mounts["rules"], kDefaultRulesDir);
  for (const YAML::Node& v : spec["volumes"])
    EXPECT_TRUE(mounts.count(v["name"].as<std::string>())) << v["name"];
}

YAML::Node only_doc(const std::string& file) {
  auto docs = YAML::LoadAllFromFile(source_dir() + "/deploy/kubernetes/" + file);
  EXPECT_EQ(docs.size(), 1u) << file;
  return docs.empty() ? YAML::Node() : docs.front();
}

// Probes go by the event loop (/healthz), the node's name reaches the
// agent as DURAUDIT_HOST, and the rules ConfigMap is its rules directory.
TEST(KubernetesDaemonSet, ProbesHealthzPassesTheNodeNameAndMountsTheRulesConfigMap) {
  YAML::Node ds = daemonset();
  ASSERT_TRUE(ds);
  const YAML::Node spec = ds["spec"]["template"]["spec"];
  const YAML::Node c = spec["containers"][0];
  for (const char* probe : {"startupProbe", "readinessProbe", "livenessProbe"}) {
    EXPECT_EQ(c[probe]["httpGet"]["path"].as<std::string>(""), "/healthz") << probe;
    EXPECT_EQ(c[probe]["httpGet"]["port"].as<std::string>(""), "metrics") << probe;
  }
  std::map<std::string, YAML::Node> env;
  for (const YAML::Node& e : c["env"]) env[e["name"].as<std::string>()] = e;
  ASSERT_TRUE(env.count("NODE_NAME"));
  EXPECT_EQ(env["NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>(""), "spec.nodeName");
  ASSERT_TRUE(env.count("DURAUDIT_HOST"));
  EXPECT_EQ(env["DURAUDIT_HOST"]["value"].as<std::string>(""), "$(NODE_NAME)");
  // $(VAR) expands only from variables defined earlier in the list.
  std::vector<std::string> order;
  for (const YAML::Node& e : c["env"]) order.push_back(e["name"].as<std::string>());
  EXPECT_LT(std::find(order.begin(), order.end(), "NODE_NAME"), std::find(order.begin(), order.end(), "DURAUDIT_HOST"));

  std::string config_map;
  for (const YAML::Node& v : spec["volumes"])
    if (v["name"].as<std::string>() == "rules") config_map = v["configMap"]["name"].as<std::string>("");
  YAML::Node cm = only_doc("rules-configmap.yaml");
  ASSERT_TRUE(cm);
  EXPECT_EQ(cm["apiVersion"].as<std::string>(), "v1");
  EXPECT_EQ(cm["kind"].as<std::string>(), "ConfigMap");
  EXPECT_EQ(cm["metadata"]["name"].as<std::string>(), config_map);
  EXPECT_EQ(cm["metadata"]["namespace"].as<std::string>(), ds["metadata"]["namespace"].as<std::string>());
  // Every key is a rules file the agent accepts (it would exit 2 otherwise).
  ASSERT_GT(cm["data"].size(), 0u);
  for (const auto& kv : cm["data"]) {
    const std::string key = kv.first.as<std::string>();
    EXPECT_TRUE(key.size() > 5 && key.substr(key.size() - 5) == ".yaml") << key << " would not be loaded";
    char path[] = "/tmp/duraudit-cm-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    const std::string text = kv.second.as<std::string>();
    ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(fd);
    Config cfg = Config::defaults();
    std::vector<Diagnostic> errors;
    EXPECT_TRUE(load_rules_file(path, cfg, errors)) << key << ": " << (errors.empty() ? "" : errors[0].to_string());
    std::remove(path);
  }
}

// What the Prometheus Operator's PodMonitor CRD requires of it (the CRD's
// OpenAPI schema is not on this machine: the fields checked are those it
// marks required, plus the references to the DaemonSet that must hold).
TEST(KubernetesPodMonitor, SelectsTheDaemonSetPodsAndTheirMetricsPort) {
  YAML::Node pm = only_doc("podmonitor.yaml");
  YAML::Node ds = daemonset();
  ASSERT_TRUE(pm && ds);
  EXPECT_EQ(pm["apiVersion"].as<std::string>(), "monitoring.coreos.com/v1");
  EXPECT_EQ(pm["kind"].as<std::string>(), "PodMonitor");
  EXPECT_EQ(pm["metadata"]["namespace"].as<std::string>(), ds["metadata"]["namespace"].as<std::string>());
  const YAML::Node pod = ds["spec"]["template"];
  ASSERT_GT(pm["spec"]["selector"]["matchLabels"].size(), 0u);
  for (const auto& kv : pm["spec"]["selector"]["matchLabels"])
    EXPECT_EQ(pod["metadata"]["labels"][kv.first.as<std::string>()].as<std::string>(""), kv.second.as<std::string>());
  // job="duraudit" (DurauditDown, the dashboard): the label's value on the pods.
  EXPECT_EQ(pod["metadata"]["labels"][pm["spec"]["jobLabel"].as<std::string>()].as<std::string>(""), "duraudit");
  ASSERT_EQ(pm["spec"]["podMetricsEndpoints"].size(), 1u);
  const YAML::Node ep = pm["spec"]["podMetricsEndpoints"][0];
  EXPECT_EQ(ep["port"].as<std::string>(), pod["spec"]["containers"][0]["ports"][0]["name"].as<std::string>());
  EXPECT_EQ(ep["path"].as<std::string>(), "/metrics");
}

bool same_yaml(const YAML::Node& a, const YAML::Node& b, std::string* where) {
  if (a.Type() != b.Type()) return false;
  switch (a.Type()) {
    case YAML::NodeType::Scalar:
      return a.as<std::string>() == b.as<std::string>();
    case YAML::NodeType::Sequence:
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i)
        if (!same_yaml(a[i], b[i], where)) return *where = "[" + std::to_string(i) + "]" + *where, false;
      return true;
    case YAML::NodeType::Map:
      if (a.size() != b.size()) return false;
      for (const auto& kv : a) {
        const std::string key = kv.first.as<std::string>();
        if (!b[key] || !same_yaml(kv.second, b[key], where)) return *where = "." + key + *where, false;
      }
      return true;
    default:
      return true;
  }
}

// The PrometheusRule is generated from dashboards/alerts.yml
// (scripts/gen_prometheusrule.py; the prometheusrule_in_sync ctest checks
// the file is current): its groups are alerts.yml's, exactly.
TEST(KubernetesPrometheusRule, CarriesExactlyTheAlertsOfDashboardsAlertsYml) {
  YAML::Node pr = only_doc("prometheusrule.yaml");
  ASSERT_TRUE(pr);
  EXPECT_EQ(pr["apiVersion"].as<std::string>(), "monitoring.coreos.com/v1");
  EXPECT_EQ(pr["kind"].as<std::string>(), "PrometheusRule");
  EXPECT_EQ(pr["metadata"]["namespace"].as<std::string>(), "duraudit");
  YAML::Node alerts = YAML::LoadFile(source_dir() + "/dashboards/alerts.yml");
  std::string where;
  EXPECT_TRUE(same_yaml(pr["spec"]["groups"], alerts["groups"], &where))
      << "deploy/kubernetes/prometheusrule.yaml differs from dashboards/alerts.yml at groups" << where
      << ": run scripts/gen_prometheusrule.py";
}

}  // namespace
}  // namespace duraudit
