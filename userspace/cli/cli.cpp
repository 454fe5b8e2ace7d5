#include "cli/cli.h"

#include <cstdio>

namespace duraudit {
int cli_main(int, char**) {
  std::fprintf(stderr, "duraudit: not built yet\n");
  return 2;
}
}  // namespace duraudit
