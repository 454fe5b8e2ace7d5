// SPDX-License-Identifier: GPL-2.0-only
#include "util/service_notify.h"

#include <systemd/sd-daemon.h>

#include <spdlog/spdlog.h>

#include <cstring>

namespace duraudit {

ServiceNotifier::ServiceNotifier() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(/*unset_environment=*/0, &usec) > 0) watchdog_ns_ = usec * 1000;
  if (watchdog_ns_) spdlog::debug("systemd watchdog: every {} ms", watchdog_ns_ / 1'000'000);
}

void ServiceNotifier::send(const std::string& state) {
  // unset_environment=0: programs the agent starts never run under it, and
  // the variables say where to send the next message.
  int rc = sd_notify(0, state.c_str());
  if (rc < 0) spdlog::warn("cannot notify systemd ({}): {}", state.substr(0, state.find('\n')), std::strerror(-rc));
}

void ServiceNotifier::ready(const std::string& status) { send("READY=1\nSTATUS=" + status); }

void ServiceNotifier::reloading() { send("RELOADING=1"); }

void ServiceNotifier::reloaded() { send("READY=1"); }

void ServiceNotifier::stopping() { send("STOPPING=1"); }

void ServiceNotifier::loop_went_round(uint64_t now_ns) {
  if (!watchdog_ns_ || now_ns - last_ping_ns_ < watchdog_ns_ / 2) return;
  last_ping_ns_ = now_ns;
  send("WATCHDOG=1");
}

}  // namespace duraudit
