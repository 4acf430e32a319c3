// ts-ipa-launch [--close-fds-from=N] [--new-namespaces] [--allow-io-uring] <program> [args...]
//
// Runs <program> (the sandboxed IPA worker's Node) with io_uring_setup answering ENOSYS, as a
// kernel without io_uring would. libuv (Node 22 and later) sets up an io_uring for its event loop
// while Node starts, before the worker can install its sandbox; the sandbox then refuses io_uring
// (what goes through a ring is out of the filter's sight) and libuv aborts on its next wait.
// Refused from the start, libuv uses epoll alone. The filter outlives exec (with no_new_privs)
// and stacks under the worker's own. --allow-io-uring leaves it out: a worker that is not
// ts-ipa's (libcamera's own, say) installs no sandbox under which a ring would break.
//
// --close-fds-from=N closes every fd from N up before the exec, as libcamera's process launcher
// does for its workers: Node's spawn passes on every fd of the handler that lacks close-on-exec
// (one it inherited, one an addon opened), and a worker that is not ts-ipa's does not close them
// itself.
//
// --new-namespaces runs it in a user namespace and a network namespace of its own, as libcamera's
// launcher creates its workers (clone3 with CLONE_NEWUSER | CLONE_NEWNET): with no uid mapped it
// is nobody to the host's files, and it has no network nor the host's abstract Unix sockets. A
// kernel that refuses the namespaces refuses the worker, as it would refuse libcamera's.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define LAUNCH_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define LAUNCH_ARCH AUDIT_ARCH_AARCH64
#endif

#define CLOSE_FROM "--close-fds-from="

// Every fd from `first` up, closed: by close_range where the kernel has it (5.9), else one by
// one as /proc/self/fd lists them.
static int close_fds_from(int first) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, (unsigned)first, ~0U, 0) == 0) return 0;
#endif
  // Scanned again while a scan fills the list: there may be more than it holds.
  for (;;) {
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) return -1;
    int open_fds[1024];
    size_t count = 0;
    for (struct dirent* entry; count < sizeof open_fds / sizeof open_fds[0] && (entry = readdir(dir)) != NULL;) {
      int fd = atoi(entry->d_name);
      if (fd >= first && fd != dirfd(dir)) open_fds[count++] = fd;
    }
    closedir(dir);
    for (size_t i = 0; i < count; i++) close(open_fds[i]);
    if (count < sizeof open_fds / sizeof open_fds[0]) return 0;
  }
}

static int refuse_io_uring(void) {
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
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) return -1;
#endif
  return 0;
}

int main(int argc, char** argv) {
  int first = 1;
  int close_from = -1;
  int io_uring = 0;
  int namespaces = 0;
  for (; first < argc && strncmp(argv[first], "--", 2) == 0; first++) {
    if (strncmp(argv[first], CLOSE_FROM, strlen(CLOSE_FROM)) == 0) {
      char* end;
      long n = strtol(argv[first] + strlen(CLOSE_FROM), &end, 10);
      if (*end != '\0' || n < 3 || n > 65536) {
        fprintf(stderr, "ts-ipa-launch: %s: N must be a number from 3 up\n", argv[first]);
        return 2;
      }
      close_from = (int)n;
    } else if (strcmp(argv[first], "--new-namespaces") == 0) {
      namespaces = 1;
    } else if (strcmp(argv[first], "--allow-io-uring") == 0) {
      io_uring = 1;
    } else {
      fprintf(stderr, "ts-ipa-launch: unknown option %s\n", argv[first]);
      return 2;
    }
  }
  if (first >= argc) {
    fprintf(stderr, "usage: ts-ipa-launch [--close-fds-from=N] [--new-namespaces] [--allow-io-uring] <program> [args...]\n");
    return 2;
  }
  if (close_from >= 0 && close_fds_from(close_from) != 0) {
    fprintf(stderr, "ts-ipa-launch: cannot close the inherited fds: %s\n", strerror(errno));
    return 127;
  }
  if (namespaces && unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) {
    fprintf(stderr, "ts-ipa-launch: cannot give the worker a user and a network namespace of its own: %s\n", strerror(errno));
    return 127;
  }
  if (!io_uring && refuse_io_uring() != 0) {
    fprintf(stderr, "ts-ipa-launch: cannot refuse io_uring: %s\n", strerror(errno));
    return 127;
  }
  execvp(argv[first], argv + first);
  fprintf(stderr, "ts-ipa-launch: cannot run %s: %s\n", argv[first], strerror(errno));
  return 127;
}
