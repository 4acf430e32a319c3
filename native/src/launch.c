// ts-ipa-launch <program> [args...]: runs <program> (the sandboxed IPA worker's Node) with
// io_uring_setup answering ENOSYS, as a kernel without io_uring would. libuv (Node 22 and later)
// sets up an io_uring for its event loop while Node starts, before the worker can install its
// sandbox; the sandbox then refuses io_uring (what goes through a ring is out of the filter's
// sight) and libuv aborts on its next wait. Refused from the start, libuv uses epoll alone.
// The filter outlives exec (with no_new_privs) and stacks under the worker's own.
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define LAUNCH_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define LAUNCH_ARCH AUDIT_ARCH_AARCH64
#endif

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: ts-ipa-launch <program> [args...]\n");
    return 2;
  }
#ifdef LAUNCH_ARCH
  struct sock_filter code[] = {
      // Another ABI's numbers mean other calls: left to the worker's filter, which kills them.
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, LAUNCH_ARCH, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog program = {(unsigned short)(sizeof code / sizeof code[0]), code};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
    fprintf(stderr, "ts-ipa-launch: cannot refuse io_uring: %s\n", strerror(errno));
    return 127;
  }
#endif
  execv(argv[1], argv + 1);
  fprintf(stderr, "ts-ipa-launch: cannot run %s: %s\n", argv[1], strerror(errno));
  return 127;
}
