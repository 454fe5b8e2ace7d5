// A process whose io_uring or Linux AIO operations the event source could
// not show (an strace log shows io_uring_setup/io_uring_enter and
// io_setup/io_submit, never the requests and iocbs themselves): what it
// wrote and synced through them is unknown, so verdicts about the files it
// touched are incomplete (docs/async-io.md, "Offline (strace) logs").
#pragma once

#include <cstdint>
#include <string>

namespace duraudit {

struct AsyncBlindProcess {
  int32_t pid = 0;
  std::string comm;
  bool io_uring = false;  // io_uring_setup / io_uring_enter / io_uring_register
  bool aio = false;       // io_setup / io_submit / io_getevents / io_pgetevents
  uint64_t since_ns = 0;  // its first such call (or the fork that shared its fds)
};

// "io_uring", "Linux AIO" or "io_uring and Linux AIO".
inline std::string async_blind_uses(const AsyncBlindProcess& p) {
  if (p.io_uring && p.aio) return "io_uring and Linux AIO";
  return p.io_uring ? "io_uring" : "Linux AIO";
}

}  // namespace duraudit
