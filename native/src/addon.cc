// ts-ipa's native addon: fds, shared memory and Unix sockets with fd passing (Linux).
#include <napi.h>

#include "fds.h"

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
#ifdef __linux__
  tsipa::InitFds(env, exports);
  tsipa::InitSocket(env, exports);
  tsipa::InitWatcher(env, exports);
#endif
  return exports;
}

NODE_API_MODULE(ts_ipa_native, InitAddon)
