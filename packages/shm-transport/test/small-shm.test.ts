import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Child, SmallShm, containerSkipReason, killChildren } from '@seamless/test-support';

// Docker gives each container a 64 MB /dev/shm. Every case runs in a mount namespace of its
// own with such a tmpfs on /dev/shm, so nothing here touches the host's.
const fillScript = fileURLToPath(new URL('./fixtures/fill-shm.mjs', import.meta.url));
const reserveScript = fileURLToPath(new URL('./fixtures/reserve-segment.mjs', import.meta.url));
const skipReason = containerSkipReason();
if (skipReason !== undefined) console.log(`skipping the small /dev/shm tests: ${skipReason}`);

interface Result {
  created: number;
  capacity: number;
  error: { code: string; message: string } | null;
}

describe.skipIf(skipReason !== undefined)('a small /dev/shm (64 MB, as in a Docker container)', () => {
  let shm: SmallShm | undefined;
  afterEach(async () => {
    await killChildren();
    await shm?.remove();
    shm = undefined;
  });

  async function fill(): Promise<SmallShm> {
    shm = await SmallShm.create(64 * 1024 * 1024);
    return shm;
  }

  async function run(small: SmallShm, config: Record<string, unknown>) {
    const child = Child.start(fillScript, [JSON.stringify({ maxMessageSize: 64 * 1024, limit: 1000, messageBytes: 1024, ...config })], {
      wrapper: small.wrapper(),
    });
    const result = await child.next<Result>((message) => message['type'] === 'result', 120_000);
    const closed = await child.next<{ entries: string[] }>((message) => message['type'] === 'closed', 60_000);
    expect(await child.exited).toEqual({ code: 0, signal: null });
    return { result, closed };
  }

  it('holds at least 200 publishers of the default size, refuses the next one with ERR_SHM_UNAVAILABLE naming the space, and never dies of SIGBUS', async () => {
    const small = await fill();
    const { result, closed } = await run(small, {});
    console.log(`${result.created} publishers of ${result.capacity} ring bytes fit in 64 MB; then: ${result.error?.message ?? 'no error'}`);
    expect(result.created).toBeGreaterThanOrEqual(200);
    expect(result.capacity).toBe(256 * 1024);
    expect(result.error?.code).toBe('ERR_SHM_UNAVAILABLE');
    expect(result.error?.message).toMatch(/\/dev\/shm: 64\.0 MiB, [\d.]+ (KiB|MiB) free/);
    // Closing left nothing but the process's own presence pipe (removed at its exit).
    expect(closed.entries.filter((name) => !name.includes('-live-'))).toEqual([]);
    expect(small.run('ls /dev/shm')).toBe('');
  }, 180_000);

  it('history is paid in /dev/shm: a ring sized for 100 messages of 64 KiB fits, one for 1000 (a 64 MiB ring) is refused with ERR_SHM_UNAVAILABLE naming history × maxMessageSize', async () => {
    const small = await fill();
    const fits = await run(small, { limit: 1, history: 100 });
    expect(fits.result.created).toBe(1);
    expect(fits.result.capacity).toBe(8 * 1024 * 1024); // 256 KiB + 101 × 64 KiB, rounded up
    const refused = await run(small, { limit: 1, history: 1000 });
    expect(refused.result.created).toBe(0);
    expect(refused.result.error?.code).toBe('ERR_SHM_UNAVAILABLE');
    expect(refused.result.error?.message).toMatch(
      /no room in \/dev\/shm for the 64\.0 MiB segment of publisher "fill\.0", sized for history 1000 × maxMessageSize 65536 \(\/dev\/shm: 64\.0 MiB/,
    );
    expect(small.run('ls /dev/shm')).toBe('');
  }, 120_000);

  it('already full: the first publication is refused cleanly, and the segment reservation itself fails with ENOSPC instead of a later SIGBUS', async () => {
    const small = await fill();
    small.run('fallocate -l 63M /dev/shm/filler');
    const checked = await run(small, {});
    expect(checked.result.created).toBe(0);
    expect(checked.result.error?.code).toBe('ERR_SHM_UNAVAILABLE');
    expect(checked.result.error?.message).toContain('/dev/shm: 64.0 MiB, 1.0 MiB free');
    // The last line of defence, when two processes race for the same space: the addon
    // reserves every page at creation, so 2 MiB in 1 MiB free is a clean refusal.
    const reserve = Child.start(reserveScript, [String(2 * 1024 * 1024)], { wrapper: small.wrapper() });
    expect(await reserve.next((message) => message['type'] === 'result')).toEqual({
      type: 'result',
      created: false,
      code: 'ENOSPC',
      exists: false,
    });
    expect(await reserve.exited).toEqual({ code: 0, signal: null });
    const fits = Child.start(reserveScript, [String(512 * 1024)], { wrapper: small.wrapper() });
    expect(await fits.next((message) => message['type'] === 'result')).toEqual({
      type: 'result',
      created: true,
      code: null,
      exists: false,
    });
    expect(small.run('ls /dev/shm')).toBe('filler\n');
  }, 120_000);
});
