// The layout of a Seamless shared-memory segment, version 3: named offsets only.
// Mirrored field for field in src/ring/ring-descriptor.ts; src/ring/ring-descriptor.test.ts
// proves the two agree (the addon exports every constant below).
//
// Every offset is in bytes from the start of the segment. Integers are little-endian (the
// segment never leaves the host). Positions are 32-bit and wrap: a position p lives at ring
// offset (p & (capacity - 1)), and distances are computed modulo 2^32, which is exact while
// they stay below 2^31 (the capacity is at most 2^30).
//
//        0 +----------------------------------------------------------------------+
//          | line 0, static (written once by the creator, then `state` = ready)   |
//          |   0 magic "SEAMLSHM" (8 bytes)        8 layout version u32            |
//          |  12 header bytes u32 (= ring offset) 16 capacity u32 (power of two)   |
//          |  20 max message size u32             24 policy u32 (0 reliable,       |
//          |  28 reader slot count u32                          1 latest)          |
//          |  32 writer pid u32 (for people)      36 state u32 (0 init, 1 ready,   |
//          |  40 writer presence (8 bytes)                      2 closed)        |
//          |  48 nonce (16 bytes)                 64 owner uid u32                 |
//          |  68 segment bytes u32                72 publisher id length u32       |
//          |  76 topic length u32                 80 writer doorbell id u32        |
//          |  84 history u32 (records the writer retains for late joiners)         |
//      128 | lines 1-3: publisher id (64 bytes), topic (256 bytes), UTF-8          |
//      512 | line 4, writer: where joining readers start                           |
//          |   512 tail checkpoint u32 (a record boundary at most 4 KiB behind     |
//          |       the tail: stored when the tail crosses a 4 KiB boundary, at     |
//          |       the wrap, and whenever the writer reads the reader slots)       |
//          |   516 history start u32 (the oldest retained record, after each       |
//          |       commit; only while history > 0)                                 |
//          |   520 keep u32 (reliable: nothing from here on is overwritten before  |
//          |       the writer reads the reader slots again)                        |
//      640 | line 5, writer: intent position u32 (latest: overwriting up to here)  |
//      768 | line 6, writer: head position u32 (latest: oldest intact record)      |
//      896 | line 7: generation u32 (readers bump it on every join and leave)      |
//          |   900 waiters u32 (readers parked on their doorbell)                  |
//          |   904 writer waiting u32 (the writer is parked for room)              |
//     1024 | reader slot 0 (128 bytes, written by its reader)                      |
//          |   +0 state u32 (0 free, 1 joining, 2 active)  +4 pid u32 (for people) |
//          |   +8 presence (8 bytes)                       +16 position u32         |
//          |  +20 parked u32                               +24 doorbell id u32      |
//          |  +28 ticket u32 (names this attachment: generation at its join)       |
//          | ... reader slots 1 .. 63                                              |
//     9216 | padding to the page                                                   |
//    12288 | ring: `capacity` bytes of 8-byte aligned records                      |
//          +----------------------------------------------------------------------+
//
// A presence is the 8 bytes of a process's presence token (16 hexadecimal digits, see
// @seamless/local-addrs): the pipe /dev/shm/seamless-<uid>-live-<token> that the process holds
// open while it lives. It names the writer and each reader in a way that holds across PID
// namespaces; pids are kept for people reading the segment, never trusted.
//
// A record:   0 length i32 (header + payload, unaligned; 0 = not yet written)
//             4 type i32 (1 data, -1 padding)
//             8 sequence, low 32 bits u32     12 sequence, high 21 bits u32
//            16 payload (length - 16 bytes), then zeros up to the next multiple of 8
//
// Counters that different processes write sit on their own 128-byte lines (two 64-byte
// cache lines, so the adjacent-line prefetcher does not make them share either).
#ifndef SEAMLESS_RING_DESCRIPTOR_H
#define SEAMLESS_RING_DESCRIPTOR_H

#include <cstdint>

