// Wake-up primitives. The transport's doorbell is a named pipe per process (created here,
// watched by libuv from TypeScript). FutexWaiter is the alternative that the benchmark
// measures it against: a native thread parked in futex_wait on a word in shared memory that
// wakes JavaScript through a ThreadSafeFunction, two wake-ups per hop instead of one.
#ifndef SEAMLESS_DOORBELL_H
#define SEAMLESS_DOORBELL_H

#include <napi.h>

#include <atomic>
#include <memory>
#include <thread>

#include "segment.h"

namespace seamless {

// createFifo(path, mode): mkfifo with exactly `mode` (the umask does not apply); throws with
// the errno name as `code` (EEXIST when the name is taken).
Napi::Value CreateFifo(const Napi::CallbackInfo& info);

// futexWake(segment, offset): increments the 32-bit word and wakes every waiter on it.
Napi::Value FutexWake(const Napi::CallbackInfo& info);

class FutexWaiter : public Napi::ObjectWrap<FutexWaiter> {
 public:
  static Napi::Function Initialize(Napi::Env env);
  // new FutexWaiter(segment, offset, callback): calls `callback` on the JavaScript thread
  // each time the word changes. close() it before closing the segment.
  explicit FutexWaiter(const Napi::CallbackInfo& info);
  ~FutexWaiter() override;
  FutexWaiter(const FutexWaiter&) = delete;
  FutexWaiter& operator=(const FutexWaiter&) = delete;

 private:
  Napi::Value Close(const Napi::CallbackInfo& info);
  void Stop();
  void Run();

  Napi::ObjectReference segment_;
  std::shared_ptr<Mapping> mapping_;
  uint32_t* word_ = nullptr;
  Napi::ThreadSafeFunction callback_;
  // Written by the JavaScript thread, read by the waiting thread: relaxed is enough, the futex
  // wake that follows the store is what makes the waiter look again.
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace seamless

#endif  // SEAMLESS_DOORBELL_H
