import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeamlessError } from '@seamless/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRecorder, makeAdvertisement } from '../test/support/advertisements.js';
import { StaticResolver } from './static-resolver.js';
import { STATIC_DEFAULT_MAX_MESSAGE_SIZE } from './static-table.js';
import type { StaticTable } from './static-table.js';

function errorOf(call: () => unknown): SeamlessError {
  try {
    call();
  } catch (error) {
    if (SeamlessError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a SeamlessError');
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'seamless-static-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('StaticResolver from an object', () => {
  it('turns endpoints into TCP-only advertisements with stable publisher ids', async () => {
    const resolver = new StaticResolver({
      'md.AAPL': [
        '10.0.0.5:40123',
        '[FD00::5]:40124',
        { address: '10.0.0.6', port: 40125, tls: true, policy: 'latest', maxMessageSize: 512 },
      ],
    });
    const found = await resolver.resolve('md.AAPL');
    expect(found.map((advertisement) => [advertisement.addresses, advertisement.endpoints])).toEqual([
      [['10.0.0.5'], { tcp: { port: 40123, tls: false } }],
      [['fd00::5'], { tcp: { port: 40124, tls: false } }],
      [['10.0.0.6'], { tcp: { port: 40125, tls: true } }],
    ]);
    expect(found[0]?.policy).toBe('reliable');
    expect(found[0]?.maxMessageSize).toBe(STATIC_DEFAULT_MAX_MESSAGE_SIZE);
    expect(found[2]?.policy).toBe('latest');
    expect(found[2]?.maxMessageSize).toBe(512);
    expect(found[0]?.publisherId).toMatch(/^static-[0-9a-f]{20}$/);
    const again = await new StaticResolver({ 'md.AAPL': ['10.0.0.5:40123'] }).resolve('md.AAPL');
    expect(again[0]?.publisherId).toBe(found[0]?.publisherId);
    expect(await resolver.resolve('md.MSFT')).toEqual([]);
    await resolver.close();
  });

  it('keeps full advertisements as given and checks their topic against the key', async () => {
    const advertisement = makeAdvertisement();
    const resolver = new StaticResolver({ 'md.AAPL': [advertisement] });
    expect(await resolver.resolve('md.AAPL')).toEqual([advertisement]);
    expect(errorOf(() => new StaticResolver({ 'md.MSFT': [advertisement] })).message).toContain(
      `"md.MSFT"[0]: the advertisement's topic "md.AAPL" differs from its key`,
    );
    await resolver.close();
  });

  it.each([
    [[] as unknown, 'must be an object mapping topic names'],
    [{ '/bad': [] }, 'topic "/bad" is not a valid topic name: must not start with "/"'],
    [{ 'md.AAPL': '10.0.0.5:1' }, 'topic "md.AAPL" must be an array'],
    [{ 'md.AAPL': ['10.0.0.5'] }, '"md.AAPL"[0]: "10.0.0.5" is not "address:port"'],
    [{ 'md.AAPL': ['example.com:80'] }, 'host names are not resolved'],
    [{ 'md.AAPL': ['10.0.0.5:0'] }, 'port must be an integer 1..65535, got 0'],
    [{ 'md.AAPL': ['10.0.0.5:1', { address: '10.0.0.6', port: 2, prot: 3 }] }, '"md.AAPL"[1]: unknown field "prot"'],
    [{ 'md.AAPL': [{ address: '10.0.0.6', port: 2, tls: 'yes' }] }, 'tls must be a boolean'],
    [{ 'md.AAPL': [{ address: '10.0.0.6', port: 2, policy: 'fast' }] }, 'policy must be one of reliable, latest'],
    [{ 'md.AAPL': [{ address: '10.0.0.6', port: 2, publisherId: 'a b' }] }, 'publisherId must be 1 to 64 characters'],
    [{ 'md.AAPL': ['10.0.0.5:1', '10.0.0.5:1'] }, 'appears twice for this topic'],
    [{ 'md.AAPL': [42] }, 'must be an advertisement, an endpoint object or "address:port", got 42'],
    [{ 'md.AAPL': [{ ...makeAdvertisement(), version: 2 }] }, 'invalid advertisement: version must be 1'],
  ])('refuses %j with ERR_CONFIG_INVALID', (table, problem) => {
    const error = errorOf(() => new StaticResolver(table as StaticTable));
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain('invalid static resolver table');
    expect(error.message).toContain(problem);
  });

  it('keeps advertise() in memory for this resolver and reports it to watchers', async () => {
    const resolver = new StaticResolver({ 'md.AAPL': ['10.0.0.5:40123'] });
    const watcher = new EventRecorder(resolver.watch('md.AAPL'));
    await watcher.until(1);
    const lease = await resolver.advertise(makeAdvertisement({ publisherId: 'mine' }));
    expect((await resolver.resolve('md.AAPL')).map((advertisement) => advertisement.publisherId)).toContain('mine');
    const replaced = await resolver.advertise(makeAdvertisement({ publisherId: 'mine', maxMessageSize: 1 }));
    await lease.revoke(); // superseded: does nothing
    expect((await resolver.resolve('md.AAPL')).some((advertisement) => advertisement.publisherId === 'mine')).toBe(true);
    await replaced.revoke();
    await replaced.revoke();
    const events = await watcher.until(5);
    expect(events.slice(1)).toEqual(['added mine', 'removed mine replaced', 'added mine', 'removed mine revoked']);
    await resolver.close();
    await watcher.done;
  });

  it('refuses to advertise a publisher id of the table, invalid input, and anything after close', async () => {
    const resolver = new StaticResolver({ 'md.AAPL': [{ address: '10.0.0.5', port: 1, publisherId: 'fixed' }] });
    await expect(resolver.advertise(makeAdvertisement({ publisherId: 'fixed' }))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(resolver.advertise({ ...makeAdvertisement(), topic: '' })).rejects.toMatchObject({ code: 'ERR_ADVERTISEMENT_INVALID' });
    await expect(resolver.resolve('md/../x')).rejects.toMatchObject({ code: 'ERR_TOPIC_INVALID' });
    expect(() => resolver.watch('')).toThrow(expect.objectContaining({ code: 'ERR_TOPIC_INVALID' }) as Error);
    await resolver.close();
    await resolver.close();
    await expect(resolver.resolve('md.AAPL')).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    await expect(resolver.advertise(makeAdvertisement())).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    expect(() => resolver.watch('md.AAPL')).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }) as Error);
  });

  it('resolves and watches patterns: matching topics now and later, concrete events, nothing else', async () => {
    const resolver = new StaticResolver({
      'md.AAPL': [{ address: '10.0.0.5', port: 1, publisherId: 'aapl' }],
      'md.us.IBM': [{ address: '10.0.0.5', port: 2, publisherId: 'ibm' }],
      'md/MSFT': [{ address: '10.0.0.5', port: 3, publisherId: 'slash' }],
      md: [{ address: '10.0.0.5', port: 4, publisherId: 'bare' }],
    });
    const byTopic = (list: readonly { topic: string; publisherId: string }[]) => list.map((ad) => `${ad.topic} ${ad.publisherId}`).sort();
    expect(byTopic(await resolver.resolve('md.*'))).toEqual(['md.AAPL aapl']);
    expect(byTopic(await resolver.resolve('md.>'))).toEqual(['md.AAPL aapl', 'md.us.IBM ibm']);
    expect(byTopic(await resolver.resolve('md/*'))).toEqual(['md/MSFT slash']);
    expect(byTopic(await resolver.resolve('*'))).toEqual(['md bare']);
    expect(byTopic(await resolver.resolve('>'))).toHaveLength(4);
    const controller = new AbortController();
    const oneLevel = new EventRecorder(resolver.watch('md.*', controller.signal));
    const rest = new EventRecorder(resolver.watch('md.>', controller.signal));
    await oneLevel.until(1);
    await rest.until(2);
    const later = await resolver.advertise(makeAdvertisement({ topic: 'md.MSFT', publisherId: 'later' }));
    await resolver.advertise(makeAdvertisement({ topic: 'md.us.MSFT', publisherId: 'deep' }));
    await resolver.advertise(makeAdvertisement({ topic: 'fx.EUR', publisherId: 'never' }));
    await resolver.advertise(makeAdvertisement({ topic: 'md/AAPL', publisherId: 'never-slash' }));
    await later.revoke();
    expect(await oneLevel.until(3)).toEqual(['added aapl', 'added later', 'removed later revoked']);
    expect((await rest.until(5)).slice(2)).toEqual(['added later', 'added deep', 'removed later revoked']);
    expect(oneLevel.events.map((event) => event.advertisement.topic)).toEqual(['md.AAPL', 'md.MSFT', 'md.MSFT']);
    await expect(resolver.advertise(makeAdvertisement({ topic: 'md.*', publisherId: 'pattern' }))).rejects.toMatchObject({
      code: 'ERR_ADVERTISEMENT_INVALID',
    });
    for (const invalid of ['md.>.x', 'md.A*', 'md..*', '/md.*', '']) {
      expect(() => resolver.watch(invalid)).toThrow(expect.objectContaining({ code: 'ERR_TOPIC_INVALID' }) as Error);
      await expect(resolver.resolve(invalid)).rejects.toMatchObject({ code: 'ERR_TOPIC_INVALID' });
    }
    controller.abort();
    await Promise.all([oneLevel.done, rest.done]);
    expect(oneLevel.described).toHaveLength(3);
    await resolver.close();
  });

  it('ends its watches on close, pattern watches too', async () => {
    const resolver = new StaticResolver({ 'md.AAPL': ['10.0.0.5:40123'] });
    const watcher = new EventRecorder(resolver.watch('md.AAPL'));
    const patternWatcher = new EventRecorder(resolver.watch('md.>'));
    await watcher.until(1);
    await patternWatcher.until(1);
    await resolver.close();
    await Promise.all([watcher.done, patternWatcher.done]);
    expect(watcher.described).toHaveLength(1);
    expect(patternWatcher.described).toHaveLength(1);
  });
});

