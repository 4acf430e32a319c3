// ts-ipa's native addon: fds, shared memory, Unix sockets with fd passing, and V4L2 and the media
// controller (Linux).
#include <napi.h>

#include "fds.h"
#include "ioctl.h"

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
#ifdef __linux__
  tsipa::InitFds(env, exports);
  tsipa::InitSocket(env, exports);
  tsipa::InitWatcher(env, exports);
  tsipa::InitProcess(env, exports);
  tsipa::InitSandbox(env, exports);
  tsipa::InitMedia(env, exports);
  tsipa::InitVideo(env, exports);
  tsipa::InitDeviceWatcher(env, exports);
  tsipa::InitControls(env, exports);
#endif
  return exports;
}

NODE_API_MODULE(ts_ipa_native, InitAddon)
