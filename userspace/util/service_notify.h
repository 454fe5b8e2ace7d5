// SPDX-License-Identifier: GPL-2.0-only
// systemd's service protocol for attach (deploy/duraudit.service,
// Type=notify, WatchdogSec=): READY=1 once the BPF programs are attached and
// running processes seeded, WATCHDOG=1 from the event loop while it goes
// round, RELOADING=1 / READY=1 around a SIGHUP reload, STOPPING=1 at the
// end. Through sd_notify(3): without $NOTIFY_SOCKET (not under systemd, or
// Type=exec) every call does nothing.
#pragma once

#include <cstdint>
#include <string>

namespace duraudit {

class ServiceNotifier {
 public:
  // Reads $WATCHDOG_USEC / $WATCHDOG_PID (sd_watchdog_enabled).
  ServiceNotifier();

  void ready(const std::string& status);
  void reloading();
  void reloaded();
  void stopping();
  // Called every time the event loop goes round; sends WATCHDOG=1 at most
  // every half watchdog interval (what sd_watchdog_enabled(3) advises), so a
  // loop that stops going round misses the deadline and systemd acts.
  void loop_went_round(uint64_t monotonic_ns);

  uint64_t watchdog_interval_ns() const { return watchdog_ns_; }

 private:
  void send(const std::string& state);
  uint64_t watchdog_ns_ = 0;  // 0: no watchdog asked for
  uint64_t last_ping_ns_ = 0;
};

}  // namespace duraudit
