// The wake-up the benchmark measures the transport's doorbell against (bench/wake-bench.ts): a
// native thread parked in futex_wait on a word in shared memory that wakes JavaScript through a
// ThreadSafeFunction, two wake-ups per hop instead of the doorbell's one. Benchmark code only:
// the production addon (native/) does not contain it.
#ifndef SEAMLESS_BENCH_FUTEX_WAITER_H
#define SEAMLESS_BENCH_FUTEX_WAITER_H

#include <napi.h>

#include <atomic>
#include <cstdint>
#include <thread>

namespace seamless {

// futexWake(buffer, offset): increments the 32-bit word at `offset` of the ArrayBuffer and
// wakes every waiter on it.
Napi::Value FutexWake(const Napi::CallbackInfo& info);

class FutexWaiter : public Napi::ObjectWrap<FutexWaiter> {
 public:
  static Napi::Function Initialize(Napi::Env env);
  // new FutexWaiter(buffer, offset, callback): calls `callback` on the JavaScript thread each
  // time the 32-bit word at `offset` of the ArrayBuffer (a segment's mapping) changes. close()
  // it before closing the segment: the thread touches the word until then.
  explicit FutexWaiter(const Napi::CallbackInfo& info);
  ~FutexWaiter() override;
  FutexWaiter(const FutexWaiter&) = delete;
  FutexWaiter& operator=(const FutexWaiter&) = delete;

 private:
  Napi::Value Close(const Napi::CallbackInfo& info);
  void Stop();
  void Run();

  Napi::Reference<Napi::ArrayBuffer> buffer_;
  uint32_t* word_ = nullptr;
  Napi::ThreadSafeFunction callback_;
  // Written by the JavaScript thread before its sequentially consistent increment of the word,
  // read by the waiting thread after its acquire load of the word: when that load sees the
  // increment, it also sees `true`, so relaxed accesses suffice here.
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace seamless

#endif  // SEAMLESS_BENCH_FUTEX_WAITER_H
