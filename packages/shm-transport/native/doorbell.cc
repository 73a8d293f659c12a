#include "doorbell.h"

#include <linux/futex.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <string>

#include "addon.h"

namespace seamless {

namespace {

long Futex(uint32_t* word, int operation, uint32_t value, const struct timespec* timeout) {
  // Not FUTEX_PRIVATE_FLAG: the word is in memory shared between processes.
  return ::syscall(SYS_futex, word, operation, value, timeout, nullptr, 0);
}

uint32_t* WordIn(Napi::Env env, const Napi::Value& segment_value, const Napi::Value& offset_value,
                 std::shared_ptr<Mapping>* mapping_out) {
  if (!segment_value.IsObject() ||
      !segment_value.As<Napi::Object>().InstanceOf(env.GetInstanceData<Addon>()->segment_constructor.Value())) {
    throw Napi::TypeError::New(env, "the first argument must be a Segment");
  }
  Segment* segment = Segment::Unwrap(segment_value.As<Napi::Object>());
  const double offset = offset_value.As<Napi::Number>().DoubleValue();
  if (segment->data() == nullptr) throw Napi::Error::New(env, "segment is closed");
  if (!(offset >= 0) || offset + 4 > static_cast<double>(segment->bytes()) ||
      static_cast<uint64_t>(offset) % 4 != 0) {
    throw Napi::RangeError::New(env, "offset must be a 4-byte aligned offset inside the segment");
  }
  if (mapping_out != nullptr) *mapping_out = segment->mapping();
  return reinterpret_cast<uint32_t*>(segment->data() + static_cast<size_t>(offset));
}

}  // namespace

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

Napi::Value FutexWake(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t* word = WordIn(env, info[0], info[1], nullptr);
  // Sequentially consistent: the change is ordered after everything this thread wrote before
  // (the record), so a waiter that sees the new value also sees the record.
  __atomic_add_fetch(word, 1, __ATOMIC_SEQ_CST);
  Futex(word, FUTEX_WAKE, INT_MAX, nullptr);
  return env.Undefined();
}

Napi::Function FutexWaiter::Initialize(Napi::Env env) {
  return DefineClass(env, "FutexWaiter", {InstanceMethod<&FutexWaiter::Close>("close")});
}

FutexWaiter::FutexWaiter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FutexWaiter>(info) {
  Napi::Env env = info.Env();
  word_ = WordIn(env, info[0], info[1], &mapping_);
  if (!info[2].IsFunction()) throw Napi::TypeError::New(env, "callback must be a function");
  segment_ = Napi::Persistent(info[0].As<Napi::Object>());
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
    // Acquire: pairs with the waker's sequentially consistent increment.
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
