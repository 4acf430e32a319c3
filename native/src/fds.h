#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace tsipa {

// The kernel's limit on fds in one SCM_RIGHTS message (SCM_MAX_FD).
constexpr size_t kMaxFds = 253;

// The first word of a ts-ipa batch datagram ("TIPB").
constexpr uint32_t kBatchMagic = 0x42504954;

void InitFds(Napi::Env env, Napi::Object exports);
void InitSocket(Napi::Env env, Napi::Object exports);
void InitWatcher(Napi::Env env, Napi::Object exports);
void InitProcess(Napi::Env env, Napi::Object exports);
void InitSandbox(Napi::Env env, Napi::Object exports);
}  // namespace tsipa
