// The transport's wake-up channel is a named pipe per process, created here and watched by
// libuv from TypeScript (src/os/doorbell.ts). (The futex-waiting thread the benchmark measures it
// against lives in the benchmarks' addon, bench/native/.)
#ifndef SEAMLESS_DOORBELL_H
#define SEAMLESS_DOORBELL_H

#include <napi.h>

namespace seamless {

// createFifo(path, mode): mkfifo with exactly `mode` (the umask does not apply); throws with
// the errno name as `code` (EEXIST when the name is taken).
Napi::Value CreateFifo(const Napi::CallbackInfo& info);

}  // namespace seamless

#endif  // SEAMLESS_DOORBELL_H
