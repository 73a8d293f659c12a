// Per-environment state of the addon (one instance per Node.js environment / worker).
#ifndef SEAMLESS_ADDON_H
#define SEAMLESS_ADDON_H

#include <napi.h>

namespace seamless {

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports);

  Napi::Value CallCreateFifo(const Napi::CallbackInfo& info);

  Napi::FunctionReference segment_constructor;
};

// The symbolic name of an errno value ("EACCES"), as libuv spells it.
const char* ErrnoName(int error);

}  // namespace seamless

#endif  // SEAMLESS_ADDON_H
