import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Advertisement } from './advertisement.js';
import { parseAdvertisement } from './parse-advertisement.js';
import { SeamlessError } from './seamless-error.js';

const valid: Advertisement = {
  version: 1,
  topic: 'md.AAPL',
  publisherId: 'p-0123456789abcdef',
  policy: 'reliable',
  maxMessageSize: 65536,
  host: { bootId: 'boot', ipcNamespace: 'ipc:[1]', netNamespace: 'net:[2]', hostname: 'h1' },
  addresses: ['10.0.0.1', '127.0.0.1', 'fe80::1%eth0', '::1'],
  endpoints: {
    shm: { segment: '/seamless-1000-abcdef', nonce: '0123456789abcdef0123456789abcdef' },
    tcp: { port: 40123, tls: false },
  },
};

function problemOf(value: unknown): string | undefined {
  try {
    parseAdvertisement(value);
    return undefined;
  } catch (error) {
    if (!SeamlessError.isInstance(error, 'ERR_ADVERTISEMENT_INVALID')) throw error;
    return error.message;
  }
}

function withField(path: string[], value: unknown): unknown {
  const copy = structuredClone(valid) as unknown as Record<string, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = path.at(-1) ?? '';
  if (value === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- building a broken input
    delete target[last];
  } else {
    target[last] = value;
  }
  return copy;
}