namespace seamless {
namespace layout {

constexpr uint32_t kLayoutVersion = 3;
constexpr char kMagic[8] = {'S', 'E', 'A', 'M', 'L', 'S', 'H', 'M'};
constexpr uint32_t kLineBytes = 128;

// Line 0: static header.
constexpr uint32_t kMagicOffset = 0;
constexpr uint32_t kLayoutVersionOffset = 8;
constexpr uint32_t kHeaderBytesOffset = 12;
constexpr uint32_t kCapacityOffset = 16;
constexpr uint32_t kMaxMessageSizeOffset = 20;
constexpr uint32_t kPolicyOffset = 24;
constexpr uint32_t kReaderSlotCountOffset = 28;
constexpr uint32_t kWriterPidOffset = 32;
constexpr uint32_t kStateOffset = 36;
constexpr uint32_t kWriterPresenceOffset = 40;
constexpr uint32_t kPresenceBytes = 8;
constexpr uint32_t kNonceOffset = 48;
constexpr uint32_t kNonceBytes = 16;
constexpr uint32_t kOwnerUidOffset = 64;
constexpr uint32_t kSegmentBytesOffset = 68;
constexpr uint32_t kPublisherIdLengthOffset = 72;
constexpr uint32_t kTopicLengthOffset = 76;
constexpr uint32_t kWriterDoorbellOffset = 80;
constexpr uint32_t kHistoryOffset = 84;

// Lines 1-3: names, for validation and for tools that list segments.
constexpr uint32_t kPublisherIdOffset = 128;
constexpr uint32_t kPublisherIdBytes = 64;
constexpr uint32_t kTopicOffset = 192;
constexpr uint32_t kTopicBytes = 256;

// Lines 4-7: counters.
constexpr uint32_t kTailOffset = 512;
constexpr uint32_t kHistoryStartOffset = 516;
constexpr uint32_t kKeepOffset = 520;
constexpr uint32_t kIntentOffset = 640;
constexpr uint32_t kHeadOffset = 768;
constexpr uint32_t kGenerationOffset = 896;
constexpr uint32_t kWaitersOffset = 900;
constexpr uint32_t kWriterWaitingOffset = 904;

// Reader slots.
constexpr uint32_t kReaderSlotsOffset = 1024;
constexpr uint32_t kReaderSlotBytes = 128;
constexpr uint32_t kReaderSlotCount = 64;
constexpr uint32_t kSlotStateOffset = 0;
constexpr uint32_t kSlotPidOffset = 4;
constexpr uint32_t kSlotPresenceOffset = 8;
constexpr uint32_t kSlotPositionOffset = 16;
constexpr uint32_t kSlotParkedOffset = 20;
constexpr uint32_t kSlotDoorbellOffset = 24;
constexpr uint32_t kSlotTicketOffset = 28;

// The ring.
constexpr uint32_t kRingOffset = 12288;
constexpr uint32_t kMinCapacity = 4096;
constexpr uint32_t kMaxCapacity = 1u << 30;

// Records.
constexpr uint32_t kRecordHeaderBytes = 16;
constexpr uint32_t kRecordAlignment = 8;
constexpr uint32_t kRecordLengthOffset = 0;
constexpr uint32_t kRecordTypeOffset = 4;
constexpr uint32_t kRecordSequenceLowOffset = 8;
constexpr uint32_t kRecordSequenceHighOffset = 12;
constexpr int32_t kRecordTypeData = 1;
constexpr int32_t kRecordTypePadding = -1;

// Values.
constexpr uint32_t kPolicyReliable = 0;
constexpr uint32_t kPolicyLatest = 1;
constexpr uint32_t kStateInitializing = 0;
constexpr uint32_t kStateReady = 1;
constexpr uint32_t kStateClosed = 2;
constexpr uint32_t kSlotFree = 0;
constexpr uint32_t kSlotJoining = 1;
constexpr uint32_t kSlotActive = 2;

static_assert(kReaderSlotsOffset + kReaderSlotCount * kReaderSlotBytes <= kRingOffset,
              "reader slots overlap the ring");
static_assert(kTopicOffset + kTopicBytes <= kTailOffset, "names overlap the counters");
static_assert(kRingOffset % 4096 == 0, "the ring must start on a page");

// The largest payload a ring of `capacity` bytes accepts: a record plus the padding that may
// precede it at the wrap must fit, so an aligned record may take at most half the ring.
constexpr uint32_t MaxPayloadFor(uint32_t capacity) {
  return capacity / 2 - kRecordHeaderBytes;
}

constexpr uint32_t AlignRecord(uint32_t length) {
  return (length + (kRecordAlignment - 1)) & ~(kRecordAlignment - 1);
}

}  // namespace layout
}  // namespace seamless

#endif  // SEAMLESS_RING_DESCRIPTOR_H
