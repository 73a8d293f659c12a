import { describe, expect, it } from 'vitest';
import type { Message } from '@seamless/transport';
import { followStream } from '@seamless/test-support/join-check';
import type { FollowedStream } from '@seamless/test-support/join-check';
import { ringSizeFor } from '../src/ring/ring-size.js';
import { makeRing, payload } from './ring-on-buffer.js';

// A 'latest' subscriber that joins from the history and is lapped before its first read
// receives, as its first message, the oldest intact one with `lost` counted from the oldest
// record retained at its join (the contract of both transports: ring-reader.ts here,
// firstSequence in the socket transport's welcome). The facade's late-joiner process test
// checked every subscriber's stream with a check that took the first message's `lost` for a
// gap after a message never received ("got 143805 after 143804 with 525 lost") whenever a shm
// joiner was lapped between its join and its first poll, about one run in three. Here the
// writer laps the joiner on purpose, and the messages go through that same check.
function lappedJoin(lapped: boolean) {
  const history = 5;
  const { capacity } = ringSizeFor(64, 4096, history);
  const { writer, reader } = makeRing({ capacity, latest: true, maxPayload: 64, history });
  let sequence = 0;
  while (sequence < 100) writer.write(payload(sequence, 64), sequence++);
  const late = reader({ history: true }); // retained: 95..99
  // Two rings' worth more before its first read (80 bytes a record), or nothing.
  const more = lapped ? Math.ceil((2 * capacity) / 80) : 0;
  for (let index = 0; index < more; index++) writer.write(payload(sequence, 64), sequence++);
  const perPublisher: Record<string, FollowedStream> = {};
  const problems: string[] = [];
  const seen: { seq: number; lost: number }[] = [];
  const handler = (message: Message) => {
    seen.push({ seq: message.seq, lost: message.lost });
    const problem = followStream(perPublisher, message);
    if (problem !== undefined) problems.push(problem);
  };
  late.poll(handler, Number.POSITIVE_INFINITY);
  // Then the live stream.
  for (let index = 0; index < 50; index++) writer.write(payload(sequence, 64), sequence++);
  late.poll(handler, Number.POSITIVE_INFINITY);
  return { next: sequence, stream: perPublisher['p'], problems, seen };
}

describe('a latest joiner lapped before its first read, as a late-joiner check sees it', () => {
  it('its first message carries the loss since the oldest retained record, and the check accepts it: no gap, joined at 95', () => {
    const { next, stream, problems, seen } = lappedJoin(true);
    // The case of the flaky facade test: a first message with lost > 0.
    expect(seen[0]?.lost).toBeGreaterThan(0);
    expect(seen[0]?.lost).toBe((seen[0]?.seq ?? 0) - 95);
    expect(problems).toEqual([]);
    expect(stream).toMatchObject({ first: 95, last: next - 1 });
    // Every message from the join point on, received or counted as lost, once.
    expect((stream?.received ?? 0) + (stream?.lost ?? 0)).toBe(next - (stream?.first ?? 0));
  });

  it('not lapped: 95..99 then the live stream, nothing lost', () => {
    const { next, stream, problems } = lappedJoin(false);
    expect(problems).toEqual([]);
    expect(stream).toMatchObject({ first: 95, last: next - 1, lost: 0, received: next - 95 });
    expect(stream?.head).toEqual([95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106]);
  });
});
