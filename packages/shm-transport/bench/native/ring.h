// The ring protocol in C++: the same claim / write / commit and poll steps that
// src/ring/ring-writer.ts and src/ring/ring-reader.ts perform on the mapped memory. The addon
// uses it for the one-native-call-per-message path that the benchmark compares with the TypeScript
// path, and the tests use it to prove that both sides speak the same protocol.
//
// Memory ordering (the same argument as in the TypeScript files):
// - The writer fills a record (payload, type, sequence), zeroes the length word of the record
//   that will follow it, and only then stores the record's length with RELEASE semantics.
//   A reader loads the length with ACQUIRE semantics: a non-zero length therefore guarantees
//   that everything the writer stored before it (this record, and the zero after it) is
//   visible. The zero after it is what tells the reader "nothing more yet" on the next call,
//   instead of a stale length left over from the previous lap.
// - A reader publishes how far it has read by a RELEASE store of its position after it has
//   finished with the records; the writer ACQUIRE-loads positions before reusing that space.
// - Shared memory is accessed through the GCC/Clang __atomic builtins on plain integers,
//   which is well defined for naturally aligned 4- and 8-byte objects on those compilers.
#ifndef SEAMLESS_RING_H
#define SEAMLESS_RING_H

#include <cstdint>
#include <cstring>

#include "ring-descriptor.h"

namespace seamless {

inline uint32_t LoadAcquire(const uint8_t* base, uint32_t offset) {
  return __atomic_load_n(reinterpret_cast<const uint32_t*>(base + offset), __ATOMIC_ACQUIRE);
}
inline uint32_t LoadRelaxed(const uint8_t* base, uint32_t offset) {
  return __atomic_load_n(reinterpret_cast<const uint32_t*>(base + offset), __ATOMIC_RELAXED);
}
inline void StoreRelease(uint8_t* base, uint32_t offset, uint32_t value) {
  __atomic_store_n(reinterpret_cast<uint32_t*>(base + offset), value, __ATOMIC_RELEASE);
}
inline void StoreRelaxed(uint8_t* base, uint32_t offset, uint32_t value) {
  __atomic_store_n(reinterpret_cast<uint32_t*>(base + offset), value, __ATOMIC_RELAXED);
}

enum class WriteResult { kOk, kFull, kTooLarge, kCorrupt };
enum class ReadResult { kOk, kEmpty, kCorrupt };

// The writing side of one reliable ring. One writer per ring, in one process.
class RingWriter {
 public:
  RingWriter(uint8_t* segment, uint32_t capacity, uint32_t max_payload)
      : segment_(segment), ring_(segment + layout::kRingOffset), capacity_(capacity), mask_(capacity - 1),
        max_payload_(max_payload) {
    tail_ = LoadAcquire(segment_, layout::kTailOffset);
    // Unknown room: the first write reads the reader slots.
    limit_base_ = tail_ - capacity_;
  }

  WriteResult Write(const uint8_t* payload, uint32_t length, uint64_t sequence) {
    if (length > max_payload_) return WriteResult::kTooLarge;
    const uint32_t record = layout::kRecordHeaderBytes + length;
    const uint32_t aligned = layout::AlignRecord(record);
    const uint32_t offset = tail_ & mask_;
    const uint32_t to_end = capacity_ - offset;
    const uint32_t needed = aligned <= to_end ? aligned : to_end + aligned;
    // 8 more bytes: the length word after the record is zeroed too, and must be free.
    if (!HasRoom(needed + layout::kRecordAlignment)) return WriteResult::kFull;
    uint32_t at = offset;
    if (aligned > to_end) {
      // A padding record fills the rest of the ring; the data record starts at offset 0.
      // Zero the length word at offset 0 before the padding is committed: a reader that follows
      // the padding must find "nothing yet" there, not a record of the previous lap.
      StoreRelaxed(ring_, 0 + layout::kRecordLengthOffset, 0);
      StoreRelaxed(ring_, at + layout::kRecordTypeOffset, static_cast<uint32_t>(layout::kRecordTypePadding));
      StoreRelease(ring_, at + layout::kRecordLengthOffset, to_end);
      at = 0;
    }
    std::memcpy(ring_ + at + layout::kRecordHeaderBytes, payload, length);
    StoreRelaxed(ring_, at + layout::kRecordTypeOffset, static_cast<uint32_t>(layout::kRecordTypeData));
    StoreRelaxed(ring_, at + layout::kRecordSequenceLowOffset, static_cast<uint32_t>(sequence));
    StoreRelaxed(ring_, at + layout::kRecordSequenceHighOffset, static_cast<uint32_t>(sequence >> 32));
    StoreRelaxed(ring_, (at + aligned) & mask_, 0);
    StoreRelease(ring_, at + layout::kRecordLengthOffset, record);
    tail_ += needed;
    // A hint for joining readers and observers; release keeps it behind the commit.
    StoreRelease(segment_, layout::kTailOffset, tail_);
    return WriteResult::kOk;
  }

