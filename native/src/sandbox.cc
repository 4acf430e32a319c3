// enterSandbox(): what an isolated IPA worker may not do, enforced by the kernel. Every thread
// of the worker gives up every capability and, where the kernel has Landlock, is confined to
// reading the directories it was given, by where files really are. A seccomp filter (for every
// thread, now and later) refuses: new programs and processes, sockets (so no network, and no
// other local services), signals to other processes, ptrace, changing another process's
// priority, scheduling or limits, opening files for writing or changing the file system or file
// metadata, memory the data limit does not count (shared anonymous memory, memfd, System V and
// POSIX IPC), mapping new native code, and kernel facilities no IPA needs. RLIMIT_DATA caps its
// memory; RLIMIT_NICE and RLIMIT_RTPRIO let it only lower its priority. None of it can be lifted.
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/fscrypt.h>
#include <linux/fsverity.h>
#include <linux/seccomp.h>
#include <linux/sockios.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstddef>
#include <fcntl.h>
#include <initializer_list>
#include <string>
#include <vector>

#include "errors.h"
#include "fds.h"
#include "sandbox.h"

namespace tsipa {

// <linux/ioprio.h> is not valid C++ in every kernel's headers (a parameter named `class`): its
// one value used here, as the kernel defines it.
constexpr uint32_t IOPRIO_WHO_PROCESS = 1;

#if defined(__x86_64__)
#define TSIPA_SECCOMP_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TSIPA_SECCOMP_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef TSIPA_SECCOMP_ARCH
constexpr uint32_t kArch = TSIPA_SECCOMP_ARCH;

namespace {

class Filter {
 public:
  std::vector<sock_filter> code;

  void Emit(sock_filter op) { code.push_back(op); }
  void LoadNr() { Emit(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr))); }
  // The low 32 bits of argument i (little-endian).
  void LoadArg(int i) { Emit(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<uint32_t>(offsetof(seccomp_data, args) + i * 8))); }
  static sock_filter Ret(uint32_t action) { return BPF_STMT(BPF_RET | BPF_K, action); }
  static uint32_t Errno(int err) { return SECCOMP_RET_ERRNO | (static_cast<uint32_t>(err) & SECCOMP_RET_DATA); }

  // The syscall is refused with err.
  void Deny(long nr, int err) {
    LoadNr();
    Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 1));
    Emit(Ret(Errno(err)));
  }

  // Allowed when some bit of mask is set in the argument (allowWhenSet) or when none is (not
  // allowWhenSet); refused with err otherwise. Jump offsets count the instructions skipped.
  void DenyUnlessBits(long nr, int arg, uint32_t mask, bool allowWhenSet, int err) {
    LoadNr();
    Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 4));
    LoadArg(arg);
    const uint8_t toAllow = 0, toDeny = 1;
    Emit(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, mask, allowWhenSet ? toAllow : toDeny, allowWhenSet ? toDeny : toAllow));
    Emit(Ret(SECCOMP_RET_ALLOW));
    Emit(Ret(Errno(err)));
  }

  // Allowed only when argument `arg` equals value.
  void DenyUnlessArg(long nr, int arg, uint32_t value, int err) {
    LoadNr();
    Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 4));
    LoadArg(arg);
    Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, value, 0, 1));
    Emit(Ret(SECCOMP_RET_ALLOW));
    Emit(Ret(Errno(err)));
  }

  // Allowed only when argument `pidArg` names this process: 0 or `self` (and, if kindArg >= 0,
  // argument kindArg is `kind`, the kind of id that is). pid_t and int arguments are 32 bits
  // to the kernel too.
  void DenyUnlessSelf(long nr, int pidArg, uint32_t self, int err, int kindArg = -1, uint32_t kind = 0) {
    LoadNr();
    Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, static_cast<uint8_t>(kindArg >= 0 ? 7 : 5)));
    if (kindArg >= 0) {
      LoadArg(kindArg);
      Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kind, 0, 3));
    }
    LoadArg(pidArg);
    Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0));
    Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, self, 1, 0));
    Emit(Ret(Errno(err)));
    Emit(Ret(SECCOMP_RET_ALLOW));
  }

  // Refused when argument `arg` (its low 32 bits: ioctl requests and fcntl commands are
  // unsigned int to the kernel) is one of `values`; otherwise on to the next rule, so that a
  // system call can have several lists.
  void DenyArgIn(long nr, int arg, std::initializer_list<uint32_t> values, int err) {
    const uint8_t count = static_cast<uint8_t>(values.size());
    LoadNr();
    Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, static_cast<uint8_t>(count + 3)));
    LoadArg(arg);
    uint8_t left = count;
    for (uint32_t value : values) Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, value, left--, 0));
    Emit(BPF_STMT(BPF_JMP | BPF_JA, 1));
    Emit(Ret(Errno(err)));
  }
};

