// The parts enterSandbox() is made of.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace tsipa {

// The kernel's Landlock ABI version, or 0 when it has none (too old, or not enabled).
int LandlockAbi();

struct LandlockStatus {
  int abi = 0;        // 0: no Landlock here, and no ruleset
  int ruleset = -1;   // the ruleset's fd, for LandlockRestrictSelf, when abi > 0
  int err = 0;        // a failure: errno, the call, and the path it was about
  const char* call = "";
  std::string detail;
};

// A ruleset that handles every file system right the kernel knows, TCP bind and connect, and
// the signal and abstract-socket scopes (as far as its ABI goes), and gives back only reading
// `readable` (files, or directories with everything below them).
LandlockStatus LandlockRuleset(const std::vector<std::string>& readable);

// Puts the calling thread (and the threads and programs it starts later) under the ruleset for
// good. 0 or errno. Async-signal-safe.
int LandlockRestrictSelf(int ruleset);

// What one thread is to do to itself: 0, or errno with the step that failed. Called from a
// signal handler on every thread but the caller's: async-signal-safe system calls only.
struct ThreadStep {
  int (*run)(const void* context, const char** failedStep);
  const void* context;
};

struct ThreadFailure {
  pid_t tid = 0;
  int err = 0;
  const char* step = "";
};

// Runs `step` on every thread of this process, the calling thread last (credentials and Landlock
// domains are per thread; only seccomp has a flag for all of them). false, with what failed, if a
// thread reported an error or never ran the step.
bool OnEveryThread(const ThreadStep& step, ThreadFailure* failure);

}  // namespace tsipa
