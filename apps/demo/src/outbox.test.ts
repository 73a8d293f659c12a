import { ErrorCode, SeamlessError } from '@seamless/seamless';
import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';
import type { OutboxPublisher } from './outbox.js';

// A publisher with room for `room` messages until `free()` is called.
function fakePublisher(room: number): OutboxPublisher & { sent: number[]; free(count: number): void; fail: Error | undefined } {
  let space = room;
  let wake: (() => void) | undefined;
  const publisher = {
    topic: 'test',
    sent: [] as number[],
    fail: undefined as Error | undefined,
    send(data: Uint8Array): boolean {
      if (publisher.fail !== undefined) throw publisher.fail;
      if (space === 0) return false;
      space--;
      publisher.sent.push(data[0] ?? -1);
      return true;
    },
    drained(): Promise<void> {
      if (publisher.fail !== undefined) return Promise.reject(publisher.fail);
      return new Promise<void>((resolve) => {
        wake = resolve;
      });
    },
    free(count: number): void {
      space += count;
      wake?.();
    },
  };
  return publisher;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Outbox', () => {
  it('sends at once while there is room', () => {
    const publisher = fakePublisher(10);
    const outbox = new Outbox(publisher);
    outbox.send(new Uint8Array([1]));
    outbox.send(new Uint8Array([2]));
    expect(publisher.sent).toEqual([1, 2]);
    expect(outbox.pending).toBe(0);
  });

  it('queues copies when back-pressured and sends them in order when there is room, never returning false', async () => {
    const publisher = fakePublisher(1);
    const outbox = new Outbox(publisher);
    const reused = new Uint8Array(1);
    for (const value of [1, 2, 3, 4]) {
      reused[0] = value;
      outbox.send(reused);
    }
    expect(publisher.sent).toEqual([1]);
    expect(outbox.pending).toBe(3);
    publisher.free(1);
    await tick();
    outbox.send(new Uint8Array([5])); // still behind the queue
    publisher.free(10);
    await tick();
    await tick();
    expect(publisher.sent).toEqual([1, 2, 3, 4, 5]);
    expect(outbox.pending).toBe(0);
  });

  it('drops the oldest beyond its capacity, counting and reporting each', () => {
    const drops: number[] = [];
    const outbox = new Outbox(fakePublisher(0), { capacity: 2, onDrop: (dropped) => drops.push(dropped) });
    for (const value of [1, 2, 3, 4]) outbox.send(new Uint8Array([value]));
    expect(outbox.pending).toBe(2);
    expect(outbox.dropped).toBe(2);
    expect(drops).toEqual([1, 2]);
  });

  it('goes quiet when the publisher is closed, and reports any other failure', async () => {
    const closed = fakePublisher(0);
    const errors: unknown[] = [];
    const outbox = new Outbox(closed, { onError: (error) => errors.push(error) });
    outbox.send(new Uint8Array([1]));
    closed.fail = new SeamlessError(ErrorCode.Closed, 'closed');
    closed.free(0);
    await tick();
    outbox.send(new Uint8Array([2]));
    expect(errors).toEqual([]);
    expect(outbox.pending).toBe(0);

    const broken = fakePublisher(5);
    broken.fail = new Error('disk on fire');
    const reported = new Outbox(broken, { onError: (error) => errors.push(error) });
    expect(() => {
      reported.send(new Uint8Array([1]));
    }).not.toThrow();
    expect(errors).toEqual([broken.fail]);
  });
});
