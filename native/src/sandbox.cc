// enterSandbox(): what an isolated IPA worker may not do, enforced by the kernel. A seccomp
// filter (for every thread, now and later) refuses: new programs and processes, sockets (so no
// network, and no other local services), signals to other processes, ptrace, opening files for
// writing or changing the file system, mapping new native code, and kernel facilities no IPA
// needs; RLIMIT_DATA caps its memory. The filter cannot be lifted once installed.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <fcntl.h>
#include <vector>

#include "errors.h"
#include "fds.h"
#include "sandbox.h"

namespace tsipa {

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
};

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
  // local service.
  for (long nr : {SYS_socket, SYS_connect, SYS_bind, SYS_listen, SYS_accept, SYS_accept4}) f.Deny(nr, EACCES);
  // Signals to itself only; no tracing or reading other processes.
  f.DenyUnlessArg(SYS_kill, 0, static_cast<uint32_t>(self), EPERM);
  f.DenyUnlessArg(SYS_tgkill, 0, static_cast<uint32_t>(self), EPERM);
  for (long nr : {SYS_tkill, SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev, SYS_pidfd_open, SYS_pidfd_send_signal}) f.Deny(nr, EPERM);
  // Files: read-only opens; no creating, removing, renaming or changing files.
#ifdef SYS_open
  f.DenyUnlessBits(SYS_open, 1, kWriteFlags, false, EACCES);
  for (long nr : {SYS_creat, SYS_unlink, SYS_rename, SYS_mkdir, SYS_rmdir, SYS_symlink, SYS_link, SYS_chmod, SYS_chown, SYS_lchown, SYS_mknod}) f.Deny(nr, EACCES);
#endif
  f.DenyUnlessBits(SYS_openat, 2, kWriteFlags, false, EACCES);
  for (long nr : {SYS_openat2, SYS_unlinkat, SYS_renameat, SYS_renameat2, SYS_mkdirat, SYS_symlinkat, SYS_linkat, SYS_fchmodat,
                  SYS_fchownat, SYS_truncate, SYS_mknodat}) {
    f.Deny(nr, nr == SYS_openat2 ? ENOSYS : EACCES);
  }
  // New native code: an executable mapping of a file is how a shared library (an addon) loads.
  // V8's own code is in anonymous memory (fd -1) and stays allowed.
  f.LoadNr();
  f.Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 6));
  f.LoadArg(2);
  f.Emit(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 2));
  f.LoadArg(4);
  f.Emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffu, 0, 1));
  f.Emit(Filter::Ret(SECCOMP_RET_ALLOW));
  // (falls through here only for an executable file mapping)
  f.Emit(Filter::Ret(Filter::Errno(EPERM)));
  // Kernel facilities an IPA has no use for, some of them ways out of a sandbox.
  for (long nr : {SYS_bpf, SYS_perf_event_open, SYS_userfaultfd, SYS_keyctl, SYS_add_key, SYS_request_key, SYS_init_module,
                  SYS_finit_module, SYS_delete_module, SYS_kexec_load, SYS_reboot, SYS_swapon, SYS_swapoff, SYS_mount, SYS_umount2,
                  SYS_pivot_root, SYS_chroot, SYS_unshare, SYS_setns}) {
    f.Deny(nr, EPERM);
  }
  f.Emit(Filter::Ret(SECCOMP_RET_ALLOW));
  return f.code;
}

}  // namespace
#endif  // TSIPA_SECCOMP_ARCH

// enterSandbox(memoryLimitBytes): see the top of this file. Throws if any part fails: a worker
// asked to run sandboxed must not run otherwise.
static Napi::Value EnterSandbox(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "enterSandbox(memoryLimitBytes): a number is needed");
  double limit = info[0].As<Napi::Number>().DoubleValue();
  if (limit > 0) {
    rlimit data{static_cast<rlim_t>(limit), static_cast<rlim_t>(limit)};
    if (setrlimit(RLIMIT_DATA, &data) < 0) throw SystemError(env, errno, "setrlimit(RLIMIT_DATA)");
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) throw SystemError(env, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
#ifndef TSIPA_SECCOMP_ARCH
  // The filter's system call numbers are known for x86_64 and aarch64 only.
  throw SystemError(env, ENOSYS, "seccomp", "no sandbox filter for this architecture");
#else
  std::vector<sock_filter> code = BuildFilter(getpid());
  sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &program) != 0) {
    throw SystemError(env, errno, "seccomp(SECCOMP_SET_MODE_FILTER, TSYNC)");
  }
  return env.Undefined();
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