// System calls newer than the C library's headers may know. From 424 on, x86_64 and aarch64
// share their numbers.
#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif
constexpr int kFchmodat2 = 452;
constexpr int kSetxattrat = 463;
constexpr int kRemovexattrat = 466;
constexpr int kOpenTreeAttr = 467;
constexpr int kFileSetattr = 469;

constexpr uint32_t kWriteFlags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;

std::vector<sock_filter> BuildFilter(pid_t self) {
  Filter f;
  // A system call made through another ABI (32-bit, x32) would dodge every rule below.
  f.Emit(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  f.Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0));
  f.Emit(Filter::Ret(SECCOMP_RET_KILL_PROCESS));
#if defined(__x86_64__)
  f.LoadNr();
  f.Emit(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000 /* __X32_SYSCALL_BIT */, 0, 1));
  f.Emit(Filter::Ret(SECCOMP_RET_KILL_PROCESS));
#endif

  // Programs and processes. Threads (clone with CLONE_THREAD) stay allowed; clone3 says ENOSYS,
  // which makes the C library fall back to clone, whose flags the filter can read.
  f.Deny(SYS_execve, EPERM);
  f.Deny(SYS_execveat, EPERM);
#ifdef SYS_fork
  f.Deny(SYS_fork, EPERM);
  f.Deny(SYS_vfork, EPERM);
#endif
  f.DenyUnlessBits(SYS_clone, 0, CLONE_THREAD, true, EPERM);
#ifdef SYS_clone3
  f.Deny(SYS_clone3, ENOSYS);
#endif
  // Sockets: the worker's one socket is inherited; a new one could reach the network or a
  // local service. Nor a socketpair: fds sent into one it never reads stay in flight, and the
  // kernel counts those against the user (the pipeline handler's too), refusing to pass any fd
  // (ETOOMANYREFS) for a user with more in flight than its RLIMIT_NOFILE.
  for (long nr : {SYS_socket, SYS_socketpair, SYS_connect, SYS_bind, SYS_listen, SYS_accept, SYS_accept4}) f.Deny(nr, EACCES);
  // Signals to itself only; no tracing or reading other processes.
  f.DenyUnlessArg(SYS_kill, 0, static_cast<uint32_t>(self), EPERM);
  f.DenyUnlessArg(SYS_tgkill, 0, static_cast<uint32_t>(self), EPERM);
  for (long nr : {SYS_tkill, SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev, SYS_pidfd_open, SYS_pidfd_send_signal}) f.Deny(nr, EPERM);
  // Priorities, scheduling and limits: its own only (0 or its pid). The worker renices its helper
  // threads by tid before the filter is installed; nothing after it needs another id. A process
  // group or user (PRIO_PGRP, PRIO_USER) would reach the pipeline handler. Capabilities are all
  // gone, and stay gone.
  const uint32_t me = static_cast<uint32_t>(self);
  f.DenyUnlessSelf(SYS_setpriority, 1, me, EPERM, 0, PRIO_PROCESS);
  f.DenyUnlessSelf(SYS_ioprio_set, 1, me, EPERM, 0, IOPRIO_WHO_PROCESS);
  for (long nr : {SYS_sched_setscheduler, SYS_sched_setparam, SYS_sched_setattr, SYS_sched_setaffinity, SYS_prlimit64, SYS_migrate_pages,
                  SYS_move_pages}) {
    f.DenyUnlessSelf(nr, 0, me, EPERM);
  }
  for (long nr : {SYS_capset, SYS_kcmp, SYS_pidfd_getfd, SYS_process_madvise, SYS_process_mrelease}) f.Deny(nr, EPERM);
  // Files: read-only opens; no creating, removing, renaming or changing files, their size or
  // their metadata (mode, owner, times, extended attributes, flags).
