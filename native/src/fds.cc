// File descriptors and shared memory: close, dup, memfd_create, mmap as an ArrayBuffer, munmap.
#include "fds.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unordered_map>

#include "errors.h"

namespace tsipa {

static Napi::Value Close(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0);
  if (close(fd) < 0) throw SystemError(info.Env(), errno, "close");
  return info.Env().Undefined();
}

// A new fd for the same file, close-on-exec.
static Napi::Value Dup(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0);
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) throw SystemError(info.Env(), errno, "fcntl(F_DUPFD_CLOEXEC)");
  return Napi::Number::New(info.Env(), copy);
}

// memfd(name, size): an anonymous shared-memory file of `size` bytes. One of a size keeps it, as
// libcamera's SharedMem does: whoever it is handed to can neither grow it (writing past its end
// makes memory no limit of theirs counts) nor shrink it under the others' mappings (which would
// then fault), nor seal it further. One of size 0 is the creator's to grow.
static Napi::Value Memfd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  int64_t size = info[1].As<Napi::Number>().Int64Value();
  if (size < 0) throw Napi::RangeError::New(env, "memfd size must not be negative");
  int fd = memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) throw SystemError(env, errno, "memfd_create");
  const char* failed = nullptr;
  if (ftruncate(fd, size) < 0) failed = "ftruncate";
  else if (size > 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0) failed = "fcntl(F_ADD_SEALS)";
  if (failed) {
    int err = errno;
    close(fd);
    throw SystemError(env, err, failed);
  }
  return Napi::Number::New(env, fd);
}

// mmap(fd, offset, length, writable): the mapping as an ArrayBuffer, unmapped when collected.
struct Mapping {
  void* address;  // null once unmapped
  size_t length;
};

// Live mappings by the address their ArrayBuffer starts at, for munmap.
static std::unordered_map<void*, Mapping*>& Mappings() {
  static std::unordered_map<void*, Mapping*> mappings;
  return mappings;
}

static Mapping* Remember(void* data, Mapping* mapping) {
  Mappings()[data] = mapping;
  return mapping;
}

static Napi::Value Mmap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  int64_t offset = info[1].As<Napi::Number>().Int64Value();
  int64_t length = info[2].As<Napi::Number>().Int64Value();
  bool writable = info[3].ToBoolean();
  if (offset < 0 || length <= 0) throw Napi::RangeError::New(env, "mmap needs offset >= 0 and length > 0");
  int prot = PROT_READ | (writable ? PROT_WRITE : 0);
  // mmap wants a page-aligned offset: map from the page before and hand out the part asked for.
  int64_t page = sysconf(_SC_PAGESIZE);
  int64_t skip = offset % page;
  size_t mappedLength = static_cast<size_t>(length + skip);
  void* address = mmap(nullptr, mappedLength, prot, MAP_SHARED, fd, offset - skip);
  if (address == MAP_FAILED) throw SystemError(env, errno, "mmap");
  return Napi::ArrayBuffer::New(env, static_cast<uint8_t*>(address) + skip, static_cast<size_t>(length),
      [](Napi::Env, void* data, Mapping* mapping) {
        if (mapping->address) {
          munmap(mapping->address, mapping->length);
          Mappings().erase(data);
        }
        delete mapping;
      }, Remember(static_cast<uint8_t*>(address) + skip, new Mapping{address, mappedLength}));
}

// munmap(arrayBuffer): unmaps a mapping now rather than when it is collected, and detaches the
// ArrayBuffer so that nothing reads the memory afterwards. A device may need its buffers
// unmapped before it frees them.
static Napi::Value Munmap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArrayBuffer()) throw Napi::TypeError::New(env, "munmap takes an ArrayBuffer from mmap");
  Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
  auto found = Mappings().find(buffer.Data());
  if (found == Mappings().end() || !found->second->address) throw Napi::TypeError::New(env, "munmap takes an ArrayBuffer from mmap, once");
  Mapping* mapping = found->second;
  buffer.Detach();
  munmap(mapping->address, mapping->length);
  mapping->address = nullptr;
  // Forgotten now: a later mapping may get the same address before this one is collected.
  Mappings().erase(found);
  return env.Undefined();
}

// The size of the file behind an fd.
static Napi::Value FileSize(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0);
  struct stat st;
  if (fstat(fd, &st) < 0) throw SystemError(info.Env(), errno, "fstat");
  return Napi::Number::New(info.Env(), static_cast<double>(st.st_size));
}

void InitFds(Napi::Env env, Napi::Object exports) {
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("dup", Napi::Function::New(env, Dup, "dup"));
  exports.Set("memfd", Napi::Function::New(env, Memfd, "memfd"));
  exports.Set("mmap", Napi::Function::New(env, Mmap, "mmap"));
  exports.Set("munmap", Napi::Function::New(env, Munmap, "munmap"));
  exports.Set("fileSize", Napi::Function::New(env, FileSize, "fileSize"));
}

}  // namespace tsipa
