// Landlock: the kernel's own confinement of what files an unprivileged process may reach.
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "errors.h"
#include "fds.h"
#include "sandbox.h"

namespace tsipa {

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif

int LandlockAbi() {
  constexpr unsigned kVersion = 1U << 0;  // LANDLOCK_CREATE_RULESET_VERSION
  long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, kVersion);
  return abi < 0 ? 0 : static_cast<int>(abi);
}

}  // namespace tsipa