#ifdef SYS_open
  f.DenyUnlessBits(SYS_open, 1, kWriteFlags, false, EACCES);
  for (long nr : {SYS_creat, SYS_unlink, SYS_rename, SYS_mkdir, SYS_rmdir, SYS_symlink, SYS_link, SYS_chmod, SYS_chown, SYS_lchown, SYS_mknod,
                  SYS_utime, SYS_utimes, SYS_futimesat}) {
    f.Deny(nr, EACCES);
  }
#endif
  f.DenyUnlessBits(SYS_openat, 2, kWriteFlags, false, EACCES);
  for (long nr : {SYS_openat2, SYS_unlinkat, SYS_renameat, SYS_renameat2, SYS_mkdirat, SYS_symlinkat, SYS_linkat, SYS_fchmodat,
                  SYS_fchownat, SYS_truncate, SYS_mknodat}) {
    f.Deny(nr, nr == SYS_openat2 ? ENOSYS : EACCES);
  }
  // Nor the size or the metadata (mode, owner, times, extended attributes) of a file, by path or
  // through an fd it holds: a memfd from the pipeline handler, grown, is memory the data limit
  // does not count; shrunk, the handler's mapping of it faults.
  for (long nr : {SYS_ftruncate, SYS_fallocate, SYS_fchmod, SYS_fchown, kFchmodat2, SYS_utimensat, SYS_setxattr, SYS_lsetxattr,
                  SYS_fsetxattr, SYS_removexattr, SYS_lremovexattr, SYS_fremovexattr, kSetxattrat, kRemovexattrat, kFileSetattr}) {
    f.Deny(nr, EACCES);
  }
  // fcntl: seals are the memfd's creator's to set (F_SEAL_WRITE on a memfd the pipeline handler
  // passed would break the handler's own use of it); a lease on a file makes the handler's next
  // open of it wait (up to lease-break-time, 45 s); an fd's owner and signal (F_SETOWN, F_SETSIG,
  // then O_ASYNC) have the kernel signal another process, the handler, on its behalf. The
  // ioctls that set an owner, and those that push input into (or paste on) a terminal it holds
  // as stdout or stderr, for the same reasons.
  f.DenyArgIn(SYS_fcntl, 1, {F_ADD_SEALS, F_SETLEASE, F_SETOWN, F_SETOWN_EX, F_SETSIG}, EPERM);
  f.DenyArgIn(SYS_ioctl, 1, {FIOSETOWN, SIOCSPGRP, TIOCSPGRP, TIOCSTI, TIOCLINUX}, EPERM);
  // The ioctls that change a file's flags or attributes, or its encryption or verity, which work
  // on an fd opened for reading.
  f.DenyArgIn(SYS_ioctl, 1, {FS_IOC_SETFLAGS, FS_IOC32_SETFLAGS, FS_IOC_SETVERSION, FS_IOC32_SETVERSION, FS_IOC_FSSETXATTR,
                             FS_IOC_ENABLE_VERITY, FS_IOC_SET_ENCRYPTION_POLICY, FS_IOC_ADD_ENCRYPTION_KEY,
                             FS_IOC_REMOVE_ENCRYPTION_KEY, FS_IOC_REMOVE_ENCRYPTION_KEY_ALL_USERS}, EACCES);
  // Memory RLIMIT_DATA does not count: shared memory (memfd, System V, POSIX message queues,
  // MAP_SHARED of anonymous memory) and memory it does not see (io_uring's rings, which also
  // make file operations the filter never sees).
  for (long nr : {SYS_memfd_create, SYS_memfd_secret, SYS_shmget, SYS_shmat, SYS_shmctl, SYS_msgget, SYS_msgsnd, SYS_msgrcv, SYS_msgctl,
                  SYS_semget, SYS_semop, SYS_semtimedop, SYS_semctl, SYS_mq_open, SYS_mq_unlink, SYS_io_uring_setup, SYS_io_uring_enter,
                  SYS_io_uring_register}) {
    f.Deny(nr, EPERM);
  }
  // mmap: no shared anonymous memory (MAP_SHARED and MAP_SHARED_VALIDATE share a bit), no
  // MAP_GROWSDOWN (counted as stack, not data), and no new native code: an executable mapping
  // of a file is how a shared library (an addon) loads. V8's own code is in anonymous memory
  // (fd -1) and stays allowed. Shared mappings of fds it was handed (frames, memfds) stay too.
  f.LoadNr();
  f.Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 11));
  f.LoadArg(3);
  f.Emit(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, MAP_SHARED | MAP_ANONYMOUS));
  f.Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MAP_SHARED | MAP_ANONYMOUS, 6, 0));
  f.LoadArg(3);
  f.Emit(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_GROWSDOWN, 4, 0));
  f.LoadArg(2);
  f.Emit(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 3));
  f.LoadArg(4);
  f.Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffu, 1, 0));
  // (falls through here for shared anonymous memory, MAP_GROWSDOWN or an executable file mapping)
  f.Emit(Filter::Ret(Filter::Errno(EPERM)));
  f.Emit(Filter::Ret(SECCOMP_RET_ALLOW));
  // Kernel facilities an IPA has no use for, some of them ways out of a sandbox: file handles
  // (open_by_handle_at opens any file of a file system by number), quotas, the mount API.
  for (long nr : {SYS_bpf, SYS_perf_event_open, SYS_userfaultfd, SYS_keyctl, SYS_add_key, SYS_request_key, SYS_init_module,
                  SYS_finit_module, SYS_delete_module, SYS_kexec_load, SYS_reboot, SYS_swapon, SYS_swapoff, SYS_mount, SYS_umount2,
                  SYS_pivot_root, SYS_chroot, SYS_unshare, SYS_setns, SYS_name_to_handle_at, SYS_open_by_handle_at, SYS_quotactl,
                  SYS_quotactl_fd, SYS_open_tree, kOpenTreeAttr, SYS_move_mount, SYS_fsopen, SYS_fsconfig, SYS_fsmount, SYS_fspick,
                  SYS_mount_setattr, SYS_acct}) {
    f.Deny(nr, EPERM);
  }
  f.Emit(Filter::Ret(SECCOMP_RET_ALLOW));
  return f.code;
}

}  // namespace
#endif  // TSIPA_SECCOMP_ARCH

