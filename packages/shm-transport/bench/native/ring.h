// The ring protocol in C++, for the benchmark's one-native-call-per-message path and for the
// tests that prove it and the TypeScript ring (src/ring/ring-writer.ts, ring-reader.ts) read
// each other's records. It is a subset of the TypeScript protocol: the reliable policy only;
// readers that spin (the writer never loads `waiters` nor wakes a parked reader, the reader
// never parks nor wakes a writer waiting for room); no liveness checks, no eviction.
//
// Memory ordering. Every access to shared memory is an __atomic builtin on a naturally aligned
// 32-bit word (GCC and Clang define these on plain integers; C++17 has no atomic_ref), except
// the payload, copied with memcpy. The TypeScript side's Atomics.load and Atomics.store are
// sequentially consistent, and V8 compiles them as C++ compilers do seq_cst loads and stores
// (loads: mov on x86-64, ldar on arm64; stores: xchg, stlr), so both sides are reasoned about
// as C++ atomics on the same words. Access by access:
// - Commit (RingWriter::Write). The payload (memcpy), type and sequence words (relaxed) and the
//   zero in the length word of the next record (relaxed) are stored, then the record's length
//   with RELEASE; at the wrap, the zero at offset 0 and the padding's type (relaxed), then its
//   length (RELEASE). A reader ACQUIRE-loads a length (ReadOne, or Atomics.load in TypeScript):
//   reading a non-zero length makes everything stored before it visible, the zero after the
//   record included, so the next poll finds "nothing yet" rather than a length of the last lap.
//   ReadOne's type and sequence loads are relaxed: the acquire before them orders them.
// - Tail checkpoint, after each commit: a RELEASE store of the exact tail (a C++ release store
//   is a plain mov on x86-64, so this writer can afford it per message; the TypeScript writer
//   stores it once per 4 KiB), so a reader that starts from a checkpoint it loaded (acquire or
//   stronger) also sees the zeroed length there.
// - Room (RingWriter::HasRoom, only when the cached room runs out): the tail and then keep
//   (the same position: this writer retains no history) are stored SEQ_CST, then each slot's
//   state is loaded SEQ_CST, then an active slot's position ACQUIRE. The position load pairs
//   with the reader's release (or stronger) store of its position, made once it is done with
//   the records before it: the space reclaimed is no longer read. The seq_cst stores and loads
//   are what a reader joining concurrently needs (src/ring/ring-join.ts: store its position
//   from keep and the slot active, then load keep again, all seq_cst): in the single total
//   order of seq_cst operations either this scan sees the position, or the reader's keep load
//   comes after this keep store and proves its position at or past the base computed here.
//   (A release store and acquire loads would not do: the slot loads could be satisfied before
//   the keep store is visible, the reader could read an older keep, and the writer would
//   overwrite the records between the two.)
// - Reader position (NativeRingReader, native-ring.cc, after each record is copied out): a
//   RELEASE store. Its first value is loaded relaxed from the slot that a TypeScript reader
//   joined from the same thread just before.
// The writer's own tail at construction is loaded relaxed: a ring has one writer, which starts
// it. The payload copies are plain accesses and race-free as long as the peers follow the
// protocol (the acquire/release pairs above order them); a process that scribbles on the
// segment can still race them, which these benchmark handles do not defend against beyond
// bounds-checking every length and offset they read.
#ifndef SEAMLESS_RING_H
#define SEAMLESS_RING_H

#include <cstdint>
#include <cstring>

#include "ring-descriptor.h"

namespace seamless {

inline uint32_t LoadSeqCst(const uint8_t* base, uint32_t offset) {
  return __atomic_load_n(reinterpret_cast<const uint32_t*>(base + offset), __ATOMIC_SEQ_CST);
}
inline uint32_t LoadAcquire(const uint8_t* base, uint32_t offset) {
  return __atomic_load_n(reinterpret_cast<const uint32_t*>(base + offset), __ATOMIC_ACQUIRE);
}
inline uint32_t LoadRelaxed(const uint8_t* base, uint32_t offset) {
  return __atomic_load_n(reinterpret_cast<const uint32_t*>(base + offset), __ATOMIC_RELAXED);
}
inline void StoreSeqCst(uint8_t* base, uint32_t offset, uint32_t value) {
  __atomic_store_n(reinterpret_cast<uint32_t*>(base + offset), value, __ATOMIC_SEQ_CST);
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
    tail_ = LoadRelaxed(segment_, layout::kTailOffset);
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
    // Not for an empty payload: its pointer may be null, and memcpy from null is undefined.
    if (length != 0) std::memcpy(ring_ + at + layout::kRecordHeaderBytes, payload, length);
    StoreRelaxed(ring_, at + layout::kRecordTypeOffset, static_cast<uint32_t>(layout::kRecordTypeData));
    StoreRelaxed(ring_, at + layout::kRecordSequenceLowOffset, static_cast<uint32_t>(sequence));
    StoreRelaxed(ring_, at + layout::kRecordSequenceHighOffset, static_cast<uint32_t>(sequence >> 32));
    StoreRelaxed(ring_, (at + aligned) & mask_, 0);
    StoreRelease(ring_, at + layout::kRecordLengthOffset, record);
    tail_ += needed;
    // A hint for joining readers: release, so the zero at the tail is visible with it.
    StoreRelease(segment_, layout::kTailOffset, tail_);
    return WriteResult::kOk;
  }

 private:
  // Room for `bytes` more from the tail, given the slowest active reader. The minimum is
  // cached and recomputed only when the cache says no; the orderings are explained above.
  bool HasRoom(uint32_t bytes) {
    if (tail_ + bytes - limit_base_ <= capacity_) return true;
    StoreSeqCst(segment_, layout::kTailOffset, tail_);
    StoreSeqCst(segment_, layout::kKeepOffset, tail_);
    uint32_t slowest = tail_;
    for (uint32_t slot = 0; slot < layout::kReaderSlotCount; ++slot) {
      const uint32_t base = layout::kReaderSlotsOffset + slot * layout::kReaderSlotBytes;
      if (LoadSeqCst(segment_, base + layout::kSlotStateOffset) != layout::kSlotActive) continue;
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
