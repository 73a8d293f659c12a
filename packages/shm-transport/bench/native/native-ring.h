// JavaScript handles on the C++ ring protocol (ring.h): one native call per message. Used by
// the benchmark (against the TypeScript path over the same mapping) and by the
// cross-implementation tests (bench/native-ring.test.ts); the transport itself runs the
// TypeScript path, and the production addon (native/) does not contain these.
#ifndef SEAMLESS_BENCH_NATIVE_RING_H
#define SEAMLESS_BENCH_NATIVE_RING_H

#include <napi.h>

#include <memory>

#include "ring.h"

namespace seamless {

class NativeRingWriter : public Napi::ObjectWrap<NativeRingWriter> {
 public:
  static Napi::Function Initialize(Napi::Env env);
  explicit NativeRingWriter(const Napi::CallbackInfo& info);
  NativeRingWriter(const NativeRingWriter&) = delete;
  NativeRingWriter& operator=(const NativeRingWriter&) = delete;

 private:
  Napi::Value Write(const Napi::CallbackInfo& info);

  // The segment's ArrayBuffer: its memory is valid while it is not detached.
  Napi::Reference<Napi::ArrayBuffer> buffer_;
  std::unique_ptr<RingWriter> writer_;
};

class NativeRingReader : public Napi::ObjectWrap<NativeRingReader> {
 public:
  static Napi::Function Initialize(Napi::Env env);
  explicit NativeRingReader(const Napi::CallbackInfo& info);
  NativeRingReader(const NativeRingReader&) = delete;
  NativeRingReader& operator=(const NativeRingReader&) = delete;

 private:
  Napi::Value Poll(const Napi::CallbackInfo& info);

  Napi::Reference<Napi::ArrayBuffer> buffer_;
  uint8_t* data_ = nullptr;
  uint32_t slot_offset_ = 0;
  uint32_t capacity_ = 0;
  uint32_t max_payload_ = 0;
  uint32_t position_ = 0;
};

}  // namespace seamless

#endif  // SEAMLESS_BENCH_NATIVE_RING_H
