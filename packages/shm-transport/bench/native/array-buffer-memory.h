// The benchmark addon works on the memory of a segment through its ArrayBuffer
// (`segment.buffer` of the production addon): a separate addon cannot unwrap that addon's
// Segment objects, and needs nothing from them but the mapping.
#ifndef SEAMLESS_BENCH_ARRAY_BUFFER_MEMORY_H
#define SEAMLESS_BENCH_ARRAY_BUFFER_MEMORY_H

#include <napi.h>

#include <cstdint>

namespace seamless {

// The memory of the ArrayBuffer `value`, 8-byte aligned (a mapping is page aligned); throws a
// TypeError for anything else and an Error once it is detached (the segment was closed).
inline uint8_t* ArrayBufferData(Napi::Env env, const Napi::Value& value) {
  if (!value.IsArrayBuffer()) throw Napi::TypeError::New(env, "the first argument must be an ArrayBuffer (segment.buffer)");
  Napi::ArrayBuffer buffer = value.As<Napi::ArrayBuffer>();
  if (buffer.IsDetached()) throw Napi::Error::New(env, "segment is closed");
  auto* data = static_cast<uint8_t*>(buffer.Data());
  if (data == nullptr || reinterpret_cast<uintptr_t>(data) % 8 != 0) {
    throw Napi::Error::New(env, "the buffer's memory is not 8-byte aligned");
  }
  return data;
}

}  // namespace seamless

#endif  // SEAMLESS_BENCH_ARRAY_BUFFER_MEMORY_H