describe('StaticResolver.fromFile', () => {
  it('reads a JSON file of the same shape', async () => {
    const path = join(directory, 'topics.json');
    await writeFile(path, JSON.stringify({ 'md.AAPL': ['10.0.0.5:40123'], orders: [{ address: '::1', port: 9 }] }));
    const resolver = await StaticResolver.fromFile(path);
    expect((await resolver.resolve('orders'))[0]?.addresses).toEqual(['::1']);
    await resolver.close();
  });

  it('refuses a file larger than 16 MiB without reading it', async () => {
    const path = join(directory, 'huge.json');
    await truncate(await writeFile(path, '').then(() => path), 16 * 1024 * 1024 + 1);
    await expect(StaticResolver.fromFile(path)).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
      message: `invalid static resolver file ${path}: it is 16777217 bytes, the limit is 16777216`,
    });
  });

  it.each([
    ['missing.json', undefined, 'cannot read it: ENOENT'],
    ['broken.json', '{"md.AAPL": [', 'not valid JSON'],
    ['wrong.json', '{"md.AAPL": ["10.0.0.5:99999"]}', '"md.AAPL"[0]: port must be an integer 1..65535, got 99999'],
    ['array.json', '[]', 'must be an object mapping topic names'],
  ])('names the file and the problem for %s', async (name, content, problem) => {
    const path = join(directory, name);
    if (content !== undefined) await writeFile(path, content);
    const error = await StaticResolver.fromFile(path).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(SeamlessError.isInstance(error, 'ERR_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain(`invalid static resolver file ${path}: `);
    expect((error as Error).message).toContain(problem);
  });
});
