// SPDX-License-Identifier: GPL-2.0-only
#include "metrics/process_collector.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace duraudit {
namespace {

std::optional<double> boot_time_seconds() {
  std::ifstream in("/proc/stat");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("btime ", 0) == 0) return std::strtod(line.c_str() + 6, nullptr);
  return std::nullopt;
}

std::optional<double> count_open_fds() {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return std::nullopt;
  double n = 0;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n - 1;  // the directory stream's own fd
}

prometheus::MetricFamily family(const char* name, const char* help, prometheus::MetricType type, double v) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter)
    m.counter.value = v;
  else
    m.gauge.value = v;
  f.metric.push_back(std::move(m));
  return f;
}

}  // namespace

bool parse_proc_stat(const std::string& stat, double boot_time, long ticks, long page_size, ProcessSample* out) {
  auto close = stat.rfind(')');
  if (close == std::string::npos || ticks <= 0) return false;
  // Fields after comm, numbered as in proc(5): 3 is state.
  std::istringstream in(stat.substr(close + 1));
  // Three empty slots first (index 0, pid, comm), so f[i] is proc(5)'s field i.
  std::vector<std::string> f(3);
  for (std::string w; in >> w;) f.push_back(w);
  // f[3] is state, ... utime 14, stime 15, starttime 22, vsize 23, rss 24.
  if (f.size() < 25) return false;
  auto num = [&](size_t i) { return std::strtod(f[i].c_str(), nullptr); };
  out->cpu_seconds = (num(14) + num(15)) / static_cast<double>(ticks);
  out->start_time_seconds = boot_time + num(22) / static_cast<double>(ticks);
  out->virtual_bytes = num(23);
  out->resident_bytes = num(24) * static_cast<double>(page_size);
  return true;
}

std::optional<ProcessSample> sample_self() {
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto btime = boot_time_seconds();
  auto fds = count_open_fds();
  rlimit nofile{};
  if (stat.empty() || !btime || !fds || getrlimit(RLIMIT_NOFILE, &nofile) != 0) return std::nullopt;
  ProcessSample s;
  if (!parse_proc_stat(stat, *btime, sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE), &s)) return std::nullopt;
  s.open_fds = *fds;
  s.max_fds = nofile.rlim_cur == RLIM_INFINITY ? 0 : static_cast<double>(nofile.rlim_cur);
  return s;
}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  auto s = sample_self();
  if (!s) return {};
  using prometheus::MetricType;
  return {
      family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", MetricType::Counter,
             s->cpu_seconds),
      family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge, s->open_fds),
      family("process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge, s->max_fds),
      family("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge, s->virtual_bytes),
      family("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
             s->resident_bytes),
      family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
             MetricType::Gauge, s->start_time_seconds),
  };
}

}  // namespace duraudit
