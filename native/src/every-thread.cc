// OnEveryThread(): a step every thread of the process runs on itself. Capabilities and Landlock
// domains belong to a thread, not to its process; by the time an addon runs, V8 and libuv have
// started threads of their own, and a sandbox that covered only the calling thread would leave
// libuv's pool (where fs.promises opens files) outside it. Each thread is sent a signal whose
// handler runs the step, the way the C library makes setuid() hold for every thread.
#include <dirent.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <vector>

#include "sandbox.h"

namespace tsipa {

namespace {

// The kernel's struct sigaction (x86_64 and aarch64 both have sa_restorer), for rt_sigaction.
struct KernelSigaction {
  void (*handler)(int, siginfo_t*, void*);
  unsigned long flags;
  void (*restorer)();
  uint64_t mask;
};

// The step in progress: which thread is to run it, and what it reported.
struct Errand {
  const ThreadStep* step = nullptr;
  std::atomic<pid_t> tid{0};
  std::atomic<bool> done{false};
  int err = 0;
  const char* failedStep = "";
};

Errand errand;

void OnSignal(int, siginfo_t* info, void*) {
  // Only the errand sent from this process to this thread (tgkill gives SI_TKILL).
  if (info->si_code != SI_TKILL || info->si_pid != getpid()) return;
  if (static_cast<pid_t>(syscall(SYS_gettid)) != errand.tid.load(std::memory_order_acquire)) return;
  int saved = errno;
  const char* failed = "";
  errand.err = errand.step->run(errand.step->context, &failed);
  errand.failedStep = failed;
  errand.done.store(true, std::memory_order_release);
  errno = saved;
}

int RtSigaction(int signal, const KernelSigaction* action, KernelSigaction* previous) {
  return static_cast<int>(syscall(SYS_rt_sigaction, signal, action, previous, sizeof(uint64_t)));
}

#if defined(__GLIBC__)
// glibc's SIGSETXID (__SIGRTMIN + 1): the signal it sends every thread for setuid(), which no
// thread can therefore block (pthread_sigmask leaves it out). Node's inspector watchdog thread
// blocks every other signal. The C library refuses a handler for its own signal, so the handler
// is installed its way (with its signal-return trampoline) on a borrowed signal, whose action is
// put back at once, and the kernel's copy of that action moved to SIGSETXID.
constexpr int kSignal = __SIGRTMIN + 1;

bool Install(KernelSigaction* previous) {
  int borrowed = SIGRTMIN;
  struct sigaction mine {}, theirs {};
  mine.sa_sigaction = OnSignal;
  mine.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&mine.sa_mask);
  if (sigaction(borrowed, &mine, &theirs) < 0) return false;
  KernelSigaction kernel{};
  bool read = RtSigaction(borrowed, nullptr, &kernel) == 0;
  sigaction(borrowed, &theirs, nullptr);
  return read && RtSigaction(kSignal, &kernel, previous) == 0;
}
#else
// Elsewhere, a real-time signal; a thread that blocks it makes OnEveryThread fail.
const int kSignal = SIGRTMIN;

bool Install(KernelSigaction* previous) {
  struct sigaction mine {};
  mine.sa_sigaction = OnSignal;
  mine.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&mine.sa_mask);
  return RtSigaction(kSignal, nullptr, previous) == 0 && sigaction(kSignal, &mine, nullptr) == 0;
}
#endif

std::vector<pid_t> Threads() {
  std::vector<pid_t> tids;
  DIR* tasks = opendir("/proc/self/task");
  if (!tasks) return tids;
  while (dirent* entry = readdir(tasks)) {
    pid_t tid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (tid > 0) tids.push_back(tid);
  }
  closedir(tasks);
  return tids;
}

bool Alive(pid_t tid) {
  return syscall(SYS_tgkill, getpid(), tid, 0) == 0 || errno != ESRCH;
}

// Sends the errand to `tid` and waits for it. A thread that ended meanwhile is no failure.
bool RunOn(pid_t tid, const ThreadStep& step, ThreadFailure* failure) {
  errand.step = &step;
  errand.done.store(false, std::memory_order_relaxed);
  errand.tid.store(tid, std::memory_order_release);
  if (syscall(SYS_tgkill, getpid(), tid, kSignal) < 0) {
    if (errno == ESRCH) return true;
    *failure = {tid, errno, "tgkill"};
    return false;
  }
  // Generous: a thread on a loaded machine may wait long for a CPU.
  const timespec pause{0, 1000 * 1000};
  for (int waited = 0; !errand.done.load(std::memory_order_acquire); waited++) {
    if (waited % 10 == 0 && !Alive(tid)) return true;
    if (waited >= 20 * 1000) {
      errand.tid.store(0, std::memory_order_release);
      *failure = {tid, ETIMEDOUT, "waiting for the thread to confine itself"};
      return false;
    }
    nanosleep(&pause, nullptr);
  }
  errand.tid.store(0, std::memory_order_release);
  if (errand.err != 0) {
    *failure = {tid, errand.err, errand.failedStep};
    return false;
  }
  return true;
}

// Every thread but the caller's, until a pass finds none it has not seen: a thread started
// meanwhile by one not yet confined is found by the next pass.
bool RunOnOthers(const ThreadStep& step, ThreadFailure* failure) {
  pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
  std::set<pid_t> seen{self};
  for (bool found = true; found;) {
    found = false;
    for (pid_t tid : Threads()) {
      if (!seen.insert(tid).second) continue;
      found = true;
      if (!RunOn(tid, step, failure)) return false;
    }
  }
  return true;
}

}  // namespace

bool OnEveryThread(const ThreadStep& step, ThreadFailure* failure) {
  KernelSigaction previous{};
  if (!Install(&previous)) {
    *failure = {static_cast<pid_t>(syscall(SYS_gettid)), errno, "rt_sigaction"};
    return false;
  }
  // On failure the handler stays: a thread that never answered may still take the signal, and
  // the C library's handler would then run a setuid() nobody asked for. The worker ends anyway.
  if (!RunOnOthers(step, failure)) return false;
  RtSigaction(kSignal, &previous, nullptr);
  // The caller last: confined, it might no longer be allowed to signal the others.
  const char* failed = "";
  int err = step.run(step.context, &failed);
  if (err != 0) {
    *failure = {static_cast<pid_t>(syscall(SYS_gettid)), err, failed};
    return false;
  }
  return true;
}

}  // namespace tsipa
