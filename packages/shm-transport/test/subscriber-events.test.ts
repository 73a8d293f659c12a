import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { PublicationListener, SubscriberInfo, SubscriptionListener } from '@seamless/transport';
import { Child, advertisementOf, killChildren } from '@seamless/test-support';
import { ownPresence } from '@seamless/local-addrs';
import { createShmTransport } from '../src/index.js';
import type { ShmTransport } from '../src/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const transports: ShmTransport[] = [];
afterEach(async () => {
  await killChildren();
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
});

function transport(): ShmTransport {
  const created = createShmTransport({ livenessIntervalMs: 100 });
  transports.push(created);
  return created;
}

const quiet: SubscriptionListener = { readable: () => undefined, ended: () => undefined };

// What a publication reported, in order, with a way to wait for a condition on it (woken by
// every event: no polling, no sleeping).
function recorder() {
  const events: { kind: 'added' | 'removed'; info: SubscriberInfo; sending: boolean }[] = [];
  const waiters = new Set<() => void>();
  const state = { sending: false };
  const listener: PublicationListener = {
    subscriberAdded: (info) => {
      events.push({ kind: 'added', info, sending: state.sending });
      for (const wake of waiters) wake();
    },
    subscriberRemoved: (info) => {
      events.push({ kind: 'removed', info, sending: state.sending });
      for (const wake of waiters) wake();
    },
  };
  const until = async (condition: () => boolean): Promise<void> => {
    while (!condition()) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
      });
    }
  };
  const count = (kind: 'added' | 'removed') => events.filter((event) => event.kind === kind).length;
  return { events, listener, until, count, state };
}

let publishers = 0;
async function publication(shm: ShmTransport, listener: PublicationListener) {
  publishers++;
  return shm.openPublication({ topic: 'events.test', publisherId: `e${publishers}`, policy: 'reliable', maxMessageSize: 64 }, listener);
}

describe('subscriber events of a shared-memory publication', () => {
  it("reports a subscriber added once, with transport 'shm', a unique id and its pid, and removed once when it closes", async () => {
    const shm = transport();
    const seen = recorder();
    const publisher = await publication(shm, seen.listener);
    const first = await shm.openSubscription(advertisementOf(publisher), {}, quiet);
    await seen.until(() => seen.count('added') === 1);
    const added = seen.events[0]?.info;
    expect(added).toEqual({ transport: 'shm', id: expect.stringMatching(/^[0-9a-f]{16}-0-\d+$/) as unknown, pid: process.pid });
    expect(added?.id.startsWith(ownPresence()?.token ?? '?')).toBe(true);
    expect(added?.hostname).toBeUndefined();
    await first.close();
    await seen.until(() => seen.count('removed') === 1);
    expect(seen.events[1]).toEqual({ kind: 'removed', info: added, sending: false });
    // The same process in the same slot again: another attachment, another id.
    const second = await shm.openSubscription(advertisementOf(publisher), {}, quiet);
    await seen.until(() => seen.count('added') === 2);
    expect(seen.events[2]?.info.id).not.toBe(added?.id);
    expect(publisher.subscriberCount).toBe(1);
    await second.close();
    await seen.until(() => seen.count('removed') === 2);
  });

  it('tells a subscriber that left from one that took its slot before the publication looked: removed, then added', async () => {
    const shm = transport();
    const seen = recorder();
    const publisher = await publication(shm, seen.listener);
    const first = await shm.openSubscription(advertisementOf(publisher), {}, quiet);
    await seen.until(() => seen.count('added') === 1);
    // Close and reopen within one turn: the slot is active throughout, as far as the next
    // look can tell, but holds another attachment.
    await first.close();
    const second = await shm.openSubscription(advertisementOf(publisher), {}, quiet);
    expect(second.slot).toBe(first.slot);
    await seen.until(() => seen.count('added') === 2);
    expect(seen.events.map((event) => event.kind)).toEqual(['added', 'removed', 'added']);
    expect(seen.events[1]?.info).toEqual(seen.events[0]?.info);
    expect(seen.events[2]?.info.id).not.toBe(seen.events[0]?.info.id);
  });

  it('reports several subscribers once each; an attachment that came and went between two looks is never reported; close() of the publication reports no removals', async () => {
    const shm = transport();
    const seen = recorder();
    const publisher = await publication(shm, seen.listener);
    const subscriptions = await Promise.all([0, 1, 2].map(() => shm.openSubscription(advertisementOf(publisher), {}, quiet)));
    // Attached and detached before the publication's event loop turned: nothing to report.
    const fleeting = await shm.openSubscription(advertisementOf(publisher), {}, quiet);
    await fleeting.close();
    await seen.until(() => seen.count('added') === 3);
    expect(new Set(seen.events.map((event) => event.info.id)).size).toBe(3);
    await publisher.close();
    for (const subscription of subscriptions) await subscription.close();
    // One more look would be the doorbell of those closes: the closed publication makes none.
    const control = recorder();
    const other = await publication(shm, control.listener);
    const probe = await shm.openSubscription(advertisementOf(other), {}, quiet);
    await control.until(() => control.count('added') === 1);
    await probe.close();
    await control.until(() => control.count('removed') === 1);
    expect(seen.events.map((event) => event.kind)).toEqual(['added', 'added', 'added']);
  });

  it('reports a subscriber whose process is killed (SIGKILL) as removed, with the pid it was added with, never from inside send()', async () => {
    const shm = transport();
    const seen = recorder();
    const publisher = await publication(shm, seen.listener);
    const reader = Child.start(`${fixtures}park-reader.mjs`, [
      JSON.stringify({ advertisement: advertisementOf(publisher), maxMessageSize: 64, seed: 1, stopAfter: 1, livenessIntervalMs: 100 }),
    ]);
    await reader.next((message) => message['type'] === 'attached');
    await seen.until(() => seen.count('added') === 1);
    expect(seen.events[0]?.info.pid).toBe(reader.process.pid);
    // It stops reading after one message and holds the writer back; then it is killed, while
    // this process keeps trying to send (the writer itself may evict it, inside send()).
    await reader.kill('SIGKILL');
    let sequence = 0;
    while (seen.count('removed') === 0) {
      seen.state.sending = true;
      for (let burst = 0; burst < 100 && publisher.send(new Uint8Array(60), sequence); burst++) sequence++;
      seen.state.sending = false;
      await nextTurn();
    }
    expect(seen.events.map((event) => [event.kind, event.info, event.sending])).toEqual([
      ['added', seen.events[0]?.info, false],
      ['removed', seen.events[0]?.info, false],
    ]);
    expect(publisher.subscriberCount).toBe(0);
  });
});