 private:
  // Room for `bytes` more from the tail, given the slowest active reader. The minimum is
  // cached and recomputed only when the cache says no.
  bool HasRoom(uint32_t bytes) {
    if (tail_ + bytes - limit_base_ <= capacity_) return true;
    uint32_t slowest = tail_;
    for (uint32_t slot = 0; slot < layout::kReaderSlotCount; ++slot) {
      const uint32_t base = layout::kReaderSlotsOffset + slot * layout::kReaderSlotBytes;
      if (LoadAcquire(segment_, base + layout::kSlotStateOffset) != layout::kSlotActive) continue;
      const uint32_t position = LoadAcquire(segment_, base + layout::kSlotPositionOffset);
      // Modular distance behind the tail; a position "ahead" of the tail is corrupt and ignored.
      if (tail_ - position <= capacity_ && tail_ - position > tail_ - slowest) slowest = position;
    }
    limit_base_ = slowest;
    return tail_ + bytes - limit_base_ <= capacity_;
  }

  uint8_t* segment_;
  uint8_t* ring_;
  uint32_t capacity_;
  uint32_t mask_;
  uint32_t max_payload_;
  uint32_t tail_ = 0;
  uint32_t limit_base_ = 0;
};

// Reads the next record at `position` of a reliable ring and advances it. Every length read
// from shared memory is checked before it is used.
template <typename Handler>
ReadResult ReadOne(const uint8_t* segment, uint32_t capacity, uint32_t max_payload, uint32_t* position,
                   Handler&& handler) {
  const uint8_t* ring = segment + layout::kRingOffset;
  for (int attempts = 0; attempts < 2; ++attempts) {
    const uint32_t offset = *position & (capacity - 1);
    const uint32_t length = LoadAcquire(ring, offset + layout::kRecordLengthOffset);
    if (length == 0) return ReadResult::kEmpty;
    const int32_t type = static_cast<int32_t>(LoadRelaxed(ring, offset + layout::kRecordTypeOffset));
    if (type == layout::kRecordTypePadding) {
      if (length != capacity - offset) return ReadResult::kCorrupt;
      *position += length;
      continue;
    }
    if (type != layout::kRecordTypeData || length < layout::kRecordHeaderBytes ||
        length - layout::kRecordHeaderBytes > max_payload || offset + layout::AlignRecord(length) > capacity) {
      return ReadResult::kCorrupt;
    }
    const uint64_t sequence = static_cast<uint64_t>(LoadRelaxed(ring, offset + layout::kRecordSequenceLowOffset)) |
                              static_cast<uint64_t>(LoadRelaxed(ring, offset + layout::kRecordSequenceHighOffset)) << 32;
    handler(ring + offset + layout::kRecordHeaderBytes, length - layout::kRecordHeaderBytes, sequence);
    *position += layout::AlignRecord(length);
    return ReadResult::kOk;
  }
  return ReadResult::kCorrupt;  // two padding records in a row cannot happen
}

}  // namespace seamless

#endif  // SEAMLESS_RING_H