describe('parseAdvertisement', () => {
  it('accepts a valid advertisement and returns a frozen copy without unknown fields', () => {
    const parsed = parseAdvertisement({ ...valid, extra: 'ignored' });
    expect(parsed).toEqual(valid);
    expect(parsed).not.toBe(valid);
    expect(Object.isFrozen(parsed)).toBe(true);
    expect(Object.isFrozen(parsed.endpoints)).toBe(true);
    expect('extra' in parsed).toBe(false);
  });

  it('keeps a history above 0 and leaves it out otherwise, so a v1 reader sees the same JSON', () => {
    expect(parseAdvertisement({ ...valid, history: 10 }).history).toBe(10);
    expect('history' in parseAdvertisement({ ...valid, history: 0 })).toBe(false);
    expect(JSON.stringify(parseAdvertisement({ ...valid, history: 0 }))).toBe(JSON.stringify(parseAdvertisement(valid)));
  });

  it('accepts an advertisement with only a tcp endpoint', () => {
    const parsed = parseAdvertisement(withField(['endpoints', 'shm'], undefined));
    expect(parsed.endpoints).toEqual({ tcp: { port: 40123, tls: false } });
  });

  it.each([
    [[], null, 'advertisement must be an object'],
    [['version'], 2, 'version must be 1, got 2'],
    [['topic'], '/bad', 'topic must not start with "/"'],
    [['publisherId'], 'has space', 'publisherId must be 1 to 64 characters'],
    [['policy'], 'best-effort', 'policy must be one of reliable, latest'],
    [['maxMessageSize'], -1, 'maxMessageSize must be a non-negative integer'],
    [['maxMessageSize'], 1.5, 'maxMessageSize must be a non-negative integer'],
    [['history'], -1, 'history must be an integer from 0 to 65536, got -1'],
    [['history'], 65_537, 'history must be an integer from 0 to 65536'],
    [['history'], '10', 'history must be an integer from 0 to 65536, got "10"'],
    [['host'], 'h', 'host must be an object'],
    [['host', 'bootId'], '', 'host.bootId must be a non-empty string'],
    [['host', 'hostname'], 'x'.repeat(256), 'host.hostname must be a non-empty string'],
    [['addresses'], '10.0.0.1', 'addresses must be an array'],
    [['addresses'], Array(65).fill('10.0.0.1'), 'addresses must be an array of at most 64'],
    [['addresses'], ['10.0.0.1', 'example.com'], 'addresses[1] "example.com" is not an IP address'],
    [['endpoints'], [], 'endpoints must be an object, got an array'],
  ])('refuses %j = %j', (path, value, message) => {
    const input = path.length === 0 ? value : withField(path, value);
    expect(problemOf(input)).toContain(message);
  });

  it.each([
    ['not an object', 'segment'],
    ['a non-finite number', { port: Number.NaN }],
    ['a string over 1024 characters', { cert: 'x'.repeat(1025) }],
    ['nesting over 4 deep', { a: { b: { c: { d: {} } } } }],
    ['not plain JSON', { at: new Map() }],
    ['an array over 64 items', { list: Array(65).fill(0) }],
    ['a field name over 64 characters', { ['k'.repeat(65)]: 1 }],
  ])('drops an entry that is %s and keeps the others', (_what, entry) => {
    const parsed = parseAdvertisement({ ...valid, endpoints: { ...valid.endpoints, 'new-kind': entry } });
    expect(parsed.endpoints).toEqual(valid.endpoints);
  });

  it('drops entries under names that are not transport kinds, and keeps at most 16, in sorted order', () => {
    const named = parseAdvertisement({ ...valid, endpoints: { 'Shared Memory': {}, ['x'.repeat(33)]: {}, tcp: { port: 1, tls: false } } });
    expect(parsed(named)).toEqual(['tcp']);
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`k${String(index).padStart(2, '0')}`, {}]));
    expect(parsed(parseAdvertisement({ ...valid, endpoints: { ...many, aaa: {} } }))).toEqual(['aaa', ...Object.keys(many).slice(0, 15)]);
    // One order whatever the input's: the multicast digest hashes the serialised form.
    const reversed = parseAdvertisement({ ...valid, endpoints: { tcp: valid.endpoints['tcp'], shm: valid.endpoints['shm'] } });
    expect(JSON.stringify(reversed)).toBe(JSON.stringify(parseAdvertisement(valid)));
    function parsed(advertisement: Advertisement): string[] {
      return Object.keys(advertisement.endpoints);
    }
  });

  it('keeps the entries of kinds it does not know, frozen, for the transports that do', () => {
    const endpoints = { ...valid.endpoints, 'unix-socket': { path: '/run/seamless/p1.sock', tags: ['a', 1, true, null] } };
    const parsed = parseAdvertisement({ ...valid, endpoints });
    expect(parsed.endpoints).toEqual(endpoints);
    const entry = parsed.endpoints['unix-socket'] as { tags: unknown[] };
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(entry.tags)).toBe(true);
    expect(entry).not.toBe(endpoints['unix-socket']);
  });

  it('reads the advertisement of a v1 publisher (contract v1, the release before) unchanged', () => {
    // Written by @seamless/seamless 0.1.0 (transport contract v1) to its registry file.
    const v1 = JSON.parse(
      '{"version":1,"topic":"md.AAPL","publisherId":"p-5f2b9c4d0a1e7f36","policy":"reliable","maxMessageSize":65536,' +
        '"host":{"bootId":"b1","ipcNamespace":"ipc:[4026531839]","netNamespace":"net:[4026531840]","hostname":"h"},' +
        '"addresses":["10.0.0.5","127.0.0.1"],"endpoints":{"shm":{"segment":"/seamless-0-1a2b3c4d-0123456789abcdef",' +
        '"nonce":"0123456789abcdef0123456789abcdef"},"tcp":{"port":40123,"tls":false}}}',
    ) as unknown;
    expect(parseAdvertisement(v1).endpoints).toEqual({
      shm: { segment: '/seamless-0-1a2b3c4d-0123456789abcdef', nonce: '0123456789abcdef0123456789abcdef' },
      tcp: { port: 40123, tls: false },
    });
  });

  it('keeps a "__proto__" field of an entry a field, never a prototype', () => {
    const parsed = parseAdvertisement(
      JSON.parse(JSON.stringify({ ...valid, endpoints: {} }).replace('"endpoints":{}', '"endpoints":{"x":{"__proto__":{"polluted":1}}}')),
    );
    const entry = parsed.endpoints['x'] as Record<string, unknown>;
    expect(Object.getPrototypeOf(entry)).toBe(Object.prototype);
    expect(Object.keys(entry)).toEqual(['__proto__']);
    expect((entry as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('never throws anything but ERR_ADVERTISEMENT_INVALID on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(problemOf(value)).toBeTypeOf('string');
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything but ERR_ADVERTISEMENT_INVALID when one field is mutated', () => {
    const paths = [
      ['version'],
      ['topic'],
      ['publisherId'],
      ['policy'],
      ['maxMessageSize'],
      ['host'],
      ['host', 'bootId'],
      ['addresses'],
      ['endpoints'],
      ['endpoints', 'shm'],
      ['endpoints', 'tcp', 'port'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.anything(), (path, value) => {
        const result = problemOf(withField(path, value));
        expect(result === undefined || result.startsWith('invalid advertisement: ')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
