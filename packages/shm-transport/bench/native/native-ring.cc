#include "native-ring.h"

#include <cstring>

#include "array-buffer-memory.h"

namespace seamless {

namespace {

// The memory and geometry of a segment created by this package, from its ArrayBuffer: the C++
// side trusts nothing in shared memory either.
struct CheckedRing {
  uint8_t* data;
  uint32_t capacity;
  uint32_t max_payload;
};

CheckedRing CheckRing(Napi::Env env, const Napi::Value& buffer) {
  uint8_t* data = ArrayBufferData(env, buffer);
  const size_t bytes = buffer.As<Napi::ArrayBuffer>().ByteLength();
  if (bytes < layout::kRingOffset) throw Napi::Error::New(env, "segment too small");
  // The creator writes the static header, then stores `state` = ready (Atomics.store, see
  // src/ring/segment-header.ts): this acquire load of `state` is what makes the rest of the
  // header, read below, visible.
  const uint32_t state = LoadAcquire(data, layout::kStateOffset);
  if (state != layout::kStateReady && state != layout::kStateClosed) {
    throw Napi::Error::New(env, "the segment's header is not initialised");
  }
  if (std::memcmp(data + layout::kMagicOffset, layout::kMagic, sizeof(layout::kMagic)) != 0 ||
      LoadRelaxed(data, layout::kLayoutVersionOffset) != layout::kLayoutVersion) {
    throw Napi::Error::New(env, "not a Seamless segment of this layout version");
  }
  const uint32_t capacity = LoadRelaxed(data, layout::kCapacityOffset);
  const uint32_t max_payload = LoadRelaxed(data, layout::kMaxMessageSizeOffset);
  if (capacity < layout::kMinCapacity || capacity > layout::kMaxCapacity || (capacity & (capacity - 1)) != 0 ||
      bytes < static_cast<size_t>(layout::kRingOffset) + capacity ||
      max_payload > layout::MaxPayloadFor(capacity)) {
    throw Napi::Error::New(env, "segment geometry is corrupt");
  }
  return {data, capacity, max_payload};
}

}  // namespace

Napi::Function NativeRingWriter::Initialize(Napi::Env env) {
  return DefineClass(env, "NativeRingWriter", {InstanceMethod<&NativeRingWriter::Write>("write")});
}

Napi::Function NativeRingReader::Initialize(Napi::Env env) {
  return DefineClass(env, "NativeRingReader", {InstanceMethod<&NativeRingReader::Poll>("readInto")});
}

// new NativeRingWriter(buffer): `buffer` is the ArrayBuffer of a segment (segment.buffer).
NativeRingWriter::NativeRingWriter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeRingWriter>(info) {
  const CheckedRing ring = CheckRing(info.Env(), info[0]);
  buffer_ = Napi::Persistent(info[0].As<Napi::ArrayBuffer>());
  writer_ = std::make_unique<RingWriter>(ring.data, ring.capacity, ring.max_payload);
}

// write(data: Uint8Array, sequence: number): 0 written, 1 full, 2 too large, 3 closed.
Napi::Value NativeRingWriter::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  // The segment was closed: its ArrayBuffer was detached before the memory was unmapped.
  if (buffer_.Value().IsDetached()) return Napi::Number::New(env, 3);
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "data must be a Uint8Array");
  Napi::TypedArray array = info[0].As<Napi::TypedArray>();
  if (array.TypedArrayType() != napi_uint8_array) throw Napi::TypeError::New(env, "data must be a Uint8Array");
  Napi::Uint8Array bytes = array.As<Napi::Uint8Array>();
  const double sequence = info[1].As<Napi::Number>().DoubleValue();
  WriteResult result = writer_->Write(bytes.Data(), static_cast<uint32_t>(bytes.ByteLength()),
                                      static_cast<uint64_t>(sequence));
  switch (result) {
    case WriteResult::kOk:
      return Napi::Number::New(env, 0);
    case WriteResult::kFull:
      return Napi::Number::New(env, 1);
    default:
      return Napi::Number::New(env, 2);
  }
}

// new NativeRingReader(buffer, slotIndex): `buffer` is the ArrayBuffer of a segment; the slot
// must already have been joined (by the TypeScript reader code); this object continues from
// the slot's position.
NativeRingReader::NativeRingReader(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeRingReader>(info) {
  Napi::Env env = info.Env();
  const CheckedRing ring = CheckRing(env, info[0]);
  if (!info[1].IsNumber()) throw Napi::TypeError::New(env, "slot must be a number");
  const double slot = info[1].As<Napi::Number>().DoubleValue();
  if (!(slot >= 0 && slot < layout::kReaderSlotCount) || slot != static_cast<double>(static_cast<uint32_t>(slot))) {
    throw Napi::RangeError::New(env, "slot must be an integer 0..63");
  }
  buffer_ = Napi::Persistent(info[0].As<Napi::ArrayBuffer>());
  data_ = ring.data;
  slot_offset_ = layout::kReaderSlotsOffset + static_cast<uint32_t>(slot) * layout::kReaderSlotBytes;
  capacity_ = ring.capacity;
  max_payload_ = ring.max_payload;
  // Relaxed: the TypeScript reader that joined the slot stored this start from this thread.
  position_ = LoadRelaxed(data_, slot_offset_ + layout::kSlotPositionOffset);
}

// readInto(target: Uint8Array): the payload length copied into target, -1 when nothing is
// ready, -2 when the ring is corrupt, -3 when the target is too small (nothing consumed).
// The message's sequence number is left in the reader's `sequence` property.
Napi::Value NativeRingReader::Poll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (buffer_.Value().IsDetached()) throw Napi::Error::New(env, "segment is closed");
  uint8_t* data = data_;
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "target must be a Uint8Array");
  Napi::Uint8Array target = info[0].As<Napi::Uint8Array>();
  int64_t copied = -1;
  uint64_t sequence = 0;
  bool too_small = false;
  uint32_t position = position_;
  ReadResult result = ReadOne(data, capacity_, max_payload_, &position,
                              [&](const uint8_t* payload, uint32_t length, uint64_t seq) {
                                if (length > target.ByteLength()) {
                                  too_small = true;
                                  return;
                                }
                                // An empty target's pointer may be null: no memcpy for 0 bytes.
                                if (length != 0) std::memcpy(target.Data(), payload, length);
                                copied = length;
                                sequence = seq;
                              });
  if (result == ReadResult::kCorrupt) return Napi::Number::New(env, -2);
  if (too_small) return Napi::Number::New(env, -3);
  if (result == ReadResult::kOk) {
    position_ = position;
    // Release: the copy above is complete before the writer may reuse the space (ring.h).
    StoreRelease(data, slot_offset_ + layout::kSlotPositionOffset, position_);
    Value().Set("sequence", Napi::Number::New(env, static_cast<double>(sequence)));
  }
  return Napi::Number::New(env, static_cast<double>(copied));
}

}  // namespace seamless
