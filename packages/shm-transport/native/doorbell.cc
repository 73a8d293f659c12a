#include "doorbell.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "addon.h"

namespace seamless {

Napi::Value CreateFifo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsNumber()) throw Napi::TypeError::New(env, "createFifo(path, mode)");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  const mode_t mode = static_cast<mode_t>(info[1].As<Napi::Number>().Uint32Value() & 0777);
  if (::mkfifo(path.c_str(), mode) != 0 || ::chmod(path.c_str(), mode) != 0) {
    const int error = errno;
    Napi::Error failure = Napi::Error::New(env, "mkfifo(" + path + "): " + std::strerror(error));
    failure.Set("code", Napi::String::New(env, ErrnoName(error)));
    throw failure;
  }
  return env.Undefined();
}

}  // namespace seamless
