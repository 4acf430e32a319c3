// ioctl with EINTR retried, and the helpers the V4L2 and media files share.
#pragma once
#include <napi.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "errors.h"

namespace tsipa {

// Runs an ioctl; on failure throws SystemError naming it (the TypeScript layer adds the device).
template <typename T>
inline void Ioctl(Napi::Env env, int fd, unsigned long request, const char* name, T* arg) {
  int ret;
  do ret = ioctl(fd, request, arg);
  while (ret < 0 && errno == EINTR);
  if (ret < 0) throw SystemError(env, errno, name);
}

// Same, but returns false instead of throwing for the errno the caller expects (EAGAIN, EINVAL
// at the end of an enumeration).
template <typename T>
inline bool IoctlUnless(Napi::Env env, int fd, unsigned long request, const char* name, T* arg, int expected) {
  int ret;
  do ret = ioctl(fd, request, arg);
  while (ret < 0 && errno == EINTR);
  if (ret < 0) {
    if (errno == expected) return false;
    throw SystemError(env, errno, name);
  }
  return true;
}

// A fixed-size char array from the kernel, which may lack its terminating NUL.
template <size_t N>
inline Napi::String KernelString(Napi::Env env, const __u8 (&chars)[N]) {
  return Napi::String::New(env, reinterpret_cast<const char*>(chars), strnlen(reinterpret_cast<const char*>(chars), N));
}
template <size_t N>
inline Napi::String KernelString(Napi::Env env, const char (&chars)[N]) {
  return Napi::String::New(env, chars, strnlen(chars, N));
}

inline uint32_t U32Arg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (info.Length() <= index || !info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  }
  return info[index].As<Napi::Number>().Uint32Value();
}

inline uint32_t U32Field(const Napi::Object& object, const char* key, uint32_t fallback) {
  Napi::Value value = object.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsNumber()) throw Napi::TypeError::New(object.Env(), std::string(key) + " must be a number");
  return value.As<Napi::Number>().Uint32Value();
}

inline Napi::Object ObjectArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (info.Length() <= index || !info[index].IsObject()) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be an object");
  }
  return info[index].As<Napi::Object>();
}

void InitMedia(Napi::Env env, Napi::Object exports);
void InitVideo(Napi::Env env, Napi::Object exports);
void InitDeviceWatcher(Napi::Env env, Napi::Object exports);
void InitControls(Napi::Env env, Napi::Object exports);

}  // namespace tsipa
