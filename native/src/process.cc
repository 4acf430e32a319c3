// The worker process itself: ending with its parent, holding only the fds it was handed, and
// keeping its own helper threads out of the way of the thread that answers calls.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "errors.h"
#include "fds.h"

namespace tsipa {

// dieWithParent(): the kernel sends this process SIGKILL when the process that started it ends
// (PR_SET_PDEATHSIG). Returns false if that parent is already gone (re-parented to init or a
// subreaper), so that the caller can exit at once.
static Napi::Value DieWithParent(const Napi::CallbackInfo& info) {
  pid_t parent = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) throw SystemError(info.Env(), errno, "prctl");
  return Napi::Boolean::New(info.Env(), getppid() == parent && parent != 1);
}

// niceOtherThreads(nice): gives every thread of this process but the calling one the nice value
// `nice` (Linux nice values are per thread) and returns how many it changed. V8 compiles and
// collects garbage on helper threads; woken while a call is being answered, they take the CPU
// from the thread that answers it for up to milliseconds. Threads started later inherit the
// caller's own priority, not this one.
static Napi::Value NiceOtherThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "niceOtherThreads(nice): nice must be a number");
  int nice = info[0].As<Napi::Number>().Int32Value();
  pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
  DIR* tasks = opendir("/proc/self/task");
  if (!tasks) throw SystemError(env, errno, "opendir(/proc/self/task)");
  int changed = 0;
  int failure = 0;
  while (dirent* entry = readdir(tasks)) {
    pid_t tid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (tid <= 0 || tid == self) continue;
    // A thread may end between readdir and here (ESRCH): nothing to do for it.
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(tid), nice) == 0) changed++;
    else if (errno != ESRCH) failure = errno;
  }
  closedir(tasks);
  if (failure != 0) throw SystemError(env, failure, "setpriority");
  return Napi::Number::New(env, changed);
}

// closeInheritedFds(keep): closes every fd without close-on-exec but those in `keep`, and
// returns how many. Everything Node and libuv open is close-on-exec; an fd without it was
// inherited from whoever started this process (libuv's spawn passes on every such fd), as
// libcamera's Process::start closes all but the ones it hands over.
static Napi::Value CloseInheritedFds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(env, "closeInheritedFds(keep): keep must be an array of fds");
  Napi::Array keepList = info[0].As<Napi::Array>();
  std::vector<int> keep;
  for (uint32_t i = 0; i < keepList.Length(); i++) keep.push_back(keepList.Get(i).As<Napi::Number>().Int32Value());
  DIR* fds = opendir("/proc/self/fd");
  if (!fds) throw SystemError(env, errno, "opendir(/proc/self/fd)");
  std::vector<int> inherited;
  int own = dirfd(fds);
  while (dirent* entry = readdir(fds)) {
    if (entry->d_name[0] == '.') continue;
    int fd = std::atoi(entry->d_name);
    if (fd == own || std::find(keep.begin(), keep.end(), fd) != keep.end()) continue;
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC)) inherited.push_back(fd);
  }
  closedir(fds);
  for (int fd : inherited) close(fd);
  return Napi::Number::New(env, static_cast<double>(inherited.size()));
}

void InitProcess(Napi::Env env, Napi::Object exports) {
  exports.Set("closeInheritedFds", Napi::Function::New(env, CloseInheritedFds, "closeInheritedFds"));
  exports.Set("dieWithParent", Napi::Function::New(env, DieWithParent, "dieWithParent"));
  exports.Set("niceOtherThreads", Napi::Function::New(env, NiceOtherThreads, "niceOtherThreads"));
}

}  // namespace tsipa
