#include "futex-waiter.h"

#include <sys/syscall.h>
#include <unistd.h>
#if __has_include(<linux/futex.h>)
#include <linux/futex.h>
#else
// Without the kernel headers (Alpine without linux-headers): the futex operations' ABI values.
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#endif

#include <climits>
#include <ctime>

#include "array-buffer-memory.h"

namespace seamless {

namespace {

long Futex(uint32_t* word, int operation, uint32_t value, const struct timespec* timeout) {
  // Not FUTEX_PRIVATE_FLAG: the word is in memory shared between processes.
  return ::syscall(SYS_futex, word, operation, value, timeout, nullptr, 0);
}

// The 4-byte aligned word at `offset_value` of the ArrayBuffer `buffer_value`.
uint32_t* WordIn(Napi::Env env, const Napi::Value& buffer_value, const Napi::Value& offset_value) {
  uint8_t* data = ArrayBufferData(env, buffer_value);
  const size_t bytes = buffer_value.As<Napi::ArrayBuffer>().ByteLength();
  if (!offset_value.IsNumber()) throw Napi::TypeError::New(env, "offset must be a number");
  const double offset = offset_value.As<Napi::Number>().DoubleValue();
  if (!(offset >= 0) || offset + 4 > static_cast<double>(bytes) || offset != static_cast<double>(static_cast<size_t>(offset)) ||
      static_cast<size_t>(offset) % 4 != 0) {
    throw Napi::RangeError::New(env, "offset must be a 4-byte aligned offset inside the buffer");
  }
  return reinterpret_cast<uint32_t*>(data + static_cast<size_t>(offset));
}

}  // namespace

Napi::Value FutexWake(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t* word = WordIn(env, info[0], info[1]);
  // Sequentially consistent (so at least a release): a waiter whose acquire load sees the new
  // value also sees everything this thread wrote before it (the record).
  __atomic_add_fetch(word, 1, __ATOMIC_SEQ_CST);
  Futex(word, FUTEX_WAKE, INT_MAX, nullptr);
  return env.Undefined();
}

Napi::Function FutexWaiter::Initialize(Napi::Env env) {
  return DefineClass(env, "FutexWaiter", {InstanceMethod<&FutexWaiter::Close>("close")});
}

FutexWaiter::FutexWaiter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FutexWaiter>(info) {
  Napi::Env env = info.Env();
  word_ = WordIn(env, info[0], info[1]);
  if (!info[2].IsFunction()) throw Napi::TypeError::New(env, "callback must be a function");
  buffer_ = Napi::Persistent(info[0].As<Napi::ArrayBuffer>());
  callback_ = Napi::ThreadSafeFunction::New(env, info[2].As<Napi::Function>(), "seamless-futex-waiter", 0, 1);
  thread_ = std::thread([this] { Run(); });
}

FutexWaiter::~FutexWaiter() { Stop(); }

void FutexWaiter::Run() {
  // Start from 0, not from the current value: a wake that happened before this thread ran
  // is then still seen (at worst one spurious callback).
  uint32_t seen = 0;
  while (!stop_.load(std::memory_order_relaxed)) {
    Futex(word_, FUTEX_WAIT, seen, nullptr);
    // Acquire: pairs with the waker's sequentially consistent increment (see stop_).
    const uint32_t now = __atomic_load_n(word_, __ATOMIC_ACQUIRE);
    if (now != seen && !stop_.load(std::memory_order_relaxed)) {
      seen = now;
      callback_.NonBlockingCall();
    }
  }
}

void FutexWaiter::Stop() {
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_relaxed);
  __atomic_add_fetch(word_, 1, __ATOMIC_SEQ_CST);
  Futex(word_, FUTEX_WAKE, INT_MAX, nullptr);
  thread_.join();
  callback_.Release();
}

Napi::Value FutexWaiter::Close(const Napi::CallbackInfo& info) {
  Stop();
  return info.Env().Undefined();
}

}  // namespace seamless