namespace {

bool HasEffective(int capability) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) < 0) return false;
  return (data[capability >> 5].effective & (1U << (capability & 31))) != 0;
}

int Failure(const char** failed, const char* call, int err) {
  *failed = call;
  return err;
}

// Every capability of the calling thread, for good: its bounding set (what exec could give back)
// when it may change that, then its ambient, inheritable, permitted and effective sets, read
// back to be sure. A thread without CAP_SETPCAP cannot drop its bounding set, nor has it a use
// for it: it has no capability left, and the filter refuses exec.
int DropCapabilities(const char** failed) {
  if (HasEffective(CAP_SETPCAP)) {
    for (int capability = 0;; capability++) {
      int held = prctl(PR_CAPBSET_READ, capability, 0, 0, 0);
      if (held < 0) break;  // past the last capability this kernel knows
      if (held == 1 && prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) < 0) return Failure(failed, "prctl(PR_CAPBSET_DROP)", errno);
    }
  }
  // EINVAL: a kernel older than ambient capabilities (4.3), which has none to clear.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) return Failure(failed, "prctl(PR_CAP_AMBIENT_CLEAR_ALL)", errno);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capset, &header, data) < 0) return Failure(failed, "capset", errno);
  if (syscall(SYS_capget, &header, data) < 0) return Failure(failed, "capget", errno);
  for (const __user_cap_data_struct& word : data) {
    if (word.effective | word.permitted | word.inheritable) return Failure(failed, "capset (a capability is left)", EPERM);
  }
  return 0;
}

// What every thread does to itself (from OnEveryThread's signal handler: system calls only).
int ConfineThread(const void* context, const char** failed) {
  int ruleset = *static_cast<const int*>(context);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return Failure(failed, "prctl(PR_SET_NO_NEW_PRIVS)", errno);
  if (ruleset >= 0) {
    int err = LandlockRestrictSelf(ruleset);
    if (err != 0) return Failure(failed, "landlock_restrict_self", err);
  }
  return DropCapabilities(failed);
}

// What the kernel counts as this process's data now (VmData, bytes), or 0 if it cannot say.
double DataInUse() {
  FILE* status = std::fopen("/proc/self/status", "r");
  if (!status) return 0;
  char line[256];
  double kib = 0;
  while (std::fgets(line, sizeof line, status)) {
    if (std::sscanf(line, "VmData: %lf kB", &kib) == 1) break;
  }
  std::fclose(status);
  return kib * 1024;
}

