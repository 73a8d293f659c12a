/**
 * The layout of a Seamless shared-memory segment, version 3: named offsets only. This is the
 * TypeScript mirror of `native/ring-descriptor.h`; a test compares the two field by field
 * against the constants the built addon exports.
 *
 * Every offset is in bytes from the start of the segment; integers are little-endian.
 * Positions are 32-bit and wrap: position `p` lives at ring offset `p & (capacity - 1)`, and
 * distances are computed modulo 2^32 (exact while below 2^31; the capacity is at most 2^30).
 *
 * ```text
 *        0 +----------------------------------------------------------------------+
 *          | line 0, static (written once by the creator, then `state` = ready)   |
 *          |   0 magic "SEAMLSHM" (8 bytes)        8 layout version u32            |
 *          |  12 header bytes u32 (= ring offset) 16 capacity u32 (power of two)   |
 *          |  20 max message size u32             24 policy u32 (0 reliable,       |
 *          |  28 reader slot count u32                          1 latest)          |
 *          |  32 writer pid u32 (for people)      36 state u32 (0 init, 1 ready,   |
 *          |  40 writer presence (8 bytes)                      2 closed)        |
 *          |  48 nonce (16 bytes)                 64 owner uid u32                 |
 *          |  68 segment bytes u32                72 publisher id length u32       |
 *          |  76 topic length u32                 80 writer doorbell id u32        |
 *          |  84 history u32 (records the writer retains for late joiners)         |
 *      128 | lines 1-3: publisher id (64 bytes), topic (256 bytes), UTF-8          |
 *      512 | line 4, writer: where joining readers start                           |
 *          |   512 tail checkpoint u32 (a record boundary at most 4 KiB behind     |
 *          |       the tail: stored when the tail crosses a 4 KiB boundary, at     |
 *          |       the wrap, and whenever the writer reads the reader slots)       |
 *          |   516 history start u32 (the oldest retained record, after each       |
 *          |       commit; only while history > 0)                                 |
 *          |   520 keep u32 (reliable: nothing from here on is overwritten before  |
 *          |       the writer reads the reader slots again)                        |
 *      640 | line 5, writer: intent position u32 (latest: overwriting up to here)  |
 *      768 | line 6, writer: head position u32 (latest: oldest intact record)      |
 *      896 | line 7: generation u32 (readers bump it on every join and leave)      |
 *          |   900 waiters u32 (readers parked on their doorbell)                  |
 *          |   904 writer waiting u32 (the writer is parked for room)              |
 *     1024 | reader slot 0 (128 bytes, written by its reader)                      |
 *          |   +0 state u32 (0 free, 1 joining, 2 active)  +4 pid u32 (for people) |
 *          |   +8 presence (8 bytes)                       +16 position u32         |
 *          |  +20 parked u32                               +24 doorbell id u32      |
 *          |  +28 ticket u32 (names this attachment: generation at its join)       |
 *          | ... reader slots 1 .. 63                                              |
 *     9216 | padding to the page                                                   |
 *    12288 | ring: `capacity` bytes of 8-byte aligned records                      |
 *          +----------------------------------------------------------------------+
 *
 * A record:   0 length i32 (header + payload, unaligned; 0 = not yet written)
 *             4 type i32 (1 data, -1 padding)
 *             8 sequence, low 32 bits u32     12 sequence, high 21 bits u32
 *            16 payload (length - 16 bytes), then zeros up to the next multiple of 8
 * ```
 *
 * A presence is the 8 bytes of a process's presence token (16 hexadecimal digits, see
 * `@seamless/local-addrs`): the pipe `/dev/shm/seamless-<uid>-live-<token>` that the process holds
 * open while it lives. It names the writer and each reader in a way that holds across PID
 * namespaces; pids are kept for people reading the segment, never trusted.
 *
 * Counters that different processes write sit on their own 128-byte lines.
 */
export const RingDescriptor = {
  magic: 'SEAMLSHM',
  layoutVersion: 3,
  lineBytes: 128,

  magicOffset: 0,
  layoutVersionOffset: 8,
  headerBytesOffset: 12,
  capacityOffset: 16,
  maxMessageSizeOffset: 20,
  policyOffset: 24,
  readerSlotCountOffset: 28,
  writerPidOffset: 32,
  stateOffset: 36,
  writerPresenceOffset: 40,
  presenceBytes: 8,
  nonceOffset: 48,
  nonceBytes: 16,
  ownerUidOffset: 64,
  segmentBytesOffset: 68,
  publisherIdLengthOffset: 72,
  topicLengthOffset: 76,
  writerDoorbellOffset: 80,
  historyOffset: 84,

  publisherIdOffset: 128,
  publisherIdBytes: 64,
  topicOffset: 192,
  topicBytes: 256,

  tailOffset: 512,
  historyStartOffset: 516,
  keepOffset: 520,
  intentOffset: 640,
  headOffset: 768,
  generationOffset: 896,
  waitersOffset: 900,
  writerWaitingOffset: 904,

  readerSlotsOffset: 1024,
  readerSlotBytes: 128,
  readerSlotCount: 64,
  slotStateOffset: 0,
  slotPidOffset: 4,
  slotPresenceOffset: 8,
  slotPositionOffset: 16,
  slotParkedOffset: 20,
  slotDoorbellOffset: 24,
  slotTicketOffset: 28,

  ringOffset: 12288,
  minCapacity: 4096,
  maxCapacity: 2 ** 30,

  recordHeaderBytes: 16,
  recordAlignment: 8,
  recordLengthOffset: 0,
  recordTypeOffset: 4,
  recordSequenceLowOffset: 8,
  recordSequenceHighOffset: 12,
  recordTypeData: 1,
  recordTypePadding: -1,

  policyReliable: 0,
  policyLatest: 1,
  stateInitializing: 0,
  stateReady: 1,
  stateClosed: 2,
  slotFree: 0,
  slotJoining: 1,
  slotActive: 2,
} as const;

/** The largest payload a ring of `capacity` bytes accepts (a record may take half the ring). */
export function maxPayloadFor(capacity: number): number {
  return capacity / 2 - RingDescriptor.recordHeaderBytes;
}

/** A record's length rounded up to the record alignment. */
export function alignRecord(length: number): number {
  return (length + 7) & ~7;
}

/** The segment size for a ring of `capacity` bytes. */
export function segmentBytesFor(capacity: number): number {
  return RingDescriptor.ringOffset + capacity;
}
