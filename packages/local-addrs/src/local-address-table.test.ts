import { networkInterfaces } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import type { AddressChange, InterfaceAddress } from './local-address-table.js';
import { LocalAddressTable } from './local-address-table.js';
import { errorOf } from '@seamless/test-support';

type Interfaces = Record<string, InterfaceAddress[]>;

const fabricated: Interfaces = {
  lo: [
    { address: '127.0.0.1', family: 'IPv4', internal: true },
    { address: '::1', family: 'IPv6', internal: true },
  ],
  eth0: [
    { address: '192.168.1.20', family: 'IPv4', internal: false },
    { address: 'fe80::a00:27ff:fe4e:66a1%eth0', family: 'IPv6', internal: false },
    { address: '2001:DB8::20', family: 'IPv6', internal: false },
  ],
  docker0: [{ address: '172.17.0.1', family: 4, internal: false }],
};

function tableOf(interfaces: Interfaces, options: { refreshIntervalMs?: number } = {}) {
  let current = interfaces;
  const table = new LocalAddressTable({ interfaces: () => current, ...options });
  return {
    table,
    set: (next: Interfaces) => {
      current = next;
    },
  };
}

describe('LocalAddressTable', () => {
  it('holds the normalised addresses of every interface', () => {
    const { table } = tableOf(fabricated);
    expect(table.addresses).toEqual(['127.0.0.1', '172.17.0.1', '192.168.1.20', '2001:db8::20', '::1', 'fe80::a00:27ff:fe4e:66a1']);
    expect(table.nonLoopbackAddresses()).toEqual(['172.17.0.1', '192.168.1.20', '2001:db8::20', 'fe80::a00:27ff:fe4e:66a1']);
  });

  it.each([
    ['192.168.1.20', true],
    ['172.17.0.1', true],
    ['::ffff:192.168.1.20', true], // IPv4-mapped
    ['::FFFF:c0a8:114', true], // the same, in hex
    ['2001:db8:0:0:0:0:0:20', true], // uncompressed
    ['2001:DB8::20', true],
    ['fe80::a00:27ff:fe4e:66a1', true],
    ['fe80::a00:27ff:fe4e:66a1%eth0', true], // zone ids
    ['fe80::a00:27ff:fe4e:66a1%7', true],
    ['[2001:db8::20]', true],
    ['127.0.0.1', true],
    ['127.3.4.5', true], // all of 127/8, whatever the interfaces say
    ['::ffff:127.0.0.2', true],
    ['::1', true],
    ['192.168.1.21', false],
    ['10.0.0.1', false],
    ['2001:db8::21', false],
    ['0.0.0.0', false],
    ['::', false],
  ])('isLocal(%j) is %s', (address, expected) => {
    expect(tableOf(fabricated).table.isLocal(address)).toBe(expected);
  });

  it('treats loopback as local even when no interface lists it', () => {
    const { table } = tableOf({ eth0: [{ address: '10.1.1.1' }] });
    expect(table.isLocal('127.0.0.1')).toBe(true);
    expect(table.isLocal('::1')).toBe(true);
  });

  it.each(['', 'not-an-ip', 'localhost', '1.2.3.999', '::g'])('isLocal(%j) is false', (text) => {
    expect(tableOf(fabricated).table.isLocal(text)).toBe(false);
  });

  it('throws ERR_INVALID_ARGUMENT for a non-string address', () => {
    const { table } = tableOf(fabricated);
    const error = errorOf(() => table.isLocal(42 as unknown as string));
    expect(SeamlessError.isInstance(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('ignores interface entries that are not addresses', () => {
    const { table } = tableOf({
      odd: [{ address: 'garbage' }, { address: 42 as unknown as string }, { address: '10.9.9.9' }],
    });
    expect(table.addresses).toEqual(['10.9.9.9']);
  });

  it('localAddressesIn leaves loopback out when asked to', () => {
    const { table } = tableOf(fabricated);
    const advertised = ['10.0.0.7', '::ffff:192.168.1.20', '127.0.0.1', '::1', 'bogus'];
    expect(table.localAddressesIn(advertised)).toEqual(['192.168.1.20', '127.0.0.1', '::1']);
    expect(table.localAddressesIn(advertised, { loopback: false })).toEqual(['192.168.1.20']);
    expect(table.localAddressesIn(['127.0.0.1'], { loopback: false })).toEqual([]);
  });

  it('refresh() reports added and removed addresses and emits change', () => {
    const { table, set } = tableOf(fabricated);
    const events: AddressChange[] = [];
    table.on('change', (change) => events.push(change));
    expect(table.refresh()).toBeUndefined();
    expect(events).toEqual([]);

    set({ ...fabricated, eth0: [{ address: '192.168.1.99' }], wg0: [{ address: 'fd00::5' }] });
    const change = table.refresh();
    expect(change?.added).toEqual(['192.168.1.99', 'fd00::5']);
    expect(change?.removed).toEqual(['192.168.1.20', '2001:db8::20', 'fe80::a00:27ff:fe4e:66a1']);
    expect(events).toEqual([change]);
    expect(table.isLocal('192.168.1.99')).toBe(true);
    expect(table.isLocal('192.168.1.20')).toBe(false);
  });

  // Real time: the table schedules with the timers of load time (realTimers), which fake
  // timers do not drive, so that a user's fake clock never stalls Seamless.
  it('refreshes on an interval, and close() stops it', async () => {
    let reads = 0;
    let current: Interfaces = fabricated;
    const table = new LocalAddressTable({
      interfaces: () => {
        reads++;
        return current;
      },
      refreshIntervalMs: 20,
    });
    const change = new Promise<AddressChange>((resolve) => table.once('change', resolve));
    current = { lo: fabricated['lo'] ?? [] };
    expect((await change).addresses).toEqual(['127.0.0.1', '::1']);
    table.close();
    const readsAtClose = reads;
    current = fabricated;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reads).toBe(readsAtClose);
  });

  it('does not keep the event loop alive', () => {
    const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const before = timers();
    const table = new LocalAddressTable({ refreshIntervalMs: 50 });
    // Only ref'd timers are listed among the resources that keep the loop alive.
    expect(timers()).toBe(before);
    table.close();
  });

  it('reports a failing interface source on the error event during timed refreshes', async () => {
    let fail = false;
    const table = new LocalAddressTable({
      interfaces: () => {
        if (fail) throw new Error('EPERM');
        return fabricated;
      },
      refreshIntervalMs: 20,
    });
    const error = new Promise<SeamlessError>((resolve) => table.once('error', resolve));
    fail = true;
    expect((await error).code).toBe('ERR_NOT_SUPPORTED');
    expect(table.isLocal('192.168.1.20')).toBe(true); // kept its contents
    table.close();
  });

  it('refuses bad options with ERR_INVALID_ARGUMENT', () => {
    for (const options of [{ refreshIntervalMs: 0 }, { refreshIntervalMs: Number.NaN }, { interfaces: 'x' }]) {
      const error = errorOf(() => new LocalAddressTable(options as never));
      expect(SeamlessError.isInstance(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('reads the real interfaces by default', () => {
    using table = new LocalAddressTable();
    for (const entries of Object.values(networkInterfaces())) {
      for (const entry of entries ?? []) expect(table.isLocal(entry.address)).toBe(true);
    }
  });

  describe('isLocalHost', () => {
    const lookup = vi.fn(async (name: string): Promise<string[]> => {
      await Promise.resolve();
      if (name === 'me.example') return ['203.0.113.1', '192.168.1.20'];
      if (name === 'other.example') return ['203.0.113.1'];
      if (name === 'v6.example') return ['2001:db8::20'];
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    });
    const table = new LocalAddressTable({ interfaces: () => fabricated, lookup });

    it('checks IP addresses without resolving', async () => {
      lookup.mockClear();
      await expect(table.isLocalHost('192.168.1.20')).resolves.toBe(true);
      await expect(table.isLocalHost('[::1]')).resolves.toBe(true);
      await expect(table.isLocalHost('8.8.8.8')).resolves.toBe(false);
      expect(lookup).not.toHaveBeenCalled();
    });

    it('resolves names: local when any address is', async () => {
      await expect(table.isLocalHost('me.example')).resolves.toBe(true);
      await expect(table.isLocalHost('v6.example')).resolves.toBe(true);
      await expect(table.isLocalHost('other.example')).resolves.toBe(false);
    });

    it('rejects unresolvable names with ERR_ADDRESS_INVALID naming the host', async () => {
      const error = await table.isLocalHost('nowhere.invalid').catch((caught: unknown) => caught);
      expect(SeamlessError.isInstance(error, 'ERR_ADDRESS_INVALID')).toBe(true);
      expect((error as Error).message).toContain('"nowhere.invalid"');
      expect((error as Error).message).toContain('ENOTFOUND');
    });

    it('rejects empty and non-string names with ERR_INVALID_ARGUMENT', async () => {
      for (const name of ['', '   ', undefined, 7]) {
        const error = await table.isLocalHost(name as string).catch((caught: unknown) => caught);
        expect(SeamlessError.isInstance(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
      }
    });

    it('resolves localhost through the real resolver', async () => {
      const real = new LocalAddressTable();
      await expect(real.isLocalHost('localhost')).resolves.toBe(true);
    });
  });
});
