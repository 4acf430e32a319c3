// Landlock: the kernel confines, by where a file really is, what a process may open. Node's
// permission model checks the path it is given; a link inside an allowed directory leads
// anywhere. A Landlock rule names a directory by an open fd, and every open below is checked
// against the file's real place in the tree, however the path got there (links, `..`,
// /proc/<pid>/root).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

#include "sandbox.h"

namespace tsipa {

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

namespace {

// The kernel's structures (include/uapi/linux/landlock.h). The C library's copy of that header
// may be older than the kernel, so the layout is spelt out here: it only ever grows.
struct RulesetAttr {
  uint64_t handledAccessFs;
  uint64_t handledAccessNet;  // ABI 4
  uint64_t scoped;            // ABI 6
};

struct PathBeneathAttr {
  uint64_t allowedAccess;
  int32_t parentFd;
} __attribute__((packed));

constexpr unsigned kCreateRulesetVersion = 1U << 0;
constexpr int kRulePathBeneath = 1;

constexpr uint64_t kFsReadFile = 1ULL << 2;
constexpr uint64_t kFsReadDir = 1ULL << 3;
constexpr uint64_t kFsMakeSym = 1ULL << 12;  // the last right of ABI 1
constexpr uint64_t kFsRefer = 1ULL << 13;     // ABI 2
constexpr uint64_t kFsTruncate = 1ULL << 14;  // ABI 3
constexpr uint64_t kFsIoctlDev = 1ULL << 15;  // ABI 5
constexpr uint64_t kNetBindTcp = 1ULL << 0;     // ABI 4
constexpr uint64_t kNetConnectTcp = 1ULL << 1;  // ABI 4
constexpr uint64_t kScopeAbstractUnixSocket = 1ULL << 0;  // ABI 6
constexpr uint64_t kScopeSignal = 1ULL << 1;              // ABI 6

// Every file system right this ABI knows: a right the ruleset does not handle is allowed, so
// the ruleset handles them all and grants back only reading.
uint64_t FsRights(int abi) {
  uint64_t rights = (kFsMakeSym << 1) - 1;
  if (abi >= 2) rights |= kFsRefer;
  if (abi >= 3) rights |= kFsTruncate;
  if (abi >= 5) rights |= kFsIoctlDev;
  return rights;
}

LandlockStatus Failed(const char* call, int err) {
  LandlockStatus status;
  status.err = err;
  status.call = call;
  return status;
}

// Lets the ruleset read `path` (a file, or a directory and everything below it).
LandlockStatus AllowReading(int ruleset, const std::string& path) {
  int fd = open(path.c_str(), O_PATH | O_CLOEXEC);
  // What does not exist grants nothing; nothing is lost by leaving it out.
  if (fd < 0) return errno == ENOENT ? LandlockStatus{} : Failed("open(O_PATH)", errno);
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int err = errno;
    close(fd);
    return Failed("fstat", err);
  }
  PathBeneathAttr rule{S_ISDIR(st.st_mode) ? kFsReadFile | kFsReadDir : kFsReadFile, fd};
  long added = syscall(SYS_landlock_add_rule, ruleset, kRulePathBeneath, &rule, 0);
  int err = errno;
  close(fd);
  return added < 0 ? Failed("landlock_add_rule", err) : LandlockStatus{};
}

}  // namespace

int LandlockAbi() {
  long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
  return abi < 0 ? 0 : static_cast<int>(abi);
}

LandlockStatus LandlockRuleset(const std::vector<std::string>& readable) {
  LandlockStatus status;
  status.abi = LandlockAbi();
  if (status.abi == 0) return status;
  RulesetAttr attr{FsRights(status.abi), 0, 0};
  size_t size = sizeof(attr.handledAccessFs);
  if (status.abi >= 4) {
    // No TCP bind or connect for anyone: there is no rule for any port.
    attr.handledAccessNet = kNetBindTcp | kNetConnectTcp;
    size = offsetof(RulesetAttr, scoped);
  }
  if (status.abi >= 6) {
    // No signals to, and no abstract Unix sockets of, any process outside the sandbox.
    attr.scoped = kScopeAbstractUnixSocket | kScopeSignal;
    size = sizeof(attr);
  }
  int ruleset = static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, size, 0));
  if (ruleset < 0) return Failed("landlock_create_ruleset", errno);
  for (const std::string& path : readable) {
    LandlockStatus added = AllowReading(ruleset, path);
    if (added.err != 0) {
      close(ruleset);
      added.abi = status.abi;
      added.detail = path;
      return added;
    }
  }
  status.ruleset = ruleset;
  return status;
}

int LandlockRestrictSelf(int ruleset) {
  return syscall(SYS_landlock_restrict_self, ruleset, 0) < 0 ? errno : 0;
}

}  // namespace tsipa
