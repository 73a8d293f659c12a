// The benchmarks' addon, seamless_shm_bench (binding.gyp, built with `npm run build:bench-native`
// and by the package's build): what only the benchmarks and the cross-implementation tests
// use — the C++ ring (one native call per message) and the futex waiter. It is never shipped;
// the production addon, seamless_shm (native/), holds none of it. Every handle works on a
// segment's ArrayBuffer (`segment.buffer`).
#include <napi.h>

#include "futex-waiter.h"
#include "native-ring.h"

namespace {

Napi::Object Initialize(Napi::Env env, Napi::Object exports) {
  using namespace seamless;
  exports.Set("NativeRingWriter", NativeRingWriter::Initialize(env));
  exports.Set("NativeRingReader", NativeRingReader::Initialize(env));
  exports.Set("FutexWaiter", FutexWaiter::Initialize(env));
  exports.Set("futexWake", Napi::Function::New<FutexWake>(env, "futexWake"));
  return exports;
}

}  // namespace

NODE_API_MODULE(seamless_shm_bench, Initialize)