// RLIMIT_DATA caps the memory it can allocate beyond what Node held when the sandbox was
// entered: Node 24's V8 reserves a 512 MiB code range the kernel counts as data before any of it
// is used, so a limit on the total would leave a small budget nothing, or kill Node outright; the
// JavaScript heap has its own cap (--max-old-space-size). RLIMIT_NICE and RLIMIT_RTPRIO at 0 let it lower
// its priority but never raise it, nor take a real-time policy; RLIMIT_CORE at 0 means a crash
// writes no core file (with a piped core_pattern, or without Landlock, the kernel would write
// the worker's memory, up to its limit, outside the sandbox).
void SetLimits(Napi::Env env, double dataBytes) {
  if (dataBytes > 0) {
    rlim_t limit = static_cast<rlim_t>(DataInUse() + dataBytes);
    rlimit data{limit, limit};
    if (setrlimit(RLIMIT_DATA, &data) < 0) throw SystemError(env, errno, "setrlimit(RLIMIT_DATA)");
  }
  rlimit none{0, 0};
  if (setrlimit(RLIMIT_NICE, &none) < 0) throw SystemError(env, errno, "setrlimit(RLIMIT_NICE)");
  if (setrlimit(RLIMIT_RTPRIO, &none) < 0) throw SystemError(env, errno, "setrlimit(RLIMIT_RTPRIO)");
  if (setrlimit(RLIMIT_CORE, &none) < 0) throw SystemError(env, errno, "setrlimit(RLIMIT_CORE)");
}

std::vector<std::string> Strings(Napi::Array array) {
  std::vector<std::string> strings;
  for (uint32_t i = 0; i < array.Length(); i++) strings.push_back(array.Get(i).As<Napi::String>().Utf8Value());
  return strings;
}

}  // namespace

// enterSandbox(memoryLimitBytes, readable): see the top of this file; `readable` are the files
// and directories the worker may read (its real paths). Returns { landlockAbi } (0: the kernel
// has no Landlock, and reads are confined by Node's permission model alone). Throws if any part
// fails: a worker asked to run sandboxed must not run otherwise.
static Napi::Value EnterSandbox(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsArray()) {
    throw Napi::TypeError::New(env, "enterSandbox(memoryLimitBytes, readable): a number and an array of paths are needed");
  }
  std::vector<std::string> readable = Strings(info[1].As<Napi::Array>());
  SetLimits(env, info[0].As<Napi::Number>().DoubleValue());
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) throw SystemError(env, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
#ifndef TSIPA_SECCOMP_ARCH
  // The filter's system call numbers are known for x86_64 and aarch64 only.
  throw SystemError(env, ENOSYS, "seccomp", "no sandbox filter for this architecture");
#else
  LandlockStatus landlock = LandlockRuleset(readable);
  if (landlock.err != 0) throw SystemError(env, landlock.err, landlock.call, landlock.detail);
  ThreadStep step{ConfineThread, &landlock.ruleset};
  ThreadFailure failure;
  bool confined = OnEveryThread(step, &failure);
  if (landlock.ruleset >= 0) close(landlock.ruleset);
  if (!confined) throw SystemError(env, failure.err, failure.step, "thread " + std::to_string(failure.tid));
  std::vector<sock_filter> code = BuildFilter(getpid());
  sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &program) != 0) {
    throw SystemError(env, errno, "seccomp(SECCOMP_SET_MODE_FILTER, TSYNC)");
  }
  Napi::Object entered = Napi::Object::New(env);
  entered.Set("landlockAbi", Napi::Number::New(env, landlock.abi));
  return entered;
#endif
}

// sandboxSupport(): what of the sandbox this kernel can enforce.
static Napi::Value SandboxSupport(const Napi::CallbackInfo& info) {
  Napi::Object support = Napi::Object::New(info.Env());
  support.Set("landlockAbi", Napi::Number::New(info.Env(), LandlockAbi()));
  return support;
}

void InitSandbox(Napi::Env env, Napi::Object exports) {
  exports.Set("enterSandbox", Napi::Function::New(env, EnterSandbox, "enterSandbox"));
  exports.Set("sandboxSupport", Napi::Function::New(env, SandboxSupport, "sandboxSupport"));
}

}  // namespace tsipa
